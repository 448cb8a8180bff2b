use sparkform::prelude::*;

spark_serverless_runtime!(pub RUNTIME {
    name: "demo",
    maximum_capacity: { cpu: "4 cores", memory: "16 GB" },
});

fn main() {}
