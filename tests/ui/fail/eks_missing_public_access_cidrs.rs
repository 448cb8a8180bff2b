// The public endpoint is restricted to the CIDRs written: there is no open default (DSF defect 13).
use sparkform::prelude::*;

emr_eks_runtime!(pub EKS {
    admin_role: "arn:aws:iam::123456789012:role/eks-admin",
});

fn main() {}
