//! What CloudFormation may do when it deploys a stage (or the pipeline's own stack): for
//! each resource type sparkform synthesizes, the actions that create, update, tag and delete
//! it, derived from the types the stacks really contain. IAM is scoped to the stage's names
//! (`role/<stage>-*`), so a stage can never touch another stage's roles nor escalate to any
//! other role of the account. `cdk bootstrap` gives this role AdministratorAccess by default.

use crate::synth::iam::statement;
use serde_json::{json, Value as Json};
use std::collections::BTreeSet;

/// Where a type's actions apply.
#[derive(Clone, Copy, PartialEq, Eq)]
enum On {
    /// Any resource: these services' create calls take no resource ARN to scope on.
    Any,
    /// The roles of the stage's prefixes.
    Roles,
    /// The managed policies of the stage's prefixes.
    Policies,
    /// Service-linked roles (`role/aws-service-role/*`), which no stage names.
    Linked,
}

/// Types whose resource provider creates a service's linked role on first use, and that
/// service: the one `iam:CreateServiceLinkedRole` they get, on that service only.
const LINKED: &[(&str, &str)] = &[
    ("AWS::EMRServerless::Application", "ops.emr-serverless.amazonaws.com"),
    ("AWS::EKS::Cluster", "eks.amazonaws.com"),
    ("AWS::EKS::Nodegroup", "eks-nodegroup.amazonaws.com"),
    ("AWS::EMRContainers::VirtualCluster", "emr-containers.amazonaws.com"),
    // emr_eks_runtime!'s `create_service_linked_role`.
    ("AWS::IAM::ServiceLinkedRole", "emr-containers.amazonaws.com"),
];

/// The service whose linked role a type's provider creates, if any.
pub fn service_linked(resource_type: &str) -> Option<&'static str> {
    LINKED.iter().find(|l| l.0 == resource_type).map(|l| l.1)
}

const EC2_TAGS: &[&str] = &["ec2:CreateTags", "ec2:DeleteTags"];

