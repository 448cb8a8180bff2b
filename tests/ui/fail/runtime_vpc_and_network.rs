use sparkform::prelude::*;

spark_serverless_runtime!(pub RUNTIME {
    name: "demo",
    vpc: { cidr: "10.0.0.0/16" },
    network: { subnet_ids: ["subnet-0123456789abcdef0"] },
});

fn main() {}
