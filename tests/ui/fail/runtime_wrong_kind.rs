use sparkform::prelude::*;

spark_serverless_runtime!(pub RUNTIME {
    name: 42,
    auto_start: "true",
    vpc: { max_azs: "2" },
});

fn main() {}
