use sparkform::prelude::*;

cfn_resource!(pub ALERTS {
    type: "AWS::SNS::Topic",
    properties: { KmsMasterKeyId: "alias/aws/sns" },
    exports: { TopicArnn: "team-alerts-topic" },
});

fn main() {}
