// A handle is written alone where a construct is expected: `.part` is refused at its token.
use sparkform::prelude::*;

spark_serverless_runtime!(pub RUNTIME {
    name: "demo",
    execution_role: { managed_policy_arns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"] },
});

spark_job!(pub JOB {
    name: "nightly",
    runtime: RUNTIME.application,
    entry_point: "s3://my-bucket/jobs/job.py",
});

fn main() {}
