//! The pipeline's stages and actions, in order:
//! `Source` → `Build` (unit tests, synthesis) → `UpdatePipeline` (its own stack, then a stop
//! when the definition changed) → one stage per environment: approval, the stage's support
//! stack, the app's stacks in dependency order (change set replaced, then executed), asset
//! publishing, the integration test.
//!
//! The integration test's environment comes from the deployed stacks' outputs through the
//! execute actions' output variables (`#{<namespace>.<Output>}`: "for CloudFormation
//! actions, variables are any values designated in the Outputs section of a stack
//! template", <https://docs.aws.amazon.com/codepipeline/latest/userguide/reference-variables.html>).

use super::model::{CicdPipeline, EnvValue, Source, Stage};
use super::names::{action_name, PipelineIds, StageNames, BUILD_ARTIFACT, CHANGE_SET, SOURCE_ARTIFACT};
use crate::constructs::index::{attribute_of, Index};
use crate::constructs::StageApp;
use crate::synth::{att, r#ref, sub, Template};
use serde_json::{json, Value as Json};
use sparkform_assembly::KubeGroup;
use std::collections::BTreeMap;

fn type_id(category: &str, provider: &str) -> Json {
    json!({ "Category": category, "Owner": "AWS", "Provider": provider, "Version": "1" })
}

fn artifacts(names: &[&str]) -> Json {
    Json::Array(names.iter().map(|n| json!({ "Name": n })).collect())
}

/// Who performs a stage's CloudFormation actions.
pub struct Roles {
    /// The action's role (a deploy role), or `None` for the pipeline role itself.
    pub action: Option<Json>,
    /// CloudFormation's execution role.
    pub exec: Json,
}

/// Replace a change set, then execute it (the namespace exposes the stack's outputs).
pub fn change_set(stack: &str, label: &str, roles: &Roles, run: u32, parameters: Option<Json>) -> [Json; 2] {
    let mut prepare = json!({
        "Name": action_name(&format!("Prepare-{label}")),
        "ActionTypeId": type_id("Deploy", "CloudFormation"),
        "Configuration": {
            "ActionMode": "CHANGE_SET_REPLACE",
            "StackName": stack,
            "ChangeSetName": CHANGE_SET,
            "TemplatePath": format!("{BUILD_ARTIFACT}::{stack}.template.json"),
            "Capabilities": "CAPABILITY_IAM,CAPABILITY_NAMED_IAM,CAPABILITY_AUTO_EXPAND",
            "RoleArn": roles.exec,
        },
        "InputArtifacts": artifacts(&[BUILD_ARTIFACT]),
        "RunOrder": run,
    });
    if let Some(p) = parameters {
        prepare["Configuration"]["ParameterOverrides"] = p;
    }
    let mut execute = json!({
        "Name": action_name(&format!("Deploy-{label}")),
        "ActionTypeId": type_id("Deploy", "CloudFormation"),
        "Configuration": { "ActionMode": "CHANGE_SET_EXECUTE", "StackName": stack, "ChangeSetName": CHANGE_SET },
        "Namespace": namespace(stack),
        "RunOrder": run + 1,
    });
    if let Some(r) = &roles.action {
        prepare["RoleArn"] = r.clone();
        execute["RoleArn"] = r.clone();
    }
    [prepare, execute]
}

/// The variable namespace of a stack's execute action.
pub fn namespace(stack: &str) -> String {
    action_name(stack)
}

pub fn codebuild(name: &str, category: &str, project: Json, inputs: &[&str], run: u32) -> Json {
    let mut a = json!({
        "Name": name,
        "ActionTypeId": type_id(category, "CodeBuild"),
        "Configuration": { "ProjectName": project },
        "InputArtifacts": artifacts(inputs),
        "RunOrder": run,
    });
    if inputs.len() > 1 {
        a["Configuration"]["PrimarySource"] = json!(inputs[0]);
    }
    a
}

/// CodeBuild's `EnvironmentVariables` configuration: a JSON string.
fn env_config(vars: &[(String, String)]) -> Json {
    let list: Vec<Json> = vars
        .iter()
        .map(|(k, v)| json!({ "name": k, "value": v, "type": "PLAINTEXT" }))
        .collect();
    json!(serde_json::to_string(&list).expect("JSON values always serialize"))
}

pub fn source_stage(p: &CicdPipeline, ids: &PipelineIds) -> Json {
    let action = match &p.source {
        Source::Connection {
            repository,
            branch,
            connection_arn,
            ..
        } => {
            let arn = match connection_arn {
                Some(a) => json!(a),
                None => att(&ids.connection, "ConnectionArn"),
            };
            json!({
                "Name": "Source",
                "ActionTypeId": type_id("Source", "CodeStarSourceConnection"),
                "Configuration": { "ConnectionArn": arn, "FullRepositoryId": repository, "BranchName": branch, "OutputArtifactFormat": "CODE_ZIP" },
                "OutputArtifacts": artifacts(&[SOURCE_ARTIFACT]),
                "Namespace": "SourceVariables",
                "RunOrder": 1,
            })
        }
        Source::CodeCommit { repository, branch } => json!({
            "Name": "Source",
            "ActionTypeId": type_id("Source", "CodeCommit"),
            // EventBridge starts the pipeline (the stack's rule), not polling.
            "Configuration": { "RepositoryName": repository, "BranchName": branch, "PollForSourceChanges": false },
            "OutputArtifacts": artifacts(&[SOURCE_ARTIFACT]),
            "Namespace": "SourceVariables",
            "RunOrder": 1,
        }),
    };
    json!({ "Name": "Source", "Actions": [action] })
}

pub fn build_stage(ids: &PipelineIds) -> Json {
    let mut a = codebuild(
        "UnitTestsAndSynth",
        "Build",
        r#ref(&ids.build_project),
        &[SOURCE_ARTIFACT],
        1,
    );
    a["OutputArtifacts"] = artifacts(&[BUILD_ARTIFACT]);
    json!({ "Name": "Build", "Actions": [a] })
}

/// The pipeline deploys its own stack first, and stops this execution when that changed its
/// definition (the update started one on the new definition).
pub fn update_stage(p: &CicdPipeline, ids: &PipelineIds) -> Json {
    let roles = Roles {
        action: None,
        exec: att(&ids.update_role, "Arn"),
    };
    let [prepare, execute] = change_set(&p.handle.stack, "Pipeline", &roles, 1, None);
    let mut check = codebuild(
        "ContinueOnNewDefinition",
        "Build",
        r#ref(&ids.check_project),
        &[SOURCE_ARTIFACT],
        3,
    );
    check["Configuration"]["EnvironmentVariables"] =
        env_config(&[("EXECUTION_ID".into(), "#{codepipeline.PipelineExecutionId}".into())]);
    json!({ "Name": "UpdatePipeline", "Actions": [prepare, execute, check] })
}

/// One step of a stage: a stack's change set, or a group's Kubernetes step.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Node<'a> {
    Stack(&'a str),
    Kube(&'a KubeGroup),
}

/// The stage's steps by level: each after what it needs (a stack after the stacks it
/// imports from and the Kubernetes objects it waits for; objects after their cluster).
pub fn stage_levels<'a>(stacks: &'a BTreeMap<String, Template>, groups: &'a [KubeGroup]) -> Vec<Vec<Node<'a>>> {
    let needs = |n: &Node| -> Vec<Node<'a>> {
        match n {
            Node::Stack(name) => {
                let t = &stacks[*name];
                let mut v: Vec<Node> = t
                    .depends_on
                    .iter()
                    .filter(|d| stacks.contains_key(*d))
                    .map(|d| Node::Stack(d.as_str()))
                    .collect();
                v.extend(
                    groups
                        .iter()
                        .filter(|g| g.before_stacks.iter().any(|b| b == name))
                        .map(Node::Kube),
                );
                v
            }
            Node::Kube(g) => stacks
                .get_key_value(&g.after_stack)
                .map(|(k, _)| Node::Stack(k.as_str()))
                .into_iter()
                .collect(),
        }
    };
    let mut pending: Vec<Node> = stacks.keys().map(|s| Node::Stack(s.as_str())).collect();
    pending.extend(groups.iter().map(Node::Kube));
    let mut placed: Vec<Node> = Vec::new();
    let mut out = Vec::new();
    while !pending.is_empty() {
        let (level, rest): (Vec<Node>, Vec<Node>) = pending
            .iter()
            .partition(|n| needs(n).iter().all(|d| placed.contains(d)));
        if level.is_empty() {
            // A cycle cannot come from exports; place the rest rather than loop.
            out.push(rest);
            break;
        }
        placed.extend(level.iter().copied());
        out.push(level);
        pending = rest;
    }
    out
}

/// The integration test's variables in a stage: literals, and `#{ns.Output}` of the stack
/// that holds each attribute.
pub fn integ_env(stage: &str, env: &[(String, EnvValue)], index: &Index) -> Vec<(String, String)> {
    env.iter()
        .filter_map(|(k, v)| match v {
            EnvValue::Literal(s) => Some((k.clone(), s.clone())),
            EnvValue::Attribute(path) => {
                let c = index.construct(path)?;
                let a = attribute_of(c, path).ok()?;
                let stack = crate::stages::stage_stack(stage, &c.handle().stack);
                Some((k.clone(), format!("#{{{}.{}}}", namespace(&stack), a.output)))
            }
        })
        .collect()
}

/// One environment's stage.
pub fn deploy_stage(
    p: &CicdPipeline,
    stage: &Stage,
    app: &StageApp,
    roles: &Roles,
    support: bool,
    index: &Index,
) -> Json {
    let n = StageNames::of(p, &stage.name);
    let mut actions = Vec::new();
    let mut run = 1;
    if stage.approval {
        actions.push(json!({
            "Name": "Approve",
            "ActionTypeId": type_id("Approval", "Manual"),
            "Configuration": { "CustomData": format!("Deploy the {} stage of {}?", stage.name, p.name) },
            "RunOrder": run,
        }));
        run += 1;
    }
    if support {
        let params = sub(&format!(
            "{{\"{}\": \"${{AWS::AccountId}}\"}}",
            super::names::PIPELINE_ACCOUNT_PARAMETER
        ));
        actions.extend(change_set(&n.support_stack, "Support", roles, run, Some(params)));
        run += 2;
    }
    let action_role = |mut a: Json| {
        if let Some(r) = &roles.action {
            a["RoleArn"] = r.clone();
        }
        a
    };
    for level in stage_levels(&app.stacks, &app.parts.kubernetes) {
        let mut width = 2;
        for node in level {
            let (stack, parameters) = match node {
                Node::Stack(stack) => (stack.to_string(), None),
                Node::Kube(g) => (super::kube::stack_name(g), Some(super::kube::parameter_overrides(g))),
            };
            let label = stack.strip_prefix(&format!("{}-", stage.name)).unwrap_or(&stack);
            let [prepare, execute] = change_set(&stack, label, roles, run, parameters);
            actions.push(prepare);
            actions.push(execute);
            if let Node::Kube(g) = node {
                // The objects, applied by the project the stack holds, once it exists.
                actions.push(action_role(codebuild(
                    &action_name(&format!("Kubernetes-{}", g.id)),
                    "Build",
                    json!(stack),
                    &[BUILD_ARTIFACT],
                    run + 2,
                )));
                width = 3;
            }
        }
        run += width;
    }
    if !app.parts.assets.is_empty() {
        actions.push(action_role(codebuild(
            "PublishAssets",
            "Build",
            json!(n.assets_project),
            &[BUILD_ARTIFACT, SOURCE_ARTIFACT],
            run,
        )));
        run += 1;
    }
    if let Some(test) = &stage.integ_test {
        let mut a = codebuild(
            "IntegrationTest",
            "Test",
            json!(n.integ_project),
            &[SOURCE_ARTIFACT],
            run,
        );
        let env = integ_env(&stage.name, &test.env, index);
        if !env.is_empty() {
            a["Configuration"]["EnvironmentVariables"] = env_config(&env);
        }
        actions.push(action_role(a));
    }
    json!({ "Name": stage.name, "Actions": actions })
}
