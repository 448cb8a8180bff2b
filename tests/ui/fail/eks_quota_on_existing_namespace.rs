// A quota on a namespace sparkform does not create.
use sparkform::prelude::*;

emr_eks_runtime!(pub EKS {
    admin_role: "arn:aws:iam::123456789012:role/eks-admin",
    public_access_cidrs: ["203.0.113.0/24"],
    virtual_clusters: [{ name: "daily", namespace: "daily", create_namespace: false, quota: { cpu: "1000", memory: "4000Gi" } }],
});

fn main() {}
