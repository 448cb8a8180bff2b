use sparkform::prelude::*;

spark_serverless_runtime!(pub RUNTIME { name: "minimal" });

fn main() {
    assert_eq!(RUNTIME.name, "minimal");
}
