// The pipeline's name prefixes role and bucket names.
use sparkform::prelude::*;

cicd_pipeline!(pub PIPELINE {
    name: "Spark Test Pipeline For The Weekly Job",
    repository: "owner/weekly-job",
    // trybuild builds this in target/tests/trybuild/sparkform-tests: the example's Spark project is four folders up.
    spark_path: "../../../../examples/cicd-pipeline/spark",
});

fn main() {}
