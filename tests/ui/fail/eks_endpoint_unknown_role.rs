// An endpoint naming a role the runtime does not declare.
use sparkform::prelude::*;

emr_eks_runtime!(pub EKS {
    admin_role: "arn:aws:iam::123456789012:role/eks-admin",
    public_access_cidrs: ["203.0.113.0/24"],
    capacity: karpenter,
    virtual_clusters: [{ name: "daily", namespace: "daily" }],
    execution_roles: [{ name: "reader", namespace: "daily" }],
    interactive_endpoints: [{ name: "notebooks", virtual_cluster: "daily", execution_role: "raeder" }],
});

fn main() {}
