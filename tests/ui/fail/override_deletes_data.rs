// Overriding a data resource into deletion needs the crate's opt-in, like `removal_policy: destroy`.
use sparkform::prelude::*;

spark_job!(pub JOB {
    name: "nightly",
    application_id: "00fabcdef1234567",
    execution_role: "arn:aws:iam::123456789012:role/job",
    entry_point: "s3://my-bucket/jobs/job.py",
    overrides: { LogBucket: { DeletionPolicy: "Delete" }, StateMachineLogs: { UpdateReplacePolicy: delete } },
});

fn main() {}
