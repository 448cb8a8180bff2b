use sparkform::prelude::*;

spark_serverless_runtime!(pub RUNTIME {
    name: "demo",
    release_label: "emr-9.1.0",
});

fn main() {}
