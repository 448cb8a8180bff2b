//! A serverless job with the polling loop, CloudWatch logs to an existing group, a created
//! S3 log bucket, Spark configuration, tags and a rate schedule.
use sparkform::prelude::*;

spark_serverless_runtime!(pub RUNTIME {
    name: "polling-demo",
    release_label: "emr-7.5.0",
    architecture: ARM64,
    vpc: { cidr: "10.20.0.0/16", max_azs: 2, nat_gateways: 1, flow_log_retention_days: 30 },
    maximum_capacity: { cpu: "400 vCPU", memory: "3000 GB", disk: "20000 GB" },
    initial_capacity: {
        driver: { workers: 1, cpu: "4 vCPU", memory: "16 GB", disk: "20 GB" },
        executor: { workers: 4, cpu: "4 vCPU", memory: "16 GB", disk: "200 GB", disk_type: SHUFFLE_OPTIMIZED },
    },
    runtime_configuration: [{
        classification: "spark-defaults",
        properties: { "spark.sql.catalogImplementation": "hive" },
    }],
    auto_stop: { enabled: true, idle_timeout_minutes: 30 },
    interactive: { livy_endpoint: true, studio: true },
    scheduler: { queue_timeout_minutes: 60, max_concurrent_runs: 5 },
    execution_role: {
        statements: [{ actions: ["glue:GetTable", "glue:GetDatabase"], resources: ["arn:${AWS::Partition}:glue:${AWS::Region}:${AWS::AccountId}:*"] }],
    },
    tags: { "team": "data-platform", "CostCenter": "42" },
});

spark_job!(pub AGGREGATE {
    name: "aggregate",
    runtime: RUNTIME,
    entry_point: "s3://my-code-bucket/jobs/aggregate.py",
    arguments: ["--date", "2024-01-01"],
    spark_submit_parameters: "--conf spark.executor.cores=4 --conf spark.executor.memory=14g",
    application_configuration: [{ classification: "spark-defaults", properties: { "spark.dynamicAllocation.enabled": "false" } }],
    timeout_minutes: 90,
    orchestration: polling(30),
    s3_logs: { prefix: "aggregate" },
    cloudwatch_logs: { log_group: "/spark/jobs", stream_prefix: "aggregate" },
    log_retention_days: 30,
    tags: { "team": "data-platform" },
    schedule: "rate(1 day)",
});

fn main() {}
