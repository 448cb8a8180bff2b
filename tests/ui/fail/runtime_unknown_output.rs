// `outputs` and `exports` name the construct's own attributes ("did you mean").
use sparkform::prelude::*;

spark_serverless_runtime!(pub SPARK_RUNTIME {
    name: "demo",
    outputs: [vpc_idd],
    exports: { application_ar: "team-spark-app" },
});

fn main() {}
