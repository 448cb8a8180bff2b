// Raw CloudFormation resources beside the constructs: a KMS-encrypted SNS topic the jobs'
// failures could go to, exported for another team's stack, a queue in another stack that
// subscribes to it (an import, made by sparkform), and a bucket that names the runtime.
use sparkform::prelude::*;

spark_serverless_runtime!(pub PLATFORM {
    name: "alerts-platform",
    stack: "platform",
    network: { subnet_ids: ["subnet-0123456789abcdef0"], security_group_ids: ["sg-0123456789abcdef0"] },
    execution_role: { managed_policy_arns: ["arn:${AWS::Partition}:iam::aws:policy/AmazonS3ReadOnlyAccess"] },
});

cfn_resource!(pub ALERTS {
    stack: "platform",
    type: "AWS::SNS::Topic",
    properties: {
        TopicName: "spark-alerts",
        KmsMasterKeyId: "alias/aws/sns",
        Tags: [{ Key: "application", Value: PLATFORM.application_id }],
    },
    exports: { TopicArn: "team-spark-alerts-topic" },
});

cfn_resource!(pub ALERT_QUEUE {
    stack: "ops",
    type: "AWS::SQS::Queue",
    properties: { QueueName: "spark-alerts", KmsMasterKeyId: "alias/aws/sqs", MessageRetentionPeriod: 1209600 },
});

cfn_resource!(pub SUBSCRIPTION {
    stack: "ops",
    type: "AWS::SNS::Subscription",
    properties: { TopicArn: ALERTS.TopicArn, Protocol: "sqs", Endpoint: ALERT_QUEUE.Arn },
    // The queue accepts the topic's messages before the first one is sent.
    depends_on: [QUEUE_POLICY],
});

cfn_resource!(pub QUEUE_POLICY {
    stack: "ops",
    type: "AWS::SQS::QueuePolicy",
    properties: {
        Queues: [ALERT_QUEUE],
        PolicyDocument: {
            Version: "2012-10-17",
            Statement: [{
                Effect: "Allow",
                Principal: { Service: "sns.amazonaws.com" },
                Action: "sqs:SendMessage",
                Resource: ALERT_QUEUE.Arn,
                Condition: { ArnEquals: { "aws:SourceArn": "${ALERTS.TopicArn}" } },
            }],
        },
    },
    // Already implied by the references above: synthesis leaves it out (cfn-lint W3005).
    depends_on: [ALERT_QUEUE],
});

fn main() {
    println!("{} {}", ALERTS.logical_id, SUBSCRIPTION.resource_type);
}
