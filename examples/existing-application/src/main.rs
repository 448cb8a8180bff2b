//! A job on an EMR Serverless application that already exists (created by another team or
//! another tool): sparkform creates only the job's state machine, its log bucket and its
//! schedule. This is also the app the deploy tests run against moto.

use sparkform::prelude::*;

spark_job!(pub DAILY_REPORT {
    name: "daily-report",
    application_id: "00fabcdef1234567",
    execution_role: "arn:aws:iam::123456789012:role/emr-serverless-job-role",
    entry_point: "s3://my-code-bucket/jobs/report.py",
    arguments: ["--day", "yesterday"],
    spark_submit_parameters: "--conf spark.executor.cores=2 --conf spark.executor.memory=4g",
    timeout_minutes: 20,
    s3_logs: { prefix: "daily-report" },
    schedule: "cron(30 3 * * ? *)",
    tags: { "team": "reporting" },
});

sparkform::main!();
