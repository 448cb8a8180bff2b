use sparkform::prelude::*;

spark_serverless_runtime!(pub RUNTIME {
    name: "demo",
    release_label: "emr-6.8.0",
});

fn main() {}
