use sparkform::prelude::*;

spark_job!(pub JOB {
    name: "nightly",
    application_id: "00fabcdef1234567",
    entry_point: "s3://my-bucket/jobs/job.py",
});

fn main() {}
