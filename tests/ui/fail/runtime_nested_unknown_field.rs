use sparkform::prelude::*;

spark_serverless_runtime!(pub RUNTIME {
    name: "demo",
    vpc: { cidrs: "10.0.0.0/16" },
    monitoring: { s3_log_uri: "my-bucket/logs/" },
    execution_role: {
        statements: [{ actions: ["s3:GetObject"], resources: ["my-bucket/*"] }],
    },
});

fn main() {}
