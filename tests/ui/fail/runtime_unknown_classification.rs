use sparkform::prelude::*;

spark_serverless_runtime!(pub RUNTIME {
    name: "demo",
    runtime_configuration: [{
        classification: "spark-default",
        properties: { "spark.executor.cores": "4" },
    }],
});

fn main() {}
