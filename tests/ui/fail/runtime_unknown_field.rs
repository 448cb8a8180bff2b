use sparkform::prelude::*;

spark_serverless_runtime!(pub RUNTIME {
    name: "demo",
    relase_label: "emr-7.3.0",
});

fn main() {}
