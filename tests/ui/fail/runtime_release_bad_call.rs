use sparkform::prelude::*;

spark_serverless_runtime!(pub RUNTIME {
    name: "demo",
    release_label: unlistd("emr-8.0.0"),
});

spark_serverless_runtime!(pub OTHER {
    name: "other",
    release_label: unlisted("emr-8.0.0", "emr-8.1.0"),
});

spark_serverless_runtime!(pub OLD {
    name: "old",
    release_label: unlisted("emr-6.5.0"),
});

fn main() {}
