//! Every name the pipeline's stacks share: roles and projects that another stack or another
//! account refers to by name, the artifact bucket, stack names, logical IDs. One place, so
//! the pipeline stack, the stage stacks and the target-account stacks always agree.

use super::model::{CicdPipeline, Stage};
use crate::checks::names::pascal_case;

/// The build artifact's folder, relative to the repository root.
pub const ARTIFACT_DIR: &str = "sparkform.out";
/// The app binary's name in the artifact.
pub const APP_BINARY: &str = "app";
/// The CodePipeline artifacts.
pub const SOURCE_ARTIFACT: &str = "Source";
pub const BUILD_ARTIFACT: &str = "Build";
pub const CHANGE_SET: &str = "sparkform";
/// The template parameter that takes the pipeline's account id in stacks of other accounts.
pub const PIPELINE_ACCOUNT_PARAMETER: &str = "PipelineAccountId";
/// CodeBuild's managed image: Ubuntu with Docker and the AWS CLI.
pub const CODEBUILD_IMAGE: &str = "aws/codebuild/standard:7.0";

impl CicdPipeline {
    /// The role CodePipeline runs as; named, so other accounts can trust it.
    pub fn pipeline_role_name(&self) -> String {
        format!("{}-pipeline", self.name)
    }

    /// `<name>-artifacts-<account>-<region>`, lower case: a name other accounts can grant
    /// on without knowing the stack (`account` is a `Fn::Sub` piece).
    pub fn bucket_name(&self, account: &str) -> String {
        format!(
            "{}-artifacts-{account}-${{AWS::Region}}",
            self.name.to_ascii_lowercase()
        )
    }

    pub fn stage(&self, name: &str) -> Option<&Stage> {
        self.stages.iter().find(|s| s.name == name)
    }

    pub fn id(&self, suffix: &str) -> String {
        self.handle.id(suffix)
    }

    /// Logical IDs of the pipeline stack.
    pub fn ids(&self) -> PipelineIds {
        PipelineIds {
            key: self.id("ArtifactKey"),
            access_logs: self.id("AccessLogsBucket"),
            bucket: self.id("ArtifactBucket"),
            logs: self.id("BuildLogGroup"),
            connection: self.id("Connection"),
            role: self.id("PipelineRole"),
            build_role: self.id("BuildRole"),
            build_project: self.id("BuildProject"),
            update_role: self.id("UpdateRole"),
            check_role: self.id("CheckRole"),
            check_project: self.id("CheckProject"),
            source_rule: self.id("SourceRule"),
            source_rule_role: self.id("SourceRuleRole"),
            pipeline: self.id("Pipeline"),
            out_name: self.id("PipelineName"),
            out_arn: self.id("PipelineArn"),
            out_connection: self.id("ConnectionArn"),
            out_connection_status: self.id("ConnectionStatus"),
        }
    }
}

pub struct PipelineIds {
    pub key: String,
    pub access_logs: String,
    pub bucket: String,
    pub logs: String,
    pub connection: String,
    pub role: String,
    pub build_role: String,
    pub build_project: String,
    pub update_role: String,
    pub check_role: String,
    pub check_project: String,
    pub source_rule: String,
    pub source_rule_role: String,
    pub pipeline: String,
    pub out_name: String,
    pub out_arn: String,
    pub out_connection: String,
    pub out_connection_status: String,
}

/// Names of one stage's roles and projects: all start with the stage, so the stage's
/// execution role may manage IAM roles `<stage>-*` only.
pub struct StageNames {
    pub deploy_role: String,
    pub exec_role: String,
    pub assets_role: String,
    pub assets_project: String,
    pub integ_role: String,
    pub integ_project: String,
    /// The stage's stack of CodeBuild projects.
    pub support_stack: String,
    /// PascalCase of the stage, for logical IDs.
    pub id: String,
}

impl StageNames {
    pub fn of(p: &CicdPipeline, stage: &str) -> StageNames {
        let base = format!("{stage}-{}", p.name);
        StageNames {
            deploy_role: format!("{base}-deploy"),
            exec_role: format!("{base}-cfn-exec"),
            assets_role: format!("{base}-assets"),
            assets_project: format!("{base}-assets"),
            integ_role: format!("{base}-integ"),
            integ_project: format!("{base}-integ"),
            support_stack: crate::stages::stage_stack(stage, &format!("{}-support", p.handle.stack)),
            id: pascal_case(stage),
        }
    }
}

/// The stack of another account's roles.
pub fn target_stack(p: &CicdPipeline, account: &str) -> String {
    format!("{}-roles-{account}", p.handle.stack)
}

/// A name CodePipeline accepts for an action or a namespace (`[A-Za-z0-9.@_-]`, 1 to 100).
pub fn action_name(text: &str) -> String {
    let s: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "@_-".contains(c) {
                c
            } else {
                '-'
            }
        })
        .take(100)
        .collect();
    s
}

/// `arn:<partition>:iam::<account>:role/<name>` (`account` is a `Fn::Sub` piece).
pub fn role_arn(account: &str, name: &str) -> String {
    format!("arn:${{AWS::Partition}}:iam::{account}:role/{name}")
}
