use sparkform::prelude::*;

spark_job!(pub JOB {
    name: "nightly",
    application_id: "app-0123",
    execution_role: "arn:aws:iam::123456789012:role/job-role",
    entry_point: "s3://my-bucket/jobs/job.py",
});

fn main() {}
