//! DSF's `cicd-pipeline-stack-tests` example in sparkform: the `SparkTest` application (a
//! runtime, its PySpark package and a job, in the `emr-application` stack like DSF's
//! `EmrApplicationStack`) and its CI/CD pipeline. The pipeline reads `owner/weekly-job` on
//! `mainline` through a CodeConnections connection, runs the Spark unit tests and builds
//! this crate, updates itself, then deploys `staging` and (after an approval) `prod`, each
//! in its own account. In staging, `spark/integ.sh` runs the job's state machine, whose ARN
//! comes from the deployed stack's output.
//!
//! Per stage: the job runs nightly only in prod, and staging's runtime is smaller.

use sparkform::prelude::*;

spark_serverless_runtime!(pub SPARK_RUNTIME {
    name: "SparkTest",
    stack: "emr-application",
    maximum_capacity: by_stage({
        staging: { cpu: "16 vCPU", memory: "64 GB" },
        default: { cpu: "400 vCPU", memory: "3000 GB" },
    }),
    execution_role: {
        statements: [{
            actions: ["s3:GetObject", "s3:ListBucket"],
            resources: ["arn:${AWS::Partition}:s3:::nyc-tlc", "arn:${AWS::Partition}:s3:::nyc-tlc/*"],
        }],
    },
});

pyspark_package!(pub WEEKLY_PKG {
    name: "spark-test",
    stack: "emr-application",
    entrypoint: "spark/src/entrypoint.py",
    dependencies: "spark",
});

spark_job!(pub PROCESSING_JOB {
    name: "SparkTestProcessing",
    stack: "emr-application",
    runtime: SPARK_RUNTIME,
    entry_point: WEEKLY_PKG,
    timeout_minutes: 60,
    schedule: by_stage({ prod: "cron(0 2 ? * MON *)" }),
});

cicd_pipeline!(pub PIPELINE {
    name: "SparkTest",
    stack: "spark-test-pipeline",
    repository: "owner/weekly-job",
    branch: "mainline",
    connection_arn: "arn:aws:codeconnections:eu-west-1:123456789012:connection/aEXAMPLE-8aad-4d5d-8878-dfcab0bc441f",
    app_path: "examples/cicd-pipeline",
    spark_path: "spark",
    stages: [
        { name: "staging", account: "111111111111", region: "eu-west-1", integ_test: true },
        { name: "prod", account: "222222222222", region: "eu-west-1", approval: true },
    ],
    integ_test: {
        script: "spark/integ.sh",
        env: { STEP_FUNCTION_ARN: PROCESSING_JOB.state_machine_arn },
        permissions: [{
            actions: ["states:StartExecution", "states:DescribeExecution"],
            resources: [
                "arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:stateMachine:*",
                "arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:execution:*",
            ],
        }],
    },
});

sparkform::main!();
