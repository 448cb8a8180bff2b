// Without default, the other stages have no value; a required field then says so.
use sparkform::prelude::*;

spark_job!(pub NIGHTLY {
    name: by_stage({ prod: "nightly" }),
    application_id: "00fabcdef1234567",
    execution_role: "arn:aws:iam::123456789012:role/job-role",
    entry_point: "s3://my-bucket/jobs/job.py",
});

fn main() {}
