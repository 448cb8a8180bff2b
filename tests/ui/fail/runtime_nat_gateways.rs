use sparkform::prelude::*;

spark_serverless_runtime!(pub RUNTIME {
    name: "demo",
    vpc: { max_azs: 2, nat_gateways: 3 },
});

fn main() {}
