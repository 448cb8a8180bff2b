// An unknown field of the runtime, with "did you mean".
use sparkform::prelude::*;

emr_eks_runtime!(pub EKS {
    admin_role: "arn:aws:iam::123456789012:role/eks-admin",
    public_access_cidrs: ["203.0.113.0/24"],
    virtual_cluster: [{ name: "daily", namespace: "daily" }],
});

fn main() {}
