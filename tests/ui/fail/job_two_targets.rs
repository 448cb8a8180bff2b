use sparkform::prelude::*;

spark_serverless_runtime!(pub RUNTIME { name: "demo" });

spark_job!(pub JOB {
    name: "nightly",
    runtime: RUNTIME,
    application_id: "00fabcdef1234567",
    entry_point: "s3://my-bucket/jobs/job.py",
});

fn main() {}
