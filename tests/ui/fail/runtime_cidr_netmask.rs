use sparkform::prelude::*;

spark_serverless_runtime!(pub RUNTIME {
    name: "demo",
    vpc: { cidr: "10.0.0.0/29" },
});

fn main() {}
