// tests/Cargo.toml depends on sparkform without its `kubernetes` feature: a runtime whose
// namespaces and node pools deploy applies is an error at its handle, naming the feature.
use sparkform::prelude::*;

emr_eks_runtime!(pub EKS {
    admin_role: "arn:aws:iam::123456789012:role/eks-admin",
    public_access_cidrs: ["203.0.113.0/24"],
    virtual_clusters: [{ name: "daily", namespace: "daily" }],
});

fn main() {}
