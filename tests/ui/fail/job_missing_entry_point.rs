use sparkform::prelude::*;

spark_serverless_runtime!(pub RUNTIME { name: "demo" });

spark_job!(pub JOB {
    name: "nightly",
    runtime: RUNTIME,
    arguments: ["--date", "2024-01-01"],
});

fn main() {}
