// The default nodes are node pools, which node groups do not have.
use sparkform::prelude::*;

emr_eks_runtime!(pub EKS {
    admin_role: "arn:aws:iam::123456789012:role/eks-admin",
    public_access_cidrs: ["203.0.113.0/24"],
    capacity: node_groups,
    default_nodes: true,
    node_groups: [{ name: "spark", instance_types: ["m7g.2xlarge"], min_size: 1, max_size: 4 }],
});

fn main() {}
