use sparkform::prelude::*;

spark_serverless_runtime!(pub RUNTIME {
    name: "demo",
    removal_policy: destroy,
});

fn main() {}
