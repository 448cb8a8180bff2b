use sparkform::prelude::*;

cfn_resource!(pub QUEUE {
    type: "AWS::SQS::Queue",
    properties: { KmsMasterKeyId: "alias/aws/sqs", MessageRetentionPeriod: "two weeks" },
});

fn main() {}
