use sparkform::prelude::*;

spark_serverless_runtime!(pub RUNTIME {
    name: "spark demo",
});

fn main() {}
