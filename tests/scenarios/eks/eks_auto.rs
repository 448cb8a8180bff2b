//! EKS Auto Mode (the default capacity): a private-only API endpoint, a virtual cluster with
//! an opt-in quota and default requests, two execution roles in its namespace, the crate's
//! own GPU node pool and pod template, and jobs that pick a role and a profile.
use sparkform::prelude::*;

emr_eks_runtime!(pub PLATFORM {
    cluster_name: "analytics",
    kubernetes_version: "1.35",
    admin_role: "arn:aws:iam::123456789012:role/platform-admin",
    public_endpoint: false,
    vpc: { cidr: "10.20.0.0/16", max_azs: 2, nat_gateways: 1 },
    virtual_clusters: [
        { name: "etl", namespace: "etl", quota: { cpu: "400", memory: "1600Gi" }, default_requests: { cpu: "100m", memory: "128Mi" } },
        { name: "adhoc", namespace: "adhoc", tags: { "cost-center": "adhoc" } },
    ],
    execution_roles: [
        { name: "etlReader", namespace: "etl", managed_policy_arns: ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"] },
        { name: "etlWriter", namespace: "etl", statements: [{ actions: ["s3:PutObject"], resources: ["arn:aws:s3:::analytics-lake/curated/*"] }] },
        { name: "adhocRole", namespace: "adhoc", statements: [{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::analytics-lake/*"] }] },
    ],
    node_pools: ["k8s/gpu-pool.yaml"],
    pod_templates: ["k8s/gpu-driver.yaml"],
    tags: { "team": "analytics" },
});

spark_job!(pub CURATE {
    name: "curate",
    virtual_cluster: PLATFORM.etl,
    execution_role: PLATFORM.etlWriter,
    profile: critical,
    entry_point: "s3://analytics-code/jobs/curate.py",
    release_label: "emr-7.5.0-latest",
    stack: "analytics-jobs",
});

spark_job!(pub EXPLORE {
    name: "explore",
    virtual_cluster: PLATFORM.adhoc,
    entry_point: "s3://analytics-code/jobs/explore.py",
    stack: "analytics-jobs",
});

fn main() {}
