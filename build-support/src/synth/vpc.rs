//! The default VPC: DSF's DataVpc shape (public and private subnets over up to 3 AZs, NAT,
//! S3 gateway endpoint on every route table, KMS-encrypted flow logs, security group)
//! without its defects: private subnets are larger than public ones (mask+2 vs mask+4),
//! the NAT count is configurable, and the flow-log group belongs to the VPC's construct,
//! with a key that serves that group only.

use super::iam::{document, statement, trust};
use super::logs::{encrypted_log_group, unique_name};
use super::{att, r#ref, sub, Template};
use crate::constructs::overrides::{target, Target};
use crate::model::vpc::VpcSpec;
use crate::model::Removal;
use serde_json::{json, Value as Json};

/// The VPC's resources as `overrides` names them (`#`: a zone's number), for the rows that
/// create one.
pub const TARGETS: &[Target] = &[
    target("Vpc", "AWS::EC2::VPC"),
    target("InternetGateway", "AWS::EC2::InternetGateway"),
    target("VpcGatewayAttachment", "AWS::EC2::VPCGatewayAttachment"),
    target("PublicSubnet#", "AWS::EC2::Subnet"),
    target("PublicRouteTable#", "AWS::EC2::RouteTable"),
    target("PublicDefaultRoute#", "AWS::EC2::Route"),
    target(
        "PublicSubnet#RouteTableAssociation",
        "AWS::EC2::SubnetRouteTableAssociation",
    ),
    target("PrivateSubnet#", "AWS::EC2::Subnet"),
    target("PrivateRouteTable#", "AWS::EC2::RouteTable"),
    target("PrivateDefaultRoute#", "AWS::EC2::Route"),
    target(
        "PrivateSubnet#RouteTableAssociation",
        "AWS::EC2::SubnetRouteTableAssociation",
    ),
    target("NatEip#", "AWS::EC2::EIP"),
    target("NatGateway#", "AWS::EC2::NatGateway"),
    target("SecurityGroup", "AWS::EC2::SecurityGroup"),
    target("S3Endpoint", "AWS::EC2::VPCEndpoint"),
    target("FlowLog", "AWS::EC2::FlowLog"),
    target("FlowLogGroup", "AWS::Logs::LogGroup"),
    target("FlowLogKey", "AWS::KMS::Key"),
    target("FlowLogRole", "AWS::IAM::Role"),
];

/// What the rest of the construct needs from the VPC.
pub struct VpcRefs {
    pub vpc: Json,
    pub public_subnets: Vec<Json>,
    pub private_subnets: Vec<Json>,
    pub security_group: Json,
}

fn name_tag(name: &str) -> Json {
    json!([{ "Key": "Name", "Value": name }])
}

fn az(index: u32) -> Json {
    json!({ "Fn::Select": [index, { "Fn::GetAZs": "" }] })
}

/// Adds the VPC's resources under `prefix` (e.g. `SparkRuntimeVpc...`).
pub fn synth(t: &mut Template, prefix: &str, spec: &VpcSpec, removal: Removal, sg_description: &str) -> VpcRefs {
    let id = |s: &str| format!("{prefix}{s}");
    let vpc = id("Vpc");
    t.resource(
        &vpc,
        "AWS::EC2::VPC",
        json!({
            "CidrBlock": spec.cidr.to_string(),
            "EnableDnsHostnames": true,
            "EnableDnsSupport": true,
            "Tags": name_tag(&format!("{}/{vpc}", t.stack)),
        }),
    );
    let igw = id("InternetGateway");
    t.resource(&igw, "AWS::EC2::InternetGateway", json!({ "Tags": name_tag(&igw) }));
    let attach = id("VpcGatewayAttachment");
    t.resource(
        &attach,
        "AWS::EC2::VPCGatewayAttachment",
        json!({ "VpcId": r#ref(&vpc), "InternetGatewayId": r#ref(&igw) }),
    );

    // Private subnets first, each a quarter of the VPC (mask+2); public ones after them (mask+4).
    let private_mask = spec.cidr.mask + 2;
    let public_mask = spec.cidr.mask + 4;
    let private_span = spec.cidr.subnet(private_mask, 0, 0).size() * 3;
    let mut route_tables = Vec::new();
    let mut nats = Vec::new();
    let mut public_subnets = Vec::new();
    for i in 0..spec.azs {
        let n = i + 1;
        let subnet = id(&format!("PublicSubnet{n}"));
        t.resource(
            &subnet,
            "AWS::EC2::Subnet",
            json!({
                "VpcId": r#ref(&vpc),
                "CidrBlock": spec.cidr.subnet(public_mask, private_span, i).to_string(),
                "AvailabilityZone": az(i),
                "MapPublicIpOnLaunch": false,
                "Tags": name_tag(&subnet),
            }),
        );
        let rt = id(&format!("PublicRouteTable{n}"));
        t.resource(
            &rt,
            "AWS::EC2::RouteTable",
            json!({ "VpcId": r#ref(&vpc), "Tags": name_tag(&rt) }),
        );
        t.resource(
            &id(&format!("PublicSubnet{n}RouteTableAssociation")),
            "AWS::EC2::SubnetRouteTableAssociation",
            json!({ "SubnetId": r#ref(&subnet), "RouteTableId": r#ref(&rt) }),
        );
        t.resource(
            &id(&format!("PublicDefaultRoute{n}")),
            "AWS::EC2::Route",
            json!({ "RouteTableId": r#ref(&rt), "DestinationCidrBlock": "0.0.0.0/0", "GatewayId": r#ref(&igw) }),
        )
        .insert("DependsOn".into(), json!(attach));
        route_tables.push(r#ref(&rt));
        public_subnets.push(r#ref(&subnet));
        if i < spec.nat_gateways {
            let eip = id(&format!("NatEip{n}"));
            t.resource(
                &eip,
                "AWS::EC2::EIP",
                json!({ "Domain": "vpc", "Tags": name_tag(&eip) }),
            )
            .insert("DependsOn".into(), json!(attach));
            let nat = id(&format!("NatGateway{n}"));
            t.resource(
                &nat,
                "AWS::EC2::NatGateway",
                json!({ "AllocationId": att(&eip, "AllocationId"), "SubnetId": r#ref(&subnet), "Tags": name_tag(&nat) }),
            );
            nats.push(nat);
        }
    }
    let mut private_subnets = Vec::new();
    for i in 0..spec.azs {
        let n = i + 1;
        let subnet = id(&format!("PrivateSubnet{n}"));
        t.resource(
            &subnet,
            "AWS::EC2::Subnet",
            json!({
                "VpcId": r#ref(&vpc),
                "CidrBlock": spec.cidr.subnet(private_mask, 0, i).to_string(),
                "AvailabilityZone": az(i),
                "MapPublicIpOnLaunch": false,
                "Tags": name_tag(&subnet),
            }),
        );
        let rt = id(&format!("PrivateRouteTable{n}"));
        t.resource(
            &rt,
            "AWS::EC2::RouteTable",
            json!({ "VpcId": r#ref(&vpc), "Tags": name_tag(&rt) }),
        );
        t.resource(
            &id(&format!("PrivateSubnet{n}RouteTableAssociation")),
            "AWS::EC2::SubnetRouteTableAssociation",
            json!({ "SubnetId": r#ref(&subnet), "RouteTableId": r#ref(&rt) }),
        );
        if !nats.is_empty() {
            let nat = &nats[i as usize % nats.len()];
            t.resource(
                &id(&format!("PrivateDefaultRoute{n}")),
                "AWS::EC2::Route",
                json!({ "RouteTableId": r#ref(&rt), "DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": r#ref(nat) }),
            );
        }
        route_tables.push(r#ref(&rt));
        private_subnets.push(r#ref(&subnet));
    }
    t.resource(
        &id("S3Endpoint"),
        "AWS::EC2::VPCEndpoint",
        json!({
            "VpcId": r#ref(&vpc),
            "ServiceName": sub("com.amazonaws.${AWS::Region}.s3"),
            "VpcEndpointType": "Gateway",
            "RouteTableIds": route_tables,
        }),
    );
    flow_logs(t, &id, &vpc, spec, removal);
    let sg = id("SecurityGroup");
    t.resource(
        &sg,
        "AWS::EC2::SecurityGroup",
        json!({
            "GroupDescription": sg_description,
            "VpcId": r#ref(&vpc),
            "SecurityGroupEgress": [{ "IpProtocol": "-1", "CidrIp": "0.0.0.0/0", "Description": "Allow all outbound traffic" }],
            "Tags": name_tag(&sg),
        }),
    );
    VpcRefs {
        vpc: r#ref(&vpc),
        public_subnets,
        private_subnets,
        security_group: r#ref(&sg),
    }
}

/// Flow logs to a log group with a key of its own; key and group are data, kept unless opted in.
fn flow_logs(t: &mut Template, id: &dyn Fn(&str) -> String, vpc: &str, spec: &VpcSpec, removal: Removal) {
    let group = id("FlowLogGroup");
    encrypted_log_group(
        t,
        &group,
        &id("FlowLogKey"),
        unique_name("/aws/vpc/flow-logs", vpc),
        spec.flow_log_retention_days,
        removal,
        &format!("Flow logs of {vpc}"),
    );
    let role = id("FlowLogRole");
    t.resource(
        &role,
        "AWS::IAM::Role",
        json!({
            "AssumeRolePolicyDocument": trust(
                &["vpc-flow-logs.amazonaws.com".to_string()],
                Some(json!({ "StringEquals": { "aws:SourceAccount": r#ref("AWS::AccountId") } })),
            ),
            "Policies": [{
                "PolicyName": "FlowLogDelivery",
                "PolicyDocument": document(vec![statement(
                    true,
                    &["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                    vec![att(&group, "Arn")],
                    None,
                )]),
            }],
        }),
    );
    t.resource(
        &id("FlowLog"),
        "AWS::EC2::FlowLog",
        json!({
            "ResourceId": r#ref(vpc),
            "ResourceType": "VPC",
            "TrafficType": "ALL",
            "LogDestinationType": "cloud-watch-logs",
            "LogGroupName": r#ref(&group),
            "DeliverLogsPermissionArn": att(&role, "Arn"),
        }),
    );
}
