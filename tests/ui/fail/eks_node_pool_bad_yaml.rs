// A node pool file that is not YAML.
// tests/ui.rs writes `k8s/` into trybuild's crate, where the paths are resolved.
use sparkform::prelude::*;

emr_eks_runtime!(pub EKS {
    admin_role: "arn:aws:iam::123456789012:role/eks-admin",
    public_access_cidrs: ["203.0.113.0/24"],
    node_pools: ["k8s/broken.yaml"],
});

fn main() {}
