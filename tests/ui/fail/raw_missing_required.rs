use sparkform::prelude::*;

cfn_resource!(pub SUBSCRIPTION {
    type: "AWS::SNS::Subscription",
    properties: { TopicArn: "arn:aws:sns:eu-west-1:123456789012:spark-alerts" },
});

fn main() {}
