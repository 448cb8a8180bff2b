//! The pipeline stack: the artifact bucket (KMS key with rotation, TLS only, public access
//! blocked, access logs, retained), the build log group (retained, with a retention), the
//! connection unless one is named, the roles, the build and check projects, and a V2
//! pipeline in QUEUED mode with a push trigger filtered by branch (and file paths). Stages of
//! the pipeline's account get their roles here; other accounts' roles go to one stack per
//! account, and each stage's CodeBuild projects to its support stack.

use super::actions::{build_stage, deploy_stage, source_stage, update_stage, Roles};
use super::buildspec::{build_spec, check_spec};
use super::exec_policy;
use super::iam::{logs, role, service_trust, Artifacts, CHANGE_SET_ACTIONS};
use super::model::{emr_image, CicdPipeline, Source, SparkImage};
use super::names::{role_arn, target_stack, PipelineIds, StageNames};
use super::support::{log_group, needs_support, role_ids, stage_roles, support_stack, types, Project};
use crate::checks::release::DEFAULT_RELEASE;
use crate::constructs::serverless_runtime::ServerlessRuntime;
use crate::constructs::{Index, StageApp};
use crate::synth::bucket::{access_logs_bucket, bucket_objects, secure_bucket};
use crate::synth::iam::statement;
use crate::synth::{att, r#ref, sub, tags, Linker, Template};
use serde_json::{json, Value as Json};
use std::collections::{BTreeMap, BTreeSet};

/// The image the unit tests run in: declared, or EMR's image of the app's runtime release.
pub fn spark_image(p: &CicdPipeline, index: &Index) -> String {
    match &p.spark_image {
        SparkImage::Release(r) => emr_image(r),
        SparkImage::Uri(u) => u.clone(),
        SparkImage::OfRuntime => emr_image(runtime_releases(index).first().map_or(DEFAULT_RELEASE, String::as_str)),
    }
}

/// The distinct EMR releases of the app's runtimes.
pub fn runtime_releases(index: &Index) -> Vec<String> {
    let set: BTreeSet<String> = index
        .all::<ServerlessRuntime>()
        .map(|r| r.release_label.clone())
        .collect();
    set.into_iter().collect()
}

/// The stage's stacks as synthesized for it.
pub fn stage_app<'a>(index: &Index<'a>, stage: &str) -> Option<&'a StageApp> {
    index.staged()?.stages.iter().find(|s| s.name == stage)
}

/// `arn:...:codepipeline:<region>:<account>:<name>`
pub fn pipeline_arn(p: &CicdPipeline) -> Json {
    sub(&format!(
        "arn:${{AWS::Partition}}:codepipeline:${{AWS::Region}}:${{AWS::AccountId}}:{}",
        p.name
    ))
}

/// Every account a stage names, with its stages.
pub fn target_accounts(p: &CicdPipeline) -> BTreeMap<&str, Vec<&super::model::Stage>> {
    let mut m: BTreeMap<&str, Vec<_>> = BTreeMap::new();
    for s in &p.stages {
        if let Some(a) = &s.account {
            m.entry(a.as_str()).or_default().push(s);
        }
    }
    m
}

