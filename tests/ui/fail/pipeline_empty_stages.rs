// A pipeline with no stage.
use sparkform::prelude::*;

cicd_pipeline!(pub PIPELINE {
    name: "SparkTest",
    repository: "owner/weekly-job",
    stages: [],
    // trybuild builds this in target/tests/trybuild/sparkform-tests: the example's Spark project is four folders up.
    spark_path: "../../../../examples/cicd-pipeline/spark",
});

fn main() {}
