use sparkform::prelude::*;

spark_serverless_runtime!(pub RUNTIME {
    name: "demo",
    start_job_roles: [{ id: "JobTrigger", assumed_by: "lambda.amazonaws.com" }],
});

fn main() {}
