// An EMR on EKS release newer than sparkform's table, written as `unlisted(...)`.
use sparkform::prelude::*;

spark_job!(pub EKS_JOB {
    name: "eks-job",
    virtual_cluster_id: "abcdef0123456789",
    execution_role: "arn:aws:iam::123456789012:role/emr-eks-job-role",
    release_label: unlisted("emr-9.1.0-latest"),
    entry_point: "s3://my-bucket/jobs/job.py",
});

fn main() {
    assert_eq!(EKS_JOB.name, "eks-job");
}
