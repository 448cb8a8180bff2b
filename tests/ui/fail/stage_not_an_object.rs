// by_stage takes one object of stage names and values.
use sparkform::prelude::*;

spark_job!(pub NIGHTLY {
    name: "nightly",
    application_id: "00fabcdef1234567",
    execution_role: "arn:aws:iam::123456789012:role/job-role",
    entry_point: "s3://my-bucket/jobs/job.py",
    schedule: by_stage("cron(0 2 * * ? *)"),
});

fn main() {}
