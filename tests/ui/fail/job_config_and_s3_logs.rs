use sparkform::prelude::*;

spark_serverless_runtime!(pub RUNTIME { name: "demo" });

spark_job!(pub JOB {
    name: "nightly",
    runtime: RUNTIME,
    job_config: { JobDriver: { SparkSubmit: { EntryPoint: "s3://my-bucket/jobs/job.py" } } },
    s3_logs: { prefix: "nightly" },
});

fn main() {}
