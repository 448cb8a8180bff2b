use sparkform::prelude::*;

spark_serverless_runtime!(pub RUNTIME {
    name: "demo",
    execution_role: {
        statements: [{
            actions: ["emrserverless:StartJobRun"],
            resources: ["*"],
        }],
    },
});

fn main() {}
