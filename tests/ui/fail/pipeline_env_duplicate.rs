// An integration test variable set twice.
use sparkform::prelude::*;

cicd_pipeline!(pub PIPELINE {
    name: "SparkTest",
    repository: "owner/weekly-job",
    integ_test: { script: "../../../../examples/cicd-pipeline/spark/integ.sh", env: { MODE: "full", MODE: "fast" } },
    stages: [{ name: "staging", integ_test: true }],
    // trybuild builds this in target/tests/trybuild/sparkform-tests: the example's Spark project is four folders up.
    spark_path: "../../../../examples/cicd-pipeline/spark",
});

fn main() {}
