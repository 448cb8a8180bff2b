use sparkform::prelude::*;

spark_serverless_runtime!(pub RUNTIME {
    name: "demo",
    release_label: "emr-7.3",
});

fn main() {}
