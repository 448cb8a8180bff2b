// `profile` belongs to jobs on an emr_eks_runtime!.
use sparkform::prelude::*;

spark_job!(pub JOB {
    name: "nightly",
    application_id: "00fabcdef1234567",
    execution_role: "arn:aws:iam::123456789012:role/job",
    entry_point: "s3://my-bucket/jobs/job.py",
    profile: shared,
});

fn main() {}
