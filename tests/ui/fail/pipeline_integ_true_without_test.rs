// integ_test: true runs the pipeline's test, which must be declared.
use sparkform::prelude::*;

cicd_pipeline!(pub PIPELINE {
    name: "SparkTest",
    repository: "owner/weekly-job",
    // trybuild builds this in target/tests/trybuild/sparkform-tests: the example's Spark project is four folders up.
    spark_path: "../../../../examples/cicd-pipeline/spark",
    stages: [{ name: "staging", integ_test: true }, { name: "prod" }],
});

fn main() {}
