use sparkform::prelude::*;

spark_serverless_runtime!(pub RUNTIME { name: "demo" });

spark_job!(pub JOB {
    name: "nightly",
    runtime: RUNTIME,
    entry_point: "s3://my-bucket/jobs/job.py",
    removal_policy: destroy,
});

fn main() {}
