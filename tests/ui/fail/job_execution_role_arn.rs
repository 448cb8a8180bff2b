use sparkform::prelude::*;

spark_job!(pub JOB {
    name: "nightly",
    application_id: "00fabcdef1234567",
    execution_role: "arn:aws:iam::123456789012:my-role",
    entry_point: "s3://my-bucket/jobs/job.py",
});

fn main() {}
