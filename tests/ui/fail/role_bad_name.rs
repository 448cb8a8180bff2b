// An execution role's IAM name is checked where it is written.
use sparkform::prelude::*;

execution_role!(pub ROLE {
    role_name: "analytics spark/jobs",
    managed_policy_arns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
});

fn main() {}
