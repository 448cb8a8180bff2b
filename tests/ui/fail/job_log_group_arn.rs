use sparkform::prelude::*;

spark_serverless_runtime!(pub RUNTIME { name: "demo" });

spark_job!(pub JOB {
    name: "nightly",
    runtime: RUNTIME,
    entry_point: "s3://my-bucket/jobs/job.py",
    cloudwatch_logs: { log_group: "arn:aws:logs:us-east-1:123456789012:log-group:/spark/jobs" },
});

fn main() {}
