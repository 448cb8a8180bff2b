// An override's path must exist in its target's resource schema.
use sparkform::prelude::*;

spark_serverless_runtime!(pub SPARK_RUNTIME {
    name: "demo",
    overrides: { Application: { "Properties.MonitoringConfiguration.S3MonitoringConfig.LogUri": "s3://logs/" } },
});

fn main() {}
