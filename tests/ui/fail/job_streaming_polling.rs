// job mode/retry check: streaming_polling
use sparkform::prelude::*;

spark_serverless_runtime!(pub RUNTIME { name: "demo", release_label: "emr-7.5.0", execution_role: { managed_policy_arns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"] } });

spark_job!(pub JOB {
    name: "nightly",
    runtime: RUNTIME,
    entry_point: "s3://my-bucket/jobs/job.py",
    mode: streaming,
    orchestration: polling(60),
});

fn main() {}
