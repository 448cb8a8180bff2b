// The runtime handle is checked by rustc: a handle of another macro is a type mismatch
// at the name.
use sparkform::prelude::*;

spark_job!(pub OTHER_JOB {
    name: "other",
    application_id: "00fabcdef1234567",
    execution_role: "arn:aws:iam::123456789012:role/job-role",
    entry_point: "s3://my-bucket/jobs/other.py",
});

spark_job!(pub JOB {
    name: "nightly",
    runtime: OTHER_JOB,
    entry_point: "s3://my-bucket/jobs/job.py",
});

fn main() {}
