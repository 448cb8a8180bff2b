//! Managed node groups on an existing VPC: add-ons, the tooling node group and two node
//! groups of the crate's, an interactive endpoint (IRSA), and a job on an older release
//! through IRSA.
use sparkform::prelude::*;

emr_eks_runtime!(pub LEGACY {
    cluster_name: "legacy_spark",
    kubernetes_version: "1.33",
    admin_role: "arn:aws:iam::123456789012:role/legacy-admin",
    public_access_cidrs: ["203.0.113.0/24", "198.51.100.0/24"],
    network: { vpc_id: "vpc-0123456789abcdef0", subnet_ids: ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"] },
    capacity: node_groups,
    node_groups: [
        { name: "drivers", instance_types: ["m7g.xlarge"], min_size: 1, max_size: 4, labels: { "spark-role": "driver" } },
        { name: "executors", instance_types: ["m7i.2xlarge", "m6i.2xlarge"], min_size: 0, max_size: 20, desired_size: 2,
          capacity_type: spot, taints: [{ key: "spot", value: "true", effect: NoSchedule }] },
    ],
    release_label: "emr-6.15.0-latest",
    virtual_clusters: [{ name: "legacy", namespace: "legacy-jobs" }],
    execution_roles: [{ name: "legacyRole", namespace: "legacy-jobs", irsa: true,
        statements: [{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::legacy-data/*"] }] }],
    interactive_endpoints: [{ name: "notebooks", virtual_cluster: "legacy", execution_role: "legacyRole", release_label: "emr-7.2.0-latest" }],
    start_job_roles: [{ arn: "arn:aws:iam::123456789012:role/airflow" }],
});

spark_job!(pub REPORT {
    name: "report",
    virtual_cluster: LEGACY.legacy,
    entry_point: "s3://legacy-code/report.py",
    orchestration: polling(60),
    stack: "legacy-jobs",
});

fn main() {}
