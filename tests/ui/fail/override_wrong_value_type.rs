// The value an override sets is checked against the schema's type at its path.
use sparkform::prelude::*;

spark_serverless_runtime!(pub SPARK_RUNTIME {
    name: "demo",
    execution_role: { managed_policy_arns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"] },
    overrides: { ExecutionRole: { "Properties.MaxSessionDuration": "two hours" } },
});

fn main() {}
