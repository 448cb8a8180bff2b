use sparkform::prelude::*;

cfn_resource!(pub QUEUE {
    type: "AWS::SQS::Queue",
    properties: { KmsMasterKeyId: "alias/aws/sqs" },
    depends_on: ["ALERTS"],
});

fn main() {}
