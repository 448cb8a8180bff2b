// `connection_provider` is for a connection sparkform creates, not an existing one.
use sparkform::prelude::*;

cicd_pipeline!(pub PIPELINE {
    name: "SparkTest",
    repository: "owner/weekly-job",
    connection_arn: "arn:aws:codeconnections:eu-west-1:123456789012:connection/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d",
    connection_provider: GitLab,
    // trybuild builds this in target/tests/trybuild/sparkform-tests: the example's Spark project is four folders up.
    spark_path: "../../../../examples/cicd-pipeline/spark",
});

fn main() {}
