use sparkform::prelude::*;

spark_serverless_runtime!(pub RUNTIME {
    name "demo",
});

fn main() {}
