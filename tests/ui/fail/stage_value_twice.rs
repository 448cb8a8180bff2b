// A by_stage gives each stage one value.
use sparkform::prelude::*;

spark_job!(pub NIGHTLY {
    name: "nightly",
    application_id: "00fabcdef1234567",
    execution_role: "arn:aws:iam::123456789012:role/job-role",
    entry_point: "s3://my-bucket/jobs/job.py",
    timeout_minutes: by_stage({ prod: 60, prod: 90, default: 30 }),
});

fn main() {}
