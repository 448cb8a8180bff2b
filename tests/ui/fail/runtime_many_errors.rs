use sparkform::prelude::*;

spark_serverless_runtime!(pub RUNTIME {
    name: "demo app",
    release_label: "emr-6.8.0",
    architecture: ARM46,
    vpc: { cidr: "10.0.0.1/16", nat_gateways: 4 },
    auto_stop: { enabled: true, idle_minutes: 15 },
    execution_role: {
        statements: [{ actions: ["emrserverless:StartJobRun"], resources: ["*"] }],
    },
});

fn main() {}