pub fn synth(p: &CicdPipeline, index: &Index, link: &mut Linker) {
    let ids = p.ids();
    let mut t = Template::new(&p.handle.stack);
    t.kinds.insert("SparkEmrCICDPipeline");
    let mut targets: BTreeMap<String, Template> = BTreeMap::new();
    let mut stage_json = Vec::new();
    let mut deploy_roles = Vec::new();
    for stage in &p.stages {
        let empty = StageApp::default();
        let app = stage_app(index, &stage.name).unwrap_or(&empty);
        let support = needs_support(stage, !app.parts.assets.is_empty());
        let support_t = support.then(|| support_stack(p, stage, !app.parts.assets.is_empty()));
        let kube_t = super::kube::kube_stacks(p, stage, app);
        let stage_types = types(app.stacks.values().chain(support_t.iter()).chain(kube_t.iter()));
        let n = StageNames::of(p, &stage.name);
        let (deploy_id, exec_id) = role_ids(p, stage, stage.account.is_none());
        // Unknown resource types are reported by check_app, before synthesis.
        let roles = match &stage.account {
            None => {
                let _ = stage_roles(&mut t, p, stage, &stage_types, support, Some(&ids));
                Roles {
                    action: Some(att(&deploy_id, "Arn")),
                    exec: att(&exec_id, "Arn"),
                }
            }
            Some(account) => {
                let name = target_stack(p, account);
                let target = targets
                    .entry(name.clone())
                    .or_insert_with(|| super::support::target_stack(&name));
                let _ = stage_roles(target, p, stage, &stage_types, support, None);
                Roles {
                    action: Some(sub(&role_arn(account, &n.deploy_role))),
                    exec: sub(&role_arn(account, &n.exec_role)),
                }
            }
        };
        // By name, not GetAtt: the local deploy role's trust names the pipeline role, and a
        // reference back would be a dependency cycle.
        let account = stage.account.as_deref().unwrap_or("${AWS::AccountId}");
        deploy_roles.push(sub(&role_arn(account, &n.deploy_role)));
        stage_json.push(deploy_stage(p, stage, app, &roles, support, index));
        let mut names: Vec<&str> = app.stacks.keys().map(String::as_str).collect();
        names.extend(kube_t.iter().map(|t| t.stack.as_str()));
        if let Some(s) = &support_t {
            names.insert(0, &s.stack);
        }
        t.output(
            &p.id(&format!("{}Stacks", n.id)),
            json!(names.join(",")),
            &format!("The stacks the pipeline deploys in stage {}", stage.name),
        );
        for s in support_t.into_iter().chain(kube_t) {
            link.detached.insert(s.stack.clone(), s);
        }
    }
    artifact_store(p, &ids, &mut t);
    log_group(&mut t, p, &ids.logs);
    source(p, &ids, &mut t);
    let artifacts = Artifacts::local(&ids);
    pipeline_role(p, &ids, &artifacts, &deploy_roles, &mut t);
    projects(p, index, &ids, &artifacts, &mut t);
    let mut stages = vec![source_stage(p, &ids), build_stage(&ids), update_stage(p, &ids)];
    stages.extend(stage_json);
    let mut props = json!({
        "Name": p.name,
        "RoleArn": att(&ids.role, "Arn"),
        "PipelineType": "V2",
        "ExecutionMode": "QUEUED",
        "RestartExecutionOnUpdate": true,
        "ArtifactStore": { "Type": "S3", "Location": r#ref(&ids.bucket), "EncryptionKey": { "Type": "KMS", "Id": att(&ids.key, "Arn") } },
        "Stages": stages,
    });
    if let Source::Connection { branch, file_paths, .. } = &p.source {
        let mut push = json!({ "Branches": { "Includes": [branch] } });
        if !file_paths.is_empty() {
            push["FilePaths"] = json!({ "Includes": file_paths });
        }
        props["Triggers"] = json!([{
            "ProviderType": "CodeStarSourceConnection",
            "GitConfiguration": { "SourceActionName": "Source", "Push": [push] },
        }]);
    }
    if !p.tags.is_empty() {
        props["Tags"] = tags(&p.tags);
    }
    t.resource(&ids.pipeline, "AWS::CodePipeline::Pipeline", props);
    outputs(p, &ids, &mut t);
    update_role(p, &ids, &mut t);
    if let Some(region) = p.stages.iter().find_map(|s| s.region.as_deref()) {
        for stack in std::iter::once(&mut t).chain(targets.values_mut()) {
            region_rule(stack, region);
        }
    }
    link.stacks.insert(t.stack.clone(), t);
    link.detached.extend(targets);
}

/// The stages deploy in one Region, the pipeline's: its stack (and the target accounts'
/// role stacks) refuse another Region before creating anything. A Rule may compare the
/// pseudo parameter `AWS::Region`.
fn region_rule(t: &mut Template, region: &str) {
    t.rules.insert(
        "StagesRegion".into(),
        json!({ "Assertions": [{
            "Assert": { "Fn::Equals": [r#ref("AWS::Region"), region] },
            "AssertDescription": format!("The pipeline's stages deploy in {region}: deploy this stack in {region}"),
        }] }),
    );
}

/// The KMS key (rotation on), the access-logs bucket and the artifact bucket, whose key and
/// bucket policies let the other accounts' stage roles read (only those roles: the policies
/// name the accounts' roots restricted to the roles' ARNs, which need not exist yet).
fn artifact_store(p: &CicdPipeline, ids: &PipelineIds, t: &mut Template) {
    let readers: Vec<(String, Vec<Json>)> = target_accounts(p)
        .into_iter()
        .map(|(account, stages)| {
            let mut roles = Vec::new();
            for s in stages {
                let n = StageNames::of(p, &s.name);
                roles.push(sub(&role_arn(account, &n.deploy_role)));
                roles.push(sub(&role_arn(account, &n.assets_role)));
                if s.integ_test.is_some() {
                    roles.push(sub(&role_arn(account, &n.integ_role)));
                }
            }
            (account.to_string(), roles)
        })
        .collect();
    let root = |account: &str| sub(&format!("arn:${{AWS::Partition}}:iam::{account}:root"));
    let mut key_statements = vec![json!({
        "Sid": "AccountAdministersTheKey",
        "Effect": "Allow",
        "Principal": { "AWS": root("${AWS::AccountId}") },
        "Action": "kms:*",
        "Resource": "*",
    })];
    let mut bucket_statements = Vec::new();
    for (account, roles) in &readers {
        key_statements.push(json!({
            "Sid": format!("StagesOf{account}Read"),
            "Effect": "Allow",
            "Principal": { "AWS": root(account) },
            "Action": ["kms:Decrypt", "kms:DescribeKey"],
            "Resource": "*",
            "Condition": { "ArnEquals": { "aws:PrincipalArn": roles } },
        }));
        bucket_statements.push(json!({
            "Sid": format!("StagesOf{account}Read"),
            "Effect": "Allow",
            "Principal": { "AWS": root(account) },
            "Action": ["s3:GetObject", "s3:GetObjectVersion"],
            "Resource": bucket_objects(&ids.bucket),
            "Condition": { "ArnEquals": { "aws:PrincipalArn": roles } },
        }));
    }
    t.data_resource(
        &ids.key,
        "AWS::KMS::Key",
        json!({
            "Description": format!("Encrypts the artifacts of pipeline {}", p.name),
            "EnableKeyRotation": true,
            "KeyPolicy": { "Version": "2012-10-17", "Statement": key_statements },
        }),
        p.removal,
    );
    access_logs_bucket(t, &ids.access_logs, &ids.bucket, "the artifacts bucket", p.removal);
    secure_bucket(t, &ids.bucket, None, p.removal);
    if let Some(b) = t.resources.get_mut(&ids.bucket) {
        let props = &mut b["Properties"];
        props["BucketName"] = sub(&p.bucket_name("${AWS::AccountId}"));
        props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]
            ["KMSMasterKeyID"] = att(&ids.key, "Arn");
        props["LoggingConfiguration"] =
            json!({ "DestinationBucketName": r#ref(&ids.access_logs), "LogFilePrefix": "access-logs/" });
        props["VersioningConfiguration"] = json!({ "Status": "Enabled" });
    }
    if let Some(policy) = t.resources.get_mut(&format!("{}Policy", ids.bucket)) {
        if let Some(list) = policy["Properties"]["PolicyDocument"]["Statement"].as_array_mut() {
            list.extend(bucket_statements);
        }
    }
}

/// The connection (unless one is named), or CodeCommit's EventBridge rule.
fn source(p: &CicdPipeline, ids: &PipelineIds, t: &mut Template) {
    match &p.source {
        Source::Connection {
            connection_arn: None,
            provider,
            ..
        } => {
            let mut props = json!({ "ConnectionName": p.name, "ProviderType": provider });
            if !p.tags.is_empty() {
                props["Tags"] = tags(&p.tags);
            }
            t.resource(&ids.connection, "AWS::CodeConnections::Connection", props);
        }
        Source::Connection { .. } => {}
        Source::CodeCommit { repository, branch } => {
            let start = statement(
                true,
                &["codepipeline:StartPipelineExecution"],
                vec![pipeline_arn(p)],
                None,
            );
            t.resource(
                &ids.source_rule_role,
                "AWS::IAM::Role",
                role(
                    None,
                    service_trust("events.amazonaws.com"),
                    "StartPipeline",
                    vec![start],
                ),
            );
            t.resource(
                &ids.source_rule,
                "AWS::Events::Rule",
                json!({
                    "Description": format!("Starts pipeline {} on pushes to {branch}", p.name),
                    "EventPattern": {
                        "source": ["aws.codecommit"],
                        "detail-type": ["CodeCommit Repository State Change"],
                        "resources": [sub(&format!("arn:${{AWS::Partition}}:codecommit:${{AWS::Region}}:${{AWS::AccountId}}:{repository}"))],
                        "detail": { "event": ["referenceCreated", "referenceUpdated"], "referenceType": ["branch"], "referenceName": [branch] },
                    },
                    "Targets": [{ "Arn": pipeline_arn(p), "Id": "Pipeline", "RoleArn": att(&ids.source_rule_role, "Arn") }],
                }),
            );
        }
    }
}

/// The role CodePipeline runs as: artifacts, the source, its projects, its own stack's
/// change sets, and the stages' deploy roles.
fn pipeline_role(p: &CicdPipeline, ids: &PipelineIds, artifacts: &Artifacts, deploy_roles: &[Json], t: &mut Template) {
    let mut s = artifacts.read_write();
    match &p.source {
        Source::Connection { connection_arn, .. } => {
            let (arn, prefix) = match connection_arn {
                Some(a) if a.contains(":codestar-connections:") => (json!(a), "codestar-connections"),
                Some(a) => (json!(a), "codeconnections"),
                None => (att(&ids.connection, "ConnectionArn"), "codeconnections"),
            };
            s.push(statement(true, &[&format!("{prefix}:UseConnection")], vec![arn], None));
        }
        Source::CodeCommit { repository, .. } => s.push(statement(
            true,
            &[
                "codecommit:GetBranch",
                "codecommit:GetCommit",
                "codecommit:GetRepository",
                "codecommit:UploadArchive",
                "codecommit:GetUploadArchiveStatus",
                "codecommit:CancelUploadArchive",
            ],
            vec![sub(&format!(
                "arn:${{AWS::Partition}}:codecommit:${{AWS::Region}}:${{AWS::AccountId}}:{repository}"
            ))],
            None,
        )),
    }
    s.push(statement(
        true,
        &[
            "codebuild:StartBuild",
            "codebuild:BatchGetBuilds",
            "codebuild:StopBuild",
        ],
        vec![att(&ids.build_project, "Arn"), att(&ids.check_project, "Arn")],
        None,
    ));
    let own_stack = sub(&format!(
        "arn:${{AWS::Partition}}:cloudformation:${{AWS::Region}}:${{AWS::AccountId}}:stack/{}/*",
        p.handle.stack
    ));
    s.push(statement(true, CHANGE_SET_ACTIONS, vec![own_stack], None));
    s.push(super::iam::pass_to_cloudformation(att(&ids.update_role, "Arn")));
    if !deploy_roles.is_empty() {
        s.push(statement(true, &["sts:AssumeRole"], deploy_roles.to_vec(), None));
    }
    t.resource(
        &ids.role,
        "AWS::IAM::Role",
        role(
            Some(&p.pipeline_role_name()),
            service_trust("codepipeline.amazonaws.com"),
            "RunPipeline",
            s,
        ),
    );
}

/// The build project (privileged: the unit tests run in Docker) and the check project.
fn projects(p: &CicdPipeline, index: &Index, ids: &PipelineIds, artifacts: &Artifacts, t: &mut Template) {
    let mut build = vec![logs(&ids.logs)];
    build.extend(artifacts.read_write());
    t.resource(
        &ids.build_role,
        "AWS::IAM::Role",
        role(None, service_trust("codebuild.amazonaws.com"), "BuildApp", build),
    );
    let project = Project {
        name: None,
        role: &ids.build_role,
        spec: build_spec(p, &p.crate_name),
        privileged: true,
        compute: p.build_compute,
        log_group: &ids.logs,
        timeout_minutes: 60,
        encryption_key: Some(att(&ids.key, "Arn")),
        env: vec![("SPARK_IMAGE", json!(spark_image(p, index)))],
        description: format!("Unit tests and synthesis of pipeline {}", p.name),
    };
    t.resource(&ids.build_project, "AWS::CodeBuild::Project", project.properties());
    let mut check = vec![logs(&ids.logs)];
    check.extend(artifacts.read());
    check.push(statement(
        true,
        &[
            "codepipeline:GetPipeline",
            "codepipeline:GetPipelineExecution",
            "codepipeline:StopPipelineExecution",
        ],
        vec![pipeline_arn(p)],
        None,
    ));
    t.resource(
        &ids.check_role,
        "AWS::IAM::Role",
        role(None, service_trust("codebuild.amazonaws.com"), "CheckDefinition", check),
    );
    let project = Project {
        name: None,
        role: &ids.check_role,
        spec: check_spec(),
        privileged: false,
        compute: "BUILD_GENERAL1_SMALL",
        log_group: &ids.logs,
        timeout_minutes: 10,
        encryption_key: Some(att(&ids.key, "Arn")),
        env: vec![("PIPELINE_NAME", json!(p.name))],
        description: format!(
            "Stops an execution of pipeline {} that the pipeline's own update superseded",
            p.name
        ),
    };
    t.resource(&ids.check_project, "AWS::CodeBuild::Project", project.properties());
}

fn outputs(p: &CicdPipeline, ids: &PipelineIds, t: &mut Template) {
    t.output(&ids.out_name, r#ref(&ids.pipeline), "The pipeline's name");
    t.output(&ids.out_arn, pipeline_arn(p), "The pipeline's ARN");
    if let Source::Connection { connection_arn, .. } = &p.source {
        match connection_arn {
            Some(a) => t.output(&ids.out_connection, json!(a), "The connection the pipeline uses"),
            None => {
                t.output(
                    &ids.out_connection,
                    att(&ids.connection, "ConnectionArn"),
                    "The connection the stack created",
                );
                t.output(
                    &ids.out_connection_status,
                    sub(&format!(
                        "PENDING until you complete it: open https://${{AWS::Region}}.console.aws.amazon.com/codesuite/settings/connections?region=${{AWS::Region}}, choose {} and 'Update pending connection'. The pipeline cannot read the repository before.",
                        p.name
                    )),
                    "What the created connection needs",
                );
            }
        }
    }
}

/// CloudFormation's role for the pipeline's own stack, from the types the stack holds;
/// it may manage the roles named after the stack, the pipeline and its local stages.
fn update_role(p: &CicdPipeline, ids: &PipelineIds, t: &mut Template) {
    let mut prefixes = vec![format!("{}-", p.handle.stack), format!("{}-", p.name)];
    for s in p.stages.iter().filter(|s| s.account.is_none()) {
        prefixes.push(format!("{}-{}-", s.name, p.name));
    }
    let mut types = types([&*t]);
    types.insert("AWS::IAM::Role".into());
    let statements = exec_policy::statements(&types, &prefixes).unwrap_or_default();
    t.resource(
        &ids.update_role,
        "AWS::IAM::Role",
        role(
            None,
            service_trust("cloudformation.amazonaws.com"),
            "UpdatePipelineStack",
            statements,
        ),
    );
    super::support::explain_exec_role(t, &ids.update_role);
}
