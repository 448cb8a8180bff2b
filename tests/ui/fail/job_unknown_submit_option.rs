use sparkform::prelude::*;

spark_serverless_runtime!(pub RUNTIME { name: "demo" });

spark_job!(pub JOB {
    name: "nightly",
    runtime: RUNTIME,
    entry_point: "s3://my-bucket/jobs/job.py",
    spark_submit_parameters: "--conff spark.executor.memory=4g",
});

fn main() {}
