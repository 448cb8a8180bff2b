//! The pipeline's roles and their least-privilege policies: only real actions (checked
//! against the IAM catalog by the structure tests), each on the resources it needs.
//!
//! Cross-account deploys follow CodePipeline's model: the pipeline role assumes a deploy role
//! in the stage's account (the action's `RoleArn`), which passes a CloudFormation execution
//! role of the same account (`Configuration.RoleArn`; a role of another account cannot be
//! passed). See <https://docs.aws.amazon.com/codepipeline/latest/userguide/pipelines-create-cross-account.html>
//! and awsdocs/aws-codepipeline-user-guide#50. CodeBuild actions in another account run
//! projects of that account through the same deploy role (awsdocs/aws-codepipeline-user-guide#32).

use super::model::CicdPipeline;
use super::names::{role_arn, PipelineIds, StageNames};
use crate::synth::iam::{document, statement};
use crate::synth::{att, sub};
use serde_json::{json, Value as Json};

/// How a stack names the pipeline's artifact bucket and key.
pub struct Artifacts {
    objects: Json,
    key: Json,
    key_condition: Option<Json>,
}

impl Artifacts {
    /// In the pipeline stack: the resources themselves.
    pub fn local(ids: &PipelineIds) -> Artifacts {
        Artifacts {
            objects: crate::synth::bucket::bucket_objects(&ids.bucket),
            key: att(&ids.key, "Arn"),
            key_condition: None,
        }
    }

    /// In a stage's stack: by name, in the pipeline's account (a `Fn::Sub` piece such as
    /// `${PipelineAccountId}`). The key is the one S3 uses for that account's buckets; the
    /// key policy names who may use it.
    pub fn of_account(p: &CicdPipeline, account: &str) -> Artifacts {
        Artifacts {
            objects: sub(&format!("arn:${{AWS::Partition}}:s3:::{}/*", p.bucket_name(account))),
            key: sub(&format!("arn:${{AWS::Partition}}:kms:${{AWS::Region}}:{account}:key/*")),
            key_condition: Some(
                json!({ "StringEquals": { "kms:ViaService": sub("s3.${AWS::Region}.amazonaws.com") } }),
            ),
        }
    }

    pub fn read(&self) -> Vec<Json> {
        vec![
            statement(
                true,
                &["s3:GetObject", "s3:GetObjectVersion"],
                vec![self.objects.clone()],
                None,
            ),
            statement(
                true,
                &["kms:Decrypt", "kms:DescribeKey"],
                vec![self.key.clone()],
                self.key_condition.clone(),
            ),
        ]
    }

    pub fn read_write(&self) -> Vec<Json> {
        vec![
            statement(
                true,
                &["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"],
                vec![self.objects.clone()],
                None,
            ),
            statement(
                true,
                &["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"],
                vec![self.key.clone()],
                self.key_condition.clone(),
            ),
        ]
    }
}

/// A role: its trust, and one inline policy.
pub fn role(name: Option<&str>, trust: Json, policy: &str, statements: Vec<Json>) -> Json {
    let mut r = json!({
        "AssumeRolePolicyDocument": trust,
        "Policies": [{ "PolicyName": policy, "PolicyDocument": document(statements) }],
    });
    if let Some(n) = name {
        r["RoleName"] = json!(n);
    }
    r
}

/// A service principal, only for this account.
pub fn service_trust(service: &str) -> Json {
    document(vec![json!({
        "Effect": "Allow",
        "Principal": { "Service": service },
        "Action": "sts:AssumeRole",
        "Condition": { "StringEquals": { "aws:SourceAccount": { "Ref": "AWS::AccountId" } } },
    })])
}

/// The pipeline role of the pipeline's account: its ARN directly in the pipeline stack, or
/// the account's root restricted to that role's ARN in another account's stack (the role
/// need not exist yet, so the stacks deploy in any order).
pub fn pipeline_trust(p: &CicdPipeline, local: Option<&PipelineIds>) -> Json {
    let statement = match local {
        Some(ids) => {
            json!({ "Effect": "Allow", "Principal": { "AWS": att(&ids.role, "Arn") }, "Action": "sts:AssumeRole" })
        }
        None => json!({
            "Effect": "Allow",
            "Principal": { "AWS": sub("arn:${AWS::Partition}:iam::${PipelineAccountId}:root") },
            "Action": "sts:AssumeRole",
            "Condition": { "ArnEquals": { "aws:PrincipalArn": sub(&role_arn("${PipelineAccountId}", &p.pipeline_role_name())) } },
        }),
    };
    document(vec![statement])
}

