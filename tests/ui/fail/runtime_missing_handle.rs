use sparkform::prelude::*;

spark_serverless_runtime!(pub {
    name: "demo",
});

fn main() {}
