// CodeCommit repository names take no `/`.
use sparkform::prelude::*;

cicd_pipeline!(pub PIPELINE {
    name: "SparkTest",
    repository: codecommit("owner/weekly-job"),
    // trybuild builds this in target/tests/trybuild/sparkform-tests: the example's Spark project is four folders up.
    spark_path: "../../../../examples/cicd-pipeline/spark",
});

fn main() {}
