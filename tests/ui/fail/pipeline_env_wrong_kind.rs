// An integration test variable is a string or an attribute.
use sparkform::prelude::*;

cicd_pipeline!(pub PIPELINE {
    name: "SparkTest",
    repository: "owner/weekly-job",
    integ_test: { script: "../../../../examples/cicd-pipeline/spark/integ.sh", env: { DATES: ["2024-01-01"] } },
    stages: [{ name: "staging", integ_test: true }],
    // trybuild builds this in target/tests/trybuild/sparkform-tests: the example's Spark project is four folders up.
    spark_path: "../../../../examples/cicd-pipeline/spark",
});

fn main() {}
