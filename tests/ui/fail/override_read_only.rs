// A read-only property cannot be overridden: CloudFormation sets it.
use sparkform::prelude::*;

spark_serverless_runtime!(pub SPARK_RUNTIME {
    name: "demo",
    overrides: { Application: { "Properties.ApplicationId": "00fabcdef1234567" } },
});

fn main() {}
