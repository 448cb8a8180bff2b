// `unlisted` for a version the table has.
use sparkform::prelude::*;

emr_eks_runtime!(pub EKS {
    admin_role: "arn:aws:iam::123456789012:role/eks-admin",
    public_access_cidrs: ["203.0.113.0/24"],
    kubernetes_version: unlisted("1.35"),
});

fn main() {}
