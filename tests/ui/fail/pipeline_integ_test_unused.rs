// A pipeline-level integ_test that no stage runs is a mistake.
use sparkform::prelude::*;

cicd_pipeline!(pub PIPELINE {
    name: "SparkTest",
    repository: "owner/weekly-job",
    // trybuild builds this in target/tests/trybuild/sparkform-tests: the example's Spark project is four folders up.
    spark_path: "../../../../examples/cicd-pipeline/spark",
    stages: [{ name: "staging" }, { name: "prod" }],
    integ_test: { script: "../../../../examples/cicd-pipeline/spark/integ.sh" },
});

fn main() {}
