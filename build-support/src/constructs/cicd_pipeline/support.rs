//! The stacks around the pipeline:
//! - a stage's roles (deploy role, CloudFormation execution role): in the pipeline stack for
//!   a stage of the pipeline's account, else in the target account's stack, which a person
//!   deploys once with the AWS CLI (the replacement for `cdk bootstrap --trust`);
//! - a stage's support stack, which the pipeline deploys in the stage's account before the
//!   app: the CodeBuild projects that publish the stage's assets and run its integration
//!   test, with their roles and log group.

use super::buildspec::{assets_spec, integ_spec};
use super::exec_policy;
use super::iam::{assets_statements, deploy_statements, logs, pipeline_trust, role, service_trust, Artifacts};
use super::model::{CicdPipeline, Stage};
use super::names::{PipelineIds, StageNames, CODEBUILD_IMAGE, PIPELINE_ACCOUNT_PARAMETER};
use crate::synth::iam::user_statement;
use crate::synth::{att, r#ref, Template};
use serde_json::{json, Value as Json};
use std::collections::BTreeSet;

/// A CodeBuild project that CodePipeline runs.
pub struct Project<'a> {
    pub name: Option<&'a str>,
    pub role: &'a str,
    pub spec: String,
    pub privileged: bool,
    pub compute: &'a str,
    pub log_group: &'a str,
    pub timeout_minutes: u32,
    pub encryption_key: Option<Json>,
    pub env: Vec<(&'a str, Json)>,
    pub description: String,
}

impl Project<'_> {
    pub fn properties(&self) -> Json {
        let env: Vec<Json> = self
            .env
            .iter()
            .map(|(k, v)| json!({ "Name": k, "Value": v, "Type": "PLAINTEXT" }))
            .collect();
        let mut environment = json!({
            "Type": "LINUX_CONTAINER",
            "ComputeType": self.compute,
            "Image": CODEBUILD_IMAGE,
            "ImagePullCredentialsType": "CODEBUILD",
            "PrivilegedMode": self.privileged,
        });
        if !env.is_empty() {
            environment["EnvironmentVariables"] = Json::Array(env);
        }
        let mut p = json!({
            "Description": self.description,
            "ServiceRole": att(self.role, "Arn"),
            "Source": { "Type": "CODEPIPELINE", "BuildSpec": self.spec },
            "Artifacts": { "Type": "CODEPIPELINE" },
            "Environment": environment,
            "LogsConfig": { "CloudWatchLogs": { "Status": "ENABLED", "GroupName": r#ref(self.log_group) } },
            "TimeoutInMinutes": self.timeout_minutes,
        });
        if let Some(n) = self.name {
            p["Name"] = json!(n);
        }
        if let Some(k) = &self.encryption_key {
            p["EncryptionKey"] = k.clone();
        }
        p
    }
}

/// The log group of a stack's CodeBuild projects: retained, with the pipeline's retention,
/// encrypted with a key of its own that the logs service may use for this group only.
pub fn log_group(t: &mut Template, p: &CicdPipeline, id: &str) {
    crate::synth::logs::encrypted_log_group(
        t,
        id,
        &format!("{id}Key"),
        crate::synth::logs::unique_name("/aws/codebuild", id),
        p.log_retention_days,
        p.removal,
        &format!("Build logs of pipeline {}", p.name),
    );
}

/// Why a CloudFormation execution role's statements look broad to a scanner.
pub const EXEC_ROLE_SKIP: &str = "CloudFormation's execution role creates the stacks' resources, whose names CloudFormation generates: its actions are exactly those of the resource types in the stacks (checked against the resource schemas' handler permissions), and IAM is limited to roles named after the stage or pipeline.";

/// Reasoned checkov skips for a CloudFormation execution role.
pub fn explain_exec_role(t: &mut Template, id: &str) {
    for check in ["CKV_AWS_109", "CKV_AWS_111"] {
        t.skip_check(id, check, EXEC_ROLE_SKIP);
    }
}

/// The parameter that takes the pipeline's account id.
pub fn account_parameter(t: &mut Template) {
    t.parameters.insert(
        PIPELINE_ACCOUNT_PARAMETER.into(),
        json!({
            "Type": "String",
            "AllowedPattern": "^[0-9]{12}$",
            "Description": "The account of the pipeline that deploys here",
        }),
    );
}

/// Whether a stage needs a support stack: it has assets or an integration test.
pub fn needs_support(stage: &Stage, has_assets: bool) -> bool {
    has_assets || stage.integ_test.is_some()
}

/// The stage's support stack.
pub fn support_stack(p: &CicdPipeline, stage: &Stage, has_assets: bool) -> Template {
    let n = StageNames::of(p, &stage.name);
    let mut t = Template::new(&n.support_stack);
    t.kinds.insert("SparkEmrCICDPipeline stage support");
    account_parameter(&mut t);
    let artifacts = Artifacts::of_account(p, "${PipelineAccountId}");
    log_group(&mut t, p, "BuildLogs");
    if has_assets {
        t.resource(
            "AssetsRole",
            "AWS::IAM::Role",
            role(
                Some(&n.assets_role),
                service_trust("codebuild.amazonaws.com"),
                "PublishAssets",
                assets_statements(&stage.name, "BuildLogs", &artifacts),
            ),
        );
        let project = Project {
            name: Some(&n.assets_project),
            role: "AssetsRole",
            spec: assets_spec(p, &stage.name),
            // The venvs are built with Docker.
            privileged: true,
            compute: p.build_compute,
            log_group: "BuildLogs",
            timeout_minutes: 60,
            encryption_key: None,
            env: Vec::new(),
            description: format!("Publishes the {} stage's assets of pipeline {}", stage.name, p.name),
        };
        t.resource("AssetsProject", "AWS::CodeBuild::Project", project.properties());
    }
    if let Some(test) = &stage.integ_test {
        let mut statements = vec![logs("BuildLogs")];
        statements.extend(artifacts.read());
        statements.extend(test.permissions.iter().map(user_statement));
        t.resource(
            "IntegRole",
            "AWS::IAM::Role",
            role(
                Some(&n.integ_role),
                service_trust("codebuild.amazonaws.com"),
                "IntegrationTest",
                statements,
            ),
        );
        let project = Project {
            name: Some(&n.integ_project),
            role: "IntegRole",
            spec: integ_spec(p, &test.script),
            privileged: false,
            compute: "BUILD_GENERAL1_SMALL",
            log_group: "BuildLogs",
            timeout_minutes: test.timeout_minutes,
            encryption_key: None,
            env: Vec::new(),
            description: format!("Integration test of the {} stage of pipeline {}", stage.name, p.name),
        };
        t.resource("IntegProject", "AWS::CodeBuild::Project", project.properties());
    }
    t
}

/// The resource types of some templates.
pub fn types<'a>(templates: impl IntoIterator<Item = &'a Template>) -> BTreeSet<String> {
    templates
        .into_iter()
        .flat_map(|t| t.resources.values())
        .filter_map(|r| r["Type"].as_str().map(str::to_string))
        .collect()
}

/// Adds a stage's deploy role and execution role to `t`: the pipeline stack (`local`) or
/// the stage account's stack. `types` are the resource types of the stage's stacks.
pub fn stage_roles(
    t: &mut Template,
    p: &CicdPipeline,
    stage: &Stage,
    types: &BTreeSet<String>,
    projects: bool,
    local: Option<&PipelineIds>,
) -> Result<(), Vec<String>> {
    let n = StageNames::of(p, &stage.name);
    let (deploy_id, exec_id) = role_ids(p, stage, local.is_some());
    let artifacts = match local {
        Some(ids) => Artifacts::local(ids),
        None => Artifacts::of_account(p, "${PipelineAccountId}"),
    };
    t.resource(
        &deploy_id,
        "AWS::IAM::Role",
        role(
            Some(&n.deploy_role),
            pipeline_trust(p, local),
            "DeployStage",
            deploy_statements(&stage.name, &n, &artifacts, projects),
        ),
    );
    let statements = exec_policy::statements(types, &[format!("{}-", stage.name)])?;
    t.resource(
        &exec_id,
        "AWS::IAM::Role",
        role(
            Some(&n.exec_role),
            service_trust("cloudformation.amazonaws.com"),
            "DeployStageResources",
            statements,
        ),
    );
    explain_exec_role(t, &exec_id);
    Ok(())
}

/// Logical IDs of a stage's two roles.
pub fn role_ids(p: &CicdPipeline, stage: &Stage, local: bool) -> (String, String) {
    let id = StageNames::of(p, &stage.name).id;
    if local {
        (p.id(&format!("{id}DeployRole")), p.id(&format!("{id}ExecRole")))
    } else {
        (format!("{id}DeployRole"), format!("{id}ExecRole"))
    }
}

/// The stack of another account's roles, for its stages.
pub fn target_stack(name: &str) -> Template {
    let mut t = Template::new(name);
    t.kinds.insert("SparkEmrCICDPipeline target account");
    account_parameter(&mut t);
    t.outputs.insert(
        "Account".into(),
        json!({ "Description": "The account these roles are in", "Value": r#ref("AWS::AccountId") }),
    );
    t
}