/// (resource type, actions, where, whether CloudFormation passes a role to the service).
const TYPES: &[(&str, &[&str], On, bool)] = &[
    (
        "AWS::S3::Bucket",
        &[
            "s3:CreateBucket",
            "s3:DeleteBucket",
            "s3:ListBucket",
            "s3:GetBucket*",
            "s3:PutBucket*",
            "s3:GetEncryptionConfiguration",
            "s3:PutEncryptionConfiguration",
            "s3:GetLifecycleConfiguration",
            "s3:PutLifecycleConfiguration",
            "s3:ListTagsForResource",
            "s3:TagResource",
            "s3:UntagResource",
        ],
        On::Any,
        false,
    ),
    (
        "AWS::S3::BucketPolicy",
        &["s3:GetBucketPolicy", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy"],
        On::Any,
        false,
    ),
    (
        "AWS::KMS::Key",
        &[
            "kms:CreateKey",
            "kms:DescribeKey",
            "kms:EnableKey",
            "kms:DisableKey",
            "kms:EnableKeyRotation",
            "kms:DisableKeyRotation",
            "kms:GetKeyRotationStatus",
            "kms:GetKeyPolicy",
            "kms:PutKeyPolicy",
            "kms:UpdateKeyDescription",
            "kms:ScheduleKeyDeletion",
            "kms:ListResourceTags",
            "kms:TagResource",
            "kms:UntagResource",
        ],
        On::Any,
        false,
    ),
    (
        "AWS::Logs::LogGroup",
        &[
            "logs:CreateLogGroup",
            "logs:DeleteLogGroup",
            "logs:DescribeLogGroups",
            "logs:PutRetentionPolicy",
            "logs:DeleteRetentionPolicy",
            "logs:AssociateKmsKey",
            "logs:DisassociateKmsKey",
            "logs:ListTagsForResource",
            "logs:TagResource",
            "logs:UntagResource",
        ],
        On::Any,
        false,
    ),
    (
        "AWS::IAM::Role",
        &[
            "iam:CreateRole",
            "iam:DeleteRole",
            "iam:GetRole",
            "iam:UpdateRole",
            "iam:UpdateRoleDescription",
            "iam:UpdateAssumeRolePolicy",
            "iam:GetRolePolicy",
            "iam:PutRolePolicy",
            "iam:DeleteRolePolicy",
            "iam:ListRolePolicies",
            "iam:AttachRolePolicy",
            "iam:DetachRolePolicy",
            "iam:ListAttachedRolePolicies",
            "iam:TagRole",
            "iam:UntagRole",
        ],
        On::Roles,
        false,
    ),
    (
        "AWS::IAM::Policy",
        &["iam:GetRolePolicy", "iam:PutRolePolicy", "iam:DeleteRolePolicy"],
        On::Roles,
        false,
    ),
    (
        "AWS::IAM::ManagedPolicy",
        &[
            "iam:CreatePolicy",
            "iam:DeletePolicy",
            "iam:GetPolicy",
            "iam:GetPolicyVersion",
            "iam:CreatePolicyVersion",
            "iam:DeletePolicyVersion",
            "iam:ListPolicyVersions",
            "iam:ListEntitiesForPolicy",
        ],
        On::Policies,
        false,
    ),
    (
        "AWS::EC2::VPC",
        &[
            "ec2:CreateVpc",
            "ec2:DeleteVpc",
            "ec2:DescribeVpcs",
            "ec2:DescribeVpcAttribute",
            "ec2:ModifyVpcAttribute",
            "ec2:DescribeNetworkAcls",
            "ec2:DescribeSecurityGroups",
        ],
        On::Any,
        false,
    ),
    (
        "AWS::EC2::Subnet",
        &[
            "ec2:CreateSubnet",
            "ec2:DeleteSubnet",
            "ec2:DescribeSubnets",
            "ec2:ModifySubnetAttribute",
            "ec2:DescribeAvailabilityZones",
            "ec2:DescribeNetworkAcls",
        ],
        On::Any,
        false,
    ),
    (
        "AWS::EC2::RouteTable",
        &[
            "ec2:CreateRouteTable",
            "ec2:DeleteRouteTable",
            "ec2:DescribeRouteTables",
        ],
        On::Any,
        false,
    ),
    (
        "AWS::EC2::Route",
        &[
            "ec2:CreateRoute",
            "ec2:DeleteRoute",
            "ec2:ReplaceRoute",
            "ec2:DescribeNetworkInterfaces",
            "ec2:DescribeRouteTables",
        ],
        On::Any,
        false,
    ),
    (
        "AWS::EC2::SubnetRouteTableAssociation",
        &[
            "ec2:AssociateRouteTable",
            "ec2:DisassociateRouteTable",
            "ec2:ReplaceRouteTableAssociation",
            "ec2:DescribeSubnets",
            "ec2:DescribeRouteTables",
        ],
        On::Any,
        false,
    ),
    (
        "AWS::EC2::InternetGateway",
        &[
            "ec2:CreateInternetGateway",
            "ec2:DeleteInternetGateway",
            "ec2:DescribeInternetGateways",
        ],
        On::Any,
        false,
    ),
    (
        "AWS::EC2::VPCGatewayAttachment",
        &[
            "ec2:AttachInternetGateway",
            "ec2:DetachInternetGateway",
            "ec2:DescribeInternetGateways",
        ],
        On::Any,
        false,
    ),
    (
        "AWS::EC2::EIP",
        &[
            "ec2:AllocateAddress",
            "ec2:ReleaseAddress",
            "ec2:DescribeAddresses",
            "ec2:AssociateAddress",
            "ec2:DisassociateAddress",
        ],
        On::Any,
        false,
    ),
    (
        "AWS::EC2::NatGateway",
        &[
            "ec2:CreateNatGateway",
            "ec2:DeleteNatGateway",
            "ec2:DescribeNatGateways",
        ],
        On::Any,
        false,
    ),
    (
        "AWS::EC2::SecurityGroup",
        &[
            "ec2:CreateSecurityGroup",
            "ec2:DeleteSecurityGroup",
            "ec2:DescribeSecurityGroups",
            "ec2:AuthorizeSecurityGroupEgress",
            "ec2:RevokeSecurityGroupEgress",
            "ec2:AuthorizeSecurityGroupIngress",
            "ec2:RevokeSecurityGroupIngress",
            "ec2:DescribeInstances",
        ],
        On::Any,
        false,
    ),
    (
        "AWS::EC2::VPCEndpoint",
        &[
            "ec2:CreateVpcEndpoint",
            "ec2:DeleteVpcEndpoints",
            "ec2:ModifyVpcEndpoint",
            "ec2:DescribeVpcEndpoints",
            "ec2:DescribeSecurityGroups",
            "ec2:DescribeSubnets",
            "ec2:DescribeVpcs",
        ],
        On::Any,
        false,
    ),
    (
        "AWS::EC2::FlowLog",
        &[
            "ec2:CreateFlowLogs",
            "ec2:DeleteFlowLogs",
            "ec2:DescribeFlowLogs",
            "ec2:DescribeTags",
            "logs:CreateLogDelivery",
            "logs:DeleteLogDelivery",
        ],
        On::Any,
        true,
    ),
    (
        "AWS::EC2::LaunchTemplate",
        &[
            "ec2:CreateLaunchTemplate",
            "ec2:CreateLaunchTemplateVersion",
            "ec2:DeleteLaunchTemplate",
            "ec2:DescribeLaunchTemplates",
            "ec2:DescribeLaunchTemplateVersions",
        ],
        On::Any,
        false,
    ),
    (
        "AWS::EKS::Cluster",
        &[
            "eks:CreateCluster",
            "eks:DeleteCluster",
            "eks:DescribeCluster",
            "eks:DescribeUpdate",
            "eks:UpdateClusterConfig",
            "eks:UpdateClusterVersion",
            "eks:CreateAccessEntry",
            "eks:TagResource",
            "eks:UntagResource",
            "ec2:DescribeSubnets",
            "ec2:DescribeVpcs",
            "iam:GetRole",
            "iam:ListAttachedRolePolicies",
            // Auto Mode's instance profile for the node role.
            "iam:CreateInstanceProfile",
            "iam:DeleteInstanceProfile",
            "iam:GetInstanceProfile",
            "iam:AddRoleToInstanceProfile",
            "iam:RemoveRoleFromInstanceProfile",
            "iam:TagInstanceProfile",
            // Secrets encryption with the stack's key.
            "kms:CreateGrant",
            "kms:DescribeKey",
        ],
        On::Any,
        true,
    ),
    (
        "AWS::EKS::Nodegroup",
        &[
            "eks:CreateNodegroup",
            "eks:DeleteNodegroup",
            "eks:DescribeNodegroup",
            "eks:DescribeUpdate",
            "eks:ListUpdates",
            "eks:UpdateNodegroupConfig",
            "eks:UpdateNodegroupVersion",
            "eks:TagResource",
            "eks:UntagResource",
            "ec2:CreateTags",
            "ec2:DeleteTags",
            "ec2:DescribeKeyPairs",
            "ec2:DescribeLaunchTemplates",
            "ec2:DescribeLaunchTemplateVersions",
            "ec2:DescribeRouteTables",
            "ec2:DescribeSecurityGroups",
            "ec2:DescribeSubnets",
            "ec2:DescribeVpcs",
            "ec2:RunInstances",
            "iam:GetRole",
            "iam:ListAttachedRolePolicies",
        ],
        On::Any,
        true,
    ),
    (
        "AWS::EKS::Addon",
        &[
            "eks:CreateAddon",
            "eks:DeleteAddon",
            "eks:DescribeAddon",
            "eks:DescribeUpdate",
            "eks:UpdateAddon",
            "eks:CreatePodIdentityAssociation",
            "eks:DeletePodIdentityAssociation",
            "eks:UpdatePodIdentityAssociation",
            "eks:TagResource",
            "eks:UntagResource",
            "iam:GetRole",
        ],
        On::Any,
        true,
    ),
    (
        "AWS::EKS::AccessEntry",
        &[
            "eks:CreateAccessEntry",
            "eks:DeleteAccessEntry",
            "eks:DescribeAccessEntry",
            "eks:UpdateAccessEntry",
            "eks:AssociateAccessPolicy",
            "eks:DisassociateAccessPolicy",
            "eks:ListAssociatedAccessPolicies",
            "eks:TagResource",
            "eks:UntagResource",
        ],
        On::Any,
        false,
    ),
    (
        "AWS::EKS::PodIdentityAssociation",
        &[
            "eks:CreatePodIdentityAssociation",
            "eks:DeletePodIdentityAssociation",
            "eks:DescribePodIdentityAssociation",
            "eks:UpdatePodIdentityAssociation",
            "eks:TagResource",
            "eks:UntagResource",
            "iam:GetRole",
        ],
        On::Any,
        true,
    ),
    (
        "AWS::EMRContainers::VirtualCluster",
        &[
            "emr-containers:CreateVirtualCluster",
            "emr-containers:DeleteVirtualCluster",
            "emr-containers:DescribeVirtualCluster",
            "emr-containers:ListTagsForResource",
            "emr-containers:TagResource",
            "emr-containers:UntagResource",
        ],
        On::Any,
        false,
    ),
    (
        "AWS::EMRContainers::Endpoint",
        &[
            "emr-containers:CreateManagedEndpoint",
            "emr-containers:DeleteManagedEndpoint",
            "emr-containers:DescribeManagedEndpoint",
            "emr-containers:ListTagsForResource",
            "emr-containers:TagResource",
            "emr-containers:UntagResource",
            // The endpoint's load balancer security group.
            "ec2:CreateSecurityGroup",
            "ec2:DeleteSecurityGroup",
            "ec2:AuthorizeSecurityGroupIngress",
            "ec2:AuthorizeSecurityGroupEgress",
            "ec2:RevokeSecurityGroupIngress",
            "ec2:RevokeSecurityGroupEgress",
            "ec2:DescribeNetworkInterfaces",
            "ec2:DeleteNetworkInterface",
        ],
        On::Any,
        true,
    ),
    (
        "AWS::IAM::OIDCProvider",
        &[
            "iam:CreateOpenIDConnectProvider",
            "iam:DeleteOpenIDConnectProvider",
            "iam:GetOpenIDConnectProvider",
            "iam:AddClientIDToOpenIDConnectProvider",
            "iam:RemoveClientIDFromOpenIDConnectProvider",
            "iam:UpdateOpenIDConnectProviderThumbprint",
            "iam:ListOpenIDConnectProviderTags",
            "iam:TagOpenIDConnectProvider",
            "iam:UntagOpenIDConnectProvider",
        ],
        On::Any,
        false,
    ),
    (
        "AWS::IAM::ServiceLinkedRole",
        &[
            "iam:DeleteServiceLinkedRole",
            "iam:GetServiceLinkedRoleDeletionStatus",
            "iam:GetRole",
            "iam:UpdateRole",
        ],
        On::Linked,
        false,
    ),
    (
        "AWS::SQS::Queue",
        &[
            "sqs:CreateQueue",
            "sqs:DeleteQueue",
            "sqs:GetQueueAttributes",
            "sqs:GetQueueUrl",
            "sqs:SetQueueAttributes",
            "sqs:ListQueueTags",
            "sqs:TagQueue",
            "sqs:UntagQueue",
        ],
        On::Any,
        false,
    ),
    (
        "AWS::SQS::QueuePolicy",
        &["sqs:SetQueueAttributes", "sqs:GetQueueAttributes"],
        On::Any,
        false,
    ),
    (
        "AWS::EMRServerless::Application",
        &[
            "emr-serverless:CreateApplication",
            "emr-serverless:GetApplication",
            "emr-serverless:UpdateApplication",
            "emr-serverless:DeleteApplication",
            "emr-serverless:StopApplication",
            "emr-serverless:ListTagsForResource",
            "emr-serverless:TagResource",
            "emr-serverless:UntagResource",
            "ec2:CreateNetworkInterface",
            "ecr:BatchGetImage",
            "ecr:DescribeImages",
            "ecr:GetDownloadUrlForLayer",
            "sso:CreateApplication",
            "sso:DeleteApplication",
            "sso:DescribeInstance",
            "sso:PutApplicationAccessScope",
            "sso:PutApplicationAssignmentConfiguration",
            "sso:PutApplicationAuthenticationMethod",
            "sso:PutApplicationGrant",
            "ec2:DescribeSubnets",
            "ec2:DescribeSecurityGroups",
        ],
        On::Any,
        false,
    ),
    (
        "AWS::StepFunctions::StateMachine",
        &[
            "states:CreateStateMachine",
            "states:DeleteStateMachine",
            "states:DescribeStateMachine",
            "states:UpdateStateMachine",
            "states:ListTagsForResource",
            "states:TagResource",
            "states:UntagResource",
            "logs:CreateLogDelivery",
            "logs:GetLogDelivery",
            "logs:UpdateLogDelivery",
            "logs:DeleteLogDelivery",
            "logs:ListLogDeliveries",
            "logs:PutResourcePolicy",
            "logs:DescribeResourcePolicies",
            "logs:DescribeLogGroups",
        ],
        On::Any,
        true,
    ),
    (
        "AWS::Events::Rule",
        &[
            "events:PutRule",
            "events:DeleteRule",
            "events:DescribeRule",
            "events:EnableRule",
            "events:DisableRule",
            "events:PutTargets",
            "events:RemoveTargets",
            "events:ListTargetsByRule",
            "events:TagResource",
            "events:UntagResource",
            "events:ListTagsForResource",
        ],
        On::Any,
        true,
    ),
    (
        "AWS::CodeBuild::Project",
        &[
            "codebuild:CreateProject",
            "codebuild:UpdateProject",
            "codebuild:DeleteProject",
            "codebuild:BatchGetProjects",
        ],
        On::Any,
        true,
    ),
    (
        "AWS::CodePipeline::Pipeline",
        &[
            "codepipeline:CreatePipeline",
            "codepipeline:UpdatePipeline",
            "codepipeline:DeletePipeline",
            "codepipeline:GetPipeline",
            "codepipeline:GetPipelineState",
            "codepipeline:ListTagsForResource",
            "codepipeline:TagResource",
            "codepipeline:UntagResource",
            "codepipeline:EnableStageTransition",
            "codepipeline:DisableStageTransition",
            // CloudFormation restarts the pipeline after an update (RestartExecutionOnUpdate).
            "codepipeline:StartPipelineExecution",
            "iam:GetRole",
            // A pipeline with a connection source may only be written by whom may pass it.
            "codeconnections:PassConnection",
            "codestar-connections:PassConnection",
        ],
        On::Any,
        true,
    ),
    (
        "AWS::CodeConnections::Connection",
        &[
            "codeconnections:CreateConnection",
            "codeconnections:DeleteConnection",
            "codeconnections:GetConnection",
            "codeconnections:ListTagsForResource",
            "codeconnections:TagResource",
            "codeconnections:UntagResource",
        ],
        On::Any,
        false,
    ),
];

/// The resource types sparkform knows the permissions of.
pub fn known_types() -> impl Iterator<Item = &'static str> {
    TYPES.iter().map(|t| t.0)
}

