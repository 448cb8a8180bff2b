//! The permissions `cicd_pipeline!` gives CloudFormation for each resource type, judged by
//! the resource schemas of the pinned cfn-lint: each schema lists, per handler (create,
//! read, update, delete), the permissions its resource provider calls. Every one of them is
//! granted, except those of features sparkform never sets (each listed below, with why) and
//! names the schemas list that are not IAM actions (`s3:DeleteBucketLifecycle` is authorized
//! by `s3:PutLifecycleConfiguration`).

use sparkform_build::checks::iam::check_action;
use sparkform_build::constructs::cicd_pipeline::exec_policy::{actions_of, known_types, service_linked};
use std::path::PathBuf;

/// (type, action glob): features no sparkform construct sets.
const UNUSED: &[(&str, &str)] = &[
    ("AWS::S3::Bucket", "s3tables:*"),
    ("AWS::S3::Bucket", "s3:*Metadata*"),
    ("AWS::S3::Bucket", "s3:*Replication*"),
    ("AWS::S3::Bucket", "s3:*Analytics*"),
    ("AWS::S3::Bucket", "s3:*Inventory*"),
    ("AWS::S3::Bucket", "s3:*Metrics*"),
    ("AWS::S3::Bucket", "s3:*IntelligentTiering*"),
    ("AWS::S3::Bucket", "s3:*Accelerate*"),
    ("AWS::S3::Bucket", "s3:*ObjectLock*"),
    ("AWS::S3::Bucket", "s3:*Website*"),
    // Object ACLs are off (BucketOwnerEnforced) and no bucket is emptied on delete.
    ("AWS::S3::Bucket", "s3:PutObjectAcl"),
    ("AWS::S3::Bucket", "s3:DeleteObject"),
    ("AWS::Logs::LogGroup", "firehose:*"),
    ("AWS::Logs::LogGroup", "logs:*DataProtection*"),
    ("AWS::Logs::LogGroup", "logs:*Index*"),
    ("AWS::Logs::LogGroup", "logs:*ResourcePolic*"),
    ("AWS::Logs::LogGroup", "logs:PutBearerTokenAuthentication"),
    ("AWS::Logs::LogGroup", "logs:PutLogGroupDeletionProtection"),
    ("AWS::Logs::LogGroup", "logs:CreateLogDelivery"),
    ("AWS::IAM::Role", "iam:*PermissionsBoundary"),
    ("AWS::IAM::Policy", "iam:*Group*"),
    ("AWS::IAM::Policy", "iam:*User*"),
    ("AWS::IAM::ManagedPolicy", "iam:*Group*"),
    ("AWS::IAM::ManagedPolicy", "iam:*User*"),
    // Attached to roles, which the role entry's scope covers.
    ("AWS::IAM::ManagedPolicy", "iam:*RolePolicy"),
    ("AWS::EC2::VPC", "ec2:*VpcEncryptionControl*"),
    ("AWS::EC2::VPC", "ec2:ModifyVpcTenancy"),
    ("AWS::EC2::Subnet", "ec2:*SubnetCidrBlock"),
    ("AWS::EC2::VPCGatewayAttachment", "ec2:*VpnGateway*"),
    ("AWS::EC2::EIP", "ec2:AcceptAddressTransfer"),
    ("AWS::EC2::NatGateway", "ec2:*NatGatewayAddress"),
    ("AWS::EC2::SecurityGroup", "ec2:UpdateSecurityGroupRuleDescriptions*"),
    ("AWS::EC2::VPCEndpoint", "vpc-lattice:*"),
    ("AWS::EC2::VPCEndpoint", "vpce:*"),
    // Flow logs go to CloudWatch Logs, not S3.
    ("AWS::EC2::FlowLog", "s3:*BucketPolicy"),
    ("AWS::EC2::FlowLog", "autoscaling:*"),
    ("AWS::EC2::FlowLog", "iam:CreateServiceLinkedRole"),
    // No customer-managed key for the application or the state machine; no S3 definition.
    ("AWS::EMRServerless::Application", "kms:*"),
    ("AWS::StepFunctions::StateMachine", "kms:*"),
    ("AWS::StepFunctions::StateMachine", "s3:GetObject*"),
];

fn glob(pattern: &str, text: &str) -> bool {
    let (p, t) = (pattern.to_ascii_lowercase(), text.to_ascii_lowercase());
    let parts: Vec<&str> = p.split('*').collect();
    if parts.len() == 1 {
        return p == t;
    }
    let mut rest = t.as_str();
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            let Some(r) = rest.strip_prefix(part) else { return false };
            rest = r;
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            let Some(at) = rest.find(part) else { return false };
            rest = &rest[at + part.len()..];
        }
    }
    true
}

fn schemas() -> PathBuf {
    let lint = PathBuf::from(&sparkform_tests::services()["CFN_LINT"]);
    let lib = lint.parent().unwrap().parent().unwrap().join("lib");
    let python = std::fs::read_dir(&lib)
        .unwrap()
        .flatten()
        .find(|e| e.file_name().to_string_lossy().starts_with("python3"))
        .expect("the venv's python folder");
    python.path().join("site-packages/cfnlint/data/schemas")
}

#[test]
fn cloudformation_may_do_what_each_resource_provider_calls() {
    let dir = schemas();
    let providers: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("providers/us-east-1.json")).unwrap()).unwrap();
    let mut missing = Vec::new();
    let mut judged = 0;
    for ty in known_types() {
        let file = dir
            .join("resources")
            .join(format!("{}.json", providers[ty].as_str().unwrap()));
        let schema: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        let mine = actions_of(ty).unwrap();
        for handler in ["create", "read", "update", "delete"] {
            for p in schema["handlers"][handler]["permissions"]
                .as_array()
                .into_iter()
                .flatten()
            {
                let p = p.as_str().unwrap();
                judged += 1;
                let granted = mine.iter().any(|m| glob(m, p))
                    || p == "iam:PassRole"
                    || (ty.starts_with("AWS::EC2::") && ["ec2:CreateTags", "ec2:DeleteTags"].contains(&p))
                    || (p == "iam:CreateServiceLinkedRole" && service_linked(ty).is_some());
                let unused = UNUSED.iter().any(|(t, g)| *t == ty && glob(g, p));
                if !granted && !unused && check_action(p).is_ok() {
                    missing.push(format!("{ty} ({handler}): {p}"));
                }
            }
        }
    }
    assert!(judged > 300, "only {judged} permissions in the schemas");
    missing.sort();
    missing.dedup();
    assert!(missing.is_empty(), "not granted:\n{}", missing.join("\n"));
}
