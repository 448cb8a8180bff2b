//! DSF's `spark-job-emr-serverless` example: the PiJob on an EMR Serverless runtime, with a
//! 15-minute timeout, logs in an existing bucket under `logs/`, and a nightly schedule.
//! The state machine uses the optimized `startJobRun.sync` integration.

use sparkform::prelude::*;

spark_serverless_runtime!(pub SPARK_RUNTIME {
    name: "mySparkRuntime",
    execution_role: {
        statements: [{
            actions: ["s3:GetObject", "s3:ListBucket"],
            resources: ["arn:${AWS::Partition}:s3:::emr-job-logs-example", "arn:${AWS::Partition}:s3:::emr-job-logs-example/*"],
        }],
    },
});

spark_job!(pub PI_JOB {
    name: "PiCalculation",
    runtime: SPARK_RUNTIME,
    entry_point: "local:///usr/lib/spark/examples/src/main/python/pi.py",
    timeout_minutes: 15,
    s3_logs: { bucket: "emr-job-logs-example", prefix: "logs" },
    schedule: "cron(0 2 * * ? *)",
});

sparkform::main!();
