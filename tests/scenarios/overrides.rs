// Overrides on several constructs (CDK's addPropertyOverride / addDeletionOverride, checked):
// properties sparkform does not model set, one deleted, a DependsOn on a raw resource, and
// values read from other handles' attributes, in the same stack and from another one.
use sparkform::prelude::*;

cfn_resource!(pub ALERTS {
    stack: "platform",
    type: "AWS::SNS::Topic",
    properties: { TopicName: "spark-alerts", KmsMasterKeyId: "alias/aws/sns" },
});

execution_role!(pub JOB_ROLE {
    stack: "platform",
    statements: [{ actions: ["s3:GetObject"], resources: ["arn:${AWS::Partition}:s3:::analytics-data/*"] }],
    overrides: {
        Role: { "Properties.MaxSessionDuration": 7200, "Properties.Description": "Spark jobs; alerts go to ${ALERTS.TopicName}" },
    },
});

spark_serverless_runtime!(pub PLATFORM {
    name: "overridden-platform",
    stack: "platform",
    vpc: { max_azs: 2, nat_gateways: 1 },
    execution_role: JOB_ROLE,
    overrides: {
        Application: {
            "Properties.MonitoringConfiguration.S3MonitoringConfiguration.LogUri": "s3://analytics-logs/spark/",
            DependsOn: [ALERTS],
        },
        PrivateSubnet2: { "Properties.MapPublicIpOnLaunch": delete },
        FlowLogGroup: { "Properties.RetentionInDays": 90 },
    },
});

spark_job!(pub NIGHTLY {
    name: "nightly",
    stack: "jobs",
    runtime: PLATFORM,
    entry_point: "s3://analytics-code/jobs/nightly.py",
    schedule: "cron(0 2 * * ? *)",
    overrides: {
        Schedule: { "Properties.Description": "Nightly run on ${PLATFORM.application_id}" },
        StateMachine: { "Properties.Tags": [{ Key: "alerts-topic", Value: ALERTS.TopicArn }] },
    },
});

fn main() {
    println!("{} {}", PLATFORM.name, NIGHTLY.name);
}
