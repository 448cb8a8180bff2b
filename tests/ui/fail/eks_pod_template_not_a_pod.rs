// A pod template file that holds a ConfigMap.
// tests/ui.rs writes `k8s/` into trybuild's crate, where the paths are resolved.
use sparkform::prelude::*;

emr_eks_runtime!(pub EKS {
    admin_role: "arn:aws:iam::123456789012:role/eks-admin",
    public_access_cidrs: ["203.0.113.0/24"],
    pod_templates: ["k8s/config.yaml"],
});

fn main() {}
