use sparkform::prelude::*;

spark_serverless_runtime!(pub RUNTIME { name: "demo" });

spark_job!(pub JOB {
    name: "nightly",
    runtime: RUNTIME,
    entry_point: "jobs/job.py",
});

fn main() {}
