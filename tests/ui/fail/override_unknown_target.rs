// An override's target is a resource the construct creates, by name ("did you mean").
use sparkform::prelude::*;

spark_serverless_runtime!(pub SPARK_RUNTIME {
    name: "demo",
    overrides: { Aplication: { "Properties.AutoStartConfiguration.Enabled": false } },
});

fn main() {}
