use sparkform::prelude::*;

spark_job!(pub JOB {
    name: "nightly",
    virtual_cluster_id: "abcdef0123456789",
    execution_role: "arn:aws:iam::123456789012:role/emr-eks-job-role",
    entry_point: "s3://my-bucket/jobs/job.py",
    release_label: "emr-6.8.0-latest",
});

fn main() {}