/// CloudWatch Logs of a CodeBuild project, in the log group `group` (a logical ID).
pub fn logs(group: &str) -> Json {
    statement(
        true,
        &["logs:CreateLogStream", "logs:PutLogEvents"],
        vec![att(group, "Arn")],
        None,
    )
}

/// `stack/<stage>-*`: the stage's stacks, and only them.
pub fn stage_stacks(stage: &str) -> Json {
    sub(&format!(
        "arn:${{AWS::Partition}}:cloudformation:${{AWS::Region}}:${{AWS::AccountId}}:stack/{stage}-*/*"
    ))
}

/// What CodePipeline's CloudFormation change-set actions call.
pub const CHANGE_SET_ACTIONS: &[&str] = &[
    "cloudformation:CreateChangeSet",
    "cloudformation:DeleteChangeSet",
    "cloudformation:DescribeChangeSet",
    "cloudformation:ExecuteChangeSet",
    "cloudformation:DescribeStacks",
    "cloudformation:DescribeStackEvents",
    "cloudformation:GetTemplate",
];

pub fn pass_to_cloudformation(role: Json) -> Json {
    statement(
        true,
        &["iam:PassRole"],
        vec![role],
        Some(json!({ "StringEquals": { "iam:PassedToService": "cloudformation.amazonaws.com" } })),
    )
}

/// The deploy role of a stage: change sets on the stage's stacks, passing its execution
/// role, reading the templates, starting its CodeBuild projects.
pub fn deploy_statements(stage: &str, n: &StageNames, artifacts: &Artifacts, projects: bool) -> Vec<Json> {
    let mut s = vec![
        statement(true, CHANGE_SET_ACTIONS, vec![stage_stacks(stage)], None),
        pass_to_cloudformation(sub(&role_arn("${AWS::AccountId}", &n.exec_role))),
    ];
    s.extend(artifacts.read());
    if projects {
        s.push(statement(
            true,
            &[
                "codebuild:StartBuild",
                "codebuild:BatchGetBuilds",
                "codebuild:StopBuild",
            ],
            vec![sub(&format!(
                "arn:${{AWS::Partition}}:codebuild:${{AWS::Region}}:${{AWS::AccountId}}:project/{stage}-*"
            ))],
            None,
        ));
    }
    s
}

/// The stage's asset publishing: read the stage's stack outputs (bucket names), put and
/// check objects under `emr-artifacts/` in this account's buckets only.
pub fn assets_statements(stage: &str, group: &str, artifacts: &Artifacts) -> Vec<Json> {
    let own = json!({ "StringEquals": { "aws:ResourceAccount": { "Ref": "AWS::AccountId" } } });
    let prefix = sparkform_assembly::assets::ARTIFACTS_PREFIX;
    let mut s = vec![logs(group)];
    s.extend(artifacts.read());
    s.push(statement(
        true,
        &["cloudformation:DescribeStacks"],
        vec![stage_stacks(stage)],
        None,
    ));
    s.push(statement(
        true,
        &["s3:GetObject", "s3:PutObject"],
        vec![sub(&format!("arn:${{AWS::Partition}}:s3:::*/{prefix}/*"))],
        Some(own.clone()),
    ));
    // A HeadObject of a missing key is a 404 (not a 403) only with ListBucket.
    s.push(statement(
        true,
        &["s3:ListBucket"],
        vec![sub("arn:${AWS::Partition}:s3:::*")],
        Some(json!({
            "StringEquals": { "aws:ResourceAccount": { "Ref": "AWS::AccountId" } },
            "StringLike": { "s3:prefix": format!("{prefix}/*") },
        })),
    ));
    s.push(statement(
        true,
        &["kms:GenerateDataKey", "kms:Decrypt"],
        vec![sub("arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/*")],
        Some(json!({ "StringEquals": { "kms:ViaService": sub("s3.${AWS::Region}.amazonaws.com") } })),
    ));
    s
}
