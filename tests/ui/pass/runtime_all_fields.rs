// Every field of spark_serverless_runtime! set to a valid value (with the default VPC).
use sparkform::prelude::*;

spark_serverless_runtime!(pub(crate) EVERYTHING {
    name: "everything-runtime",
    stack: "spark-platform",
    release_label: "emr-7.5.0",
    architecture: ARM64,
    vpc: { cidr: "10.20.0.0/16", max_azs: 2, nat_gateways: 1, flow_log_retention_days: 30 },
    removal_policy: retain,
    maximum_capacity: { cpu: "400 vCPU", memory: "3000 GB", disk: "20000 GB" },
    initial_capacity: {
        driver: { workers: 1, cpu: "4 vCPU", memory: "16 GB", disk: "20 GB" },
        executor: { workers: 4, cpu: "4 vCPU", memory: "16 GB", disk: "500 GB", disk_type: SHUFFLE_OPTIMIZED },
    },
    image_uri: "123456789012.dkr.ecr.us-east-1.amazonaws.com/spark:latest",
    worker_images: {
        driver: "123456789012.dkr.ecr.us-east-1.amazonaws.com/spark-driver:1",
        executor: "123456789012.dkr.ecr.us-east-1.amazonaws.com/spark-executor:1",
    },
    runtime_configuration: [
        {
            classification: "spark-defaults",
            properties: { "spark.executor.cores": "4", "spark.dynamicAllocation.enabled": true },
        },
        {
            classification: "spark-env",
            configurations: [{ classification: "export", properties: { "PYSPARK_PYTHON": "/usr/bin/python3" } }],
        },
    ],
    auto_start: true,
    auto_stop: { enabled: true, idle_timeout_minutes: 30 },
    interactive: { livy_endpoint: true, studio: false, sessions: true },
    monitoring: {
        s3_log_uri: "s3://my-log-bucket/emr-serverless/",
        s3_encryption_key_arn: "arn:aws:kms:us-east-1:123456789012:key/0123abcd-0123-4567-89ab-0123456789ab",
        managed_persistence: true,
        prometheus_remote_write_url: "https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-1/api/v1/remote_write",
        cloudwatch_logs: {
            enabled: true,
            log_group: "/aws/emr-serverless/everything",
            stream_prefix: "spark",
            encryption_key_arn: "arn:aws:kms:us-east-1:123456789012:key/0123abcd-0123-4567-89ab-0123456789ab",
            log_types: { driver: [STDOUT, STDERR], executor: ["STDERR"] },
        },
    },
    scheduler: { queue_timeout_minutes: 60, max_concurrent_runs: 10 },
    identity_center_instance_arn: "arn:aws:sso:::instance/ssoins-0123456789abcdef",
    execution_role: {
        statements: [
            {
                actions: ["s3:GetObject", "s3:List*"],
                resources: ["arn:${AWS::Partition}:s3:::my-data-bucket", "arn:${AWS::Partition}:s3:::my-data-bucket/*"],
            },
            {
                effect: deny,
                actions: ["s3:DeleteObject"],
                resources: ["*"],
                conditions: { StringEquals: { "aws:RequestedRegion": ["us-east-1", "eu-west-1"] } },
            },
        ],
        managed_policy_arns: ["arn:${AWS::Partition}:iam::aws:policy/AmazonS3ReadOnlyAccess"],
    },
    start_job_roles: [
        { id: "JobTrigger", assumed_by: "lambda.amazonaws.com" },
        { id: "Orchestrator", assumed_by: ["states.amazonaws.com", "123456789012"], managed_policy_arns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"] },
        { arn: "arn:aws:iam::123456789012:role/ops/existing-trigger" },
    ],
    tags: { "team": "analytics", "CostCenter": "1234", "lowercase-key": "kept as written" },
});

fn main() {
    assert_eq!(EVERYTHING.handle, "EVERYTHING");
    assert_eq!(EVERYTHING.name, "everything-runtime");
    assert_eq!(EVERYTHING.stack, "spark-platform");
    assert_eq!(EVERYTHING.release_label, "emr-7.5.0");
    assert_eq!(EVERYTHING.application_id_output, "EverythingApplicationId");
    assert_eq!(EVERYTHING.application_arn_output, "EverythingApplicationArn");
    assert_eq!(EVERYTHING.execution_role_arn_output, Some("EverythingExecutionRoleArn"));
}
