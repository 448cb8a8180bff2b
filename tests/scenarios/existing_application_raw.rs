//! A job on an existing EMR Serverless application, written as the raw StartJobRun request
//! (DSF's "API props"); keys are kept exactly as written.
use sparkform::prelude::*;

spark_job!(pub RAW_JOB {
    name: "raw-job",
    application_id: "00fabcdef1234567",
    execution_role: "arn:aws:iam::123456789012:role/emr-serverless-job-role",
    job_config: {
        JobDriver: {
            SparkSubmit: {
                EntryPoint: "s3://my-code-bucket/jobs/profile.py",
                SparkSubmitParameters: "--conf spark.executor.instances=4",
            },
        },
        ConfigurationOverrides: {
            ApplicationConfiguration: [{ Classification: "spark-defaults", Properties: { "spark.driver.cores": "2" } }],
        },
        Tags: { "team": "analytics" },
    },
    timeout_minutes: 45,

});

fn main() {}
