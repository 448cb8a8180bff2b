// A handle an integration test names is checked by rustc, at its token.
use sparkform::prelude::*;

cicd_pipeline!(pub PIPELINE {
    name: "SparkTest",
    repository: "owner/weekly-job",
    // trybuild builds this in target/tests/trybuild/sparkform-tests: the example's Spark project is four folders up.
    spark_path: "../../../../examples/cicd-pipeline/spark",
    integ_test: {
        script: "../../../../examples/cicd-pipeline/spark/integ.sh",
        env: { STEP_FUNCTION_ARN: NO_SUCH_JOB.state_machine_arn },
    },
});

fn main() {}
