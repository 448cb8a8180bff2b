use sparkform::prelude::*;

cfn_resource!(pub ALERTS {
    type: "AWS::SNS::Topic",
    properties: { TopicName: "spark-alerts", KmsMasterKey: "alias/aws/sns" },
});

fn main() {}
