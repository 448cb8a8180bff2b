// emr_eks_runtime! needs the admin role (as DSF does); the error is on the body.
use sparkform::prelude::*;

emr_eks_runtime!(pub EKS {
    public_access_cidrs: ["203.0.113.0/24"],
});

fn main() {}
