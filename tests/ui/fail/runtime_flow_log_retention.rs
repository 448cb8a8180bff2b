use sparkform::prelude::*;

spark_serverless_runtime!(pub RUNTIME {
    name: "demo",
    vpc: { flow_log_retention_days: 8 },
});

fn main() {}
