// Stage names prefix stack and role names: letters, digits and hyphens.
use sparkform::prelude::*;

cicd_pipeline!(pub PIPELINE {
    name: "SparkTest",
    repository: "owner/weekly-job",
    // trybuild builds this in target/tests/trybuild/sparkform-tests: the example's Spark project is four folders up.
    spark_path: "../../../../examples/cicd-pipeline/spark",
    stages: [{ name: "pre prod" }, { name: "default" }],
});

fn main() {}
