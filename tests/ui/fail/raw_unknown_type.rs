use sparkform::prelude::*;

cfn_resource!(pub ALERTS {
    type: "AWS::SNS::Topik",
});

fn main() {}
