use sparkform::prelude::*;

spark_serverless_runtime!(pub RUNTIME {
    name: "demo",
    execution_role: { managed_policy_arns: ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"] },
    start_job_roles: [{ arn: "arn:aws:iam::1234:role/trigger" }],
});

fn main() {}
