// `execution_role: X` on a runtime takes an execution_role! handle: rustc says so at the token.
use sparkform::prelude::*;

spark_serverless_runtime!(pub OTHER { name: "other" });

spark_serverless_runtime!(pub RUNTIME {
    name: "demo",
    execution_role: OTHER,
});

fn main() {}
