use sparkform::prelude::*;

spark_job!(pub JOB {
    name: "nightly",
    virtual_cluster_id: "abcdef0123456789",
    execution_role: "arn:aws:iam::123456789012:role/emr-eks-job-role",
    entry_point: "s3://my-bucket/jobs/job.py",
    release_label: "emr-9.1.0-latest",
});

spark_job!(pub UNLISTED {
    name: "unlisted",
    virtual_cluster_id: "abcdef0123456789",
    execution_role: "arn:aws:iam::123456789012:role/emr-eks-job-role",
    entry_point: "s3://my-bucket/jobs/job.py",
    release_label: unlisted("emr-9.1.0"),
});

fn main() {}
