// An execution role in a namespace no virtual cluster has, with "did you mean".
use sparkform::prelude::*;

emr_eks_runtime!(pub EKS {
    admin_role: "arn:aws:iam::123456789012:role/eks-admin",
    public_access_cidrs: ["203.0.113.0/24"],
    virtual_clusters: [{ name: "daily", namespace: "dailyjobns" }],
    execution_roles: [{ name: "reader", namespace: "dailyjob" }],
});

fn main() {}
