// Every branch is checked; an error in one says which stage.
use sparkform::prelude::*;

spark_job!(pub NIGHTLY {
    name: "nightly",
    application_id: "00fabcdef1234567",
    execution_role: "arn:aws:iam::123456789012:role/job-role",
    entry_point: "s3://my-bucket/jobs/job.py",
    schedule: by_stage({ prod: "cron(0 2 * * *)", default: "rate(7 days)" }),
});

fn main() {}
