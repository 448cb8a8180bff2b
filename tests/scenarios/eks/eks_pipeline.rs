//! EMR on EKS deployed by a pipeline: two stages in their own accounts, each with its own
//! cluster (`staging-platform`, `prod-platform`) and roles (`staging-etlRole`, ...), and a
//! Kubernetes step per stage (Karpenter's controller, the namespace, the node pools) run by a
//! CodeBuild project inside the cluster's VPC, between the cluster's stack and the virtual
//! clusters'.
use sparkform::prelude::*;

emr_eks_runtime!(pub PLATFORM {
    cluster_name: "platform",
    admin_role: "arn:aws:iam::123456789012:role/eks-admin",
    public_endpoint: false,
    capacity: karpenter,
    virtual_clusters: [{ name: "etl", namespace: "etl", create_namespace: true }],
    execution_roles: [{ name: "etlRole", namespace: "etl",
        statements: [{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::etl-data/*"] }] }],
});

spark_job!(pub NIGHTLY {
    name: "nightly",
    virtual_cluster: PLATFORM.etl,
    entry_point: "s3://etl-code/nightly.py",
    profile: shared,
    stack: "etl-jobs",
});

cicd_pipeline!(pub PIPELINE {
    name: "Platform",
    stack: "platform-pipeline",
    repository: "owner/platform",
    branch: "main",
    connection_arn: "arn:aws:codeconnections:eu-west-1:123456789012:connection/aEXAMPLE-8aad-4d5d-8878-dfcab0bc441f",
    app_path: "tests/scenarios/eks",
    spark_path: "spark",
    stages: [
        { name: "staging", account: "111111111111", region: "eu-west-1" },
        { name: "prod", account: "222222222222", region: "eu-west-1", approval: true },
    ],
});

fn main() {}
