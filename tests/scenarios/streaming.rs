// EMR Serverless job modes (EMR 7.1 and later, DSF #386): a streaming job that its state
// machine starts and leaves running (EMR retries it from its checkpoints, at most 5
// failures an hour), and a batch job retried up to 3 times.
use sparkform::prelude::*;

spark_serverless_runtime!(pub STREAMING_RUNTIME {
    name: "clickstream",
    release_label: "emr-7.5.0",
    execution_role: { managed_policy_arns: ["arn:${AWS::Partition}:iam::aws:policy/AmazonS3ReadOnlyAccess"] },
});

spark_job!(pub CLICKS {
    name: "clickstream-sessions",
    runtime: STREAMING_RUNTIME,
    entry_point: "s3://clickstream-code/jobs/sessions.py",
    arguments: ["--checkpoint", "s3://clickstream-checkpoints/sessions/"],
    mode: streaming,
    retry_policy: { max_failed_attempts_per_hour: 5 },
});

spark_job!(pub COMPACT {
    name: "compact-sessions",
    runtime: STREAMING_RUNTIME,
    entry_point: "s3://clickstream-code/jobs/compact.py",
    retry_policy: { max_attempts: 3 },
    schedule: "rate(1 day)",
});

fn main() {
    println!("{} {}", CLICKS.name, COMPACT.name);
}