/// Every action CloudFormation's role gets for a type (besides `iam:PassRole` and EC2's
/// tag actions, added when needed).
pub fn actions_of(resource_type: &str) -> Option<&'static [&'static str]> {
    TYPES.iter().find(|t| t.0 == resource_type).map(|t| t.1)
}

/// The execution role's statements for stacks of these types. `prefixes` are the name
/// prefixes (`staging-`) of the roles and policies it may manage and pass. The error lists
/// the types sparkform does not know.
pub fn statements(types: &BTreeSet<String>, prefixes: &[String]) -> Result<Vec<Json>, Vec<String>> {
    let unknown: Vec<String> = types
        .iter()
        .filter(|t| !TYPES.iter().any(|k| k.0 == t.as_str()))
        .cloned()
        .collect();
    if !unknown.is_empty() {
        return Err(unknown);
    }
    let mut any: BTreeSet<&str> = BTreeSet::new();
    let mut roles: BTreeSet<&str> = BTreeSet::new();
    let mut policies: BTreeSet<&str> = BTreeSet::new();
    let mut linked: BTreeSet<&str> = BTreeSet::new();
    let mut passes = false;
    let mut ec2 = false;
    for (ty, actions, on, pass) in TYPES.iter().filter(|k| types.contains(k.0)) {
        let set = match on {
            On::Any => &mut any,
            On::Roles => &mut roles,
            On::Policies => &mut policies,
            On::Linked => &mut linked,
        };
        set.extend(actions.iter().copied());
        passes |= *pass;
        ec2 |= ty.starts_with("AWS::EC2::");
    }
    if ec2 {
        any.extend(EC2_TAGS);
    }
    let arns = |kind: &str| -> Vec<Json> {
        prefixes
            .iter()
            .map(|p| json!({ "Fn::Sub": format!("arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:{kind}/{p}*") }))
            .collect()
    };
    let mut out = Vec::new();
    if !any.is_empty() {
        out.push(statement(
            true,
            &any.iter().copied().collect::<Vec<_>>(),
            vec![json!("*")],
            None,
        ));
    }
    if !roles.is_empty() {
        out.push(statement(
            true,
            &roles.iter().copied().collect::<Vec<_>>(),
            arns("role"),
            None,
        ));
    }
    if !policies.is_empty() {
        out.push(statement(
            true,
            &policies.iter().copied().collect::<Vec<_>>(),
            arns("policy"),
            None,
        ));
    }
    if passes {
        out.push(statement(true, &["iam:PassRole"], arns("role"), None));
    }
    if !linked.is_empty() {
        out.push(statement(
            true,
            &linked.iter().copied().collect::<Vec<_>>(),
            vec![json!({ "Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/aws-service-role/*" })],
            None,
        ));
    }
    let services: BTreeSet<&str> = types.iter().filter_map(|t| service_linked(t)).collect();
    if !services.is_empty() {
        // Each service creates its own linked role on first use (EMR Serverless with the
        // first application, EKS with the first cluster...): only those services'.
        let services: Vec<&str> = services.into_iter().collect();
        out.push(statement(
            true,
            &["iam:CreateServiceLinkedRole"],
            vec![json!({ "Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/aws-service-role/*" })],
            Some(json!({ "StringEquals": { "iam:AWSServiceName": services } })),
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::iam::check_action;

    #[test]
    fn every_action_is_real_and_none_is_a_star() {
        for (ty, actions, _, _) in TYPES {
            for a in *actions {
                assert!(check_action(a).is_ok(), "{ty}: {a}: {:?}", check_action(a));
            }
        }
        for a in EC2_TAGS {
            assert!(check_action(a).is_ok(), "{a}");
        }
    }

    #[test]
    fn iam_is_scoped_to_the_stage() {
        let types: BTreeSet<String> = ["AWS::IAM::Role", "AWS::StepFunctions::StateMachine"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let s = statements(&types, &["staging-".into()]).unwrap();
        let text = serde_json::to_string(&s).unwrap();
        assert!(text.contains("role/staging-*"), "{text}");
        assert!(!text.contains("\"iam:CreateRole\"],\"Resource\":[\"*\"]"), "{text}");
        let unknown: BTreeSet<String> = ["AWS::EKS::FargateProfile".to_string()].into();
        assert_eq!(statements(&unknown, &[]).unwrap_err(), ["AWS::EKS::FargateProfile"]);
    }
}
