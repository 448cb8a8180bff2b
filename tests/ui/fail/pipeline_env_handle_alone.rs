// An environment variable takes an attribute of a handle, not the handle.
use sparkform::prelude::*;

spark_job!(pub NIGHTLY {
    name: "nightly",
    application_id: "00fabcdef1234567",
    execution_role: "arn:aws:iam::123456789012:role/job-role",
    entry_point: "s3://my-bucket/jobs/job.py",
});

cicd_pipeline!(pub PIPELINE {
    name: "SparkTest",
    repository: "owner/weekly-job",
    // trybuild builds this in target/tests/trybuild/sparkform-tests: the example's Spark project is four folders up.
    spark_path: "../../../../examples/cicd-pipeline/spark",
    integ_test: {
        script: "../../../../examples/cicd-pipeline/spark/integ.sh",
        env: { STEP_FUNCTION_ARN: NIGHTLY, "bad name": "x" },
    },
});

fn main() {}
