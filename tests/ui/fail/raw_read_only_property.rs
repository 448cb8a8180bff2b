use sparkform::prelude::*;

cfn_resource!(pub QUEUE {
    type: "AWS::SQS::Queue",
    properties: { KmsMasterKeyId: "alias/aws/sqs", Arn: "arn:aws:sqs:eu-west-1:123456789012:q" },
});

fn main() {}
