// Stage names are unique: they name the pipeline's stages and prefix their stacks.
use sparkform::prelude::*;

cicd_pipeline!(pub PIPELINE {
    name: "SparkTest",
    repository: "owner/weekly-job",
    // trybuild builds this in target/tests/trybuild/sparkform-tests: the example's Spark project is four folders up.
    spark_path: "../../../../examples/cicd-pipeline/spark",
    stages: [{ name: "staging" }, { name: "staging", account: "222222222222" }],
});

fn main() {}
