// job mode/retry check: eks_mode
use sparkform::prelude::*;

spark_serverless_runtime!(pub RUNTIME { name: "demo", release_label: "emr-7.5.0", execution_role: { managed_policy_arns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"] } });

spark_job!(pub JOB {
    name: "nightly",
    virtual_cluster_id: "abc123",
    execution_role: "arn:aws:iam::123456789012:role/job",
    entry_point: "s3://my-bucket/jobs/job.py",
    mode: streaming,
});

fn main() {}
