// An Auto Mode runtime with a NodePool on a Karpenter EC2NodeClass.
// tests/ui.rs writes `k8s/` into trybuild's crate, where the paths are resolved.
use sparkform::prelude::*;

emr_eks_runtime!(pub EKS {
    admin_role: "arn:aws:iam::123456789012:role/eks-admin",
    public_access_cidrs: ["203.0.113.0/24"],
    node_pools: ["k8s/karpenter-pool.yaml"],
});

fn main() {}
