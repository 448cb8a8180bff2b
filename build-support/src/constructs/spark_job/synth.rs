//! `spark_job!` -> a Step Functions state machine that starts the Spark job and waits for it
//! (`definition.rs`), its role (`iam.rs`), log group and its key, optional S3 log bucket
//! and schedule, and the grants the execution role needs for the logs and the job's package.

use super::definition::definition;
use super::iam::{execution_role_grants, state_machine_statements};
use super::model::{ExecutionRole, S3Logs, SparkJob, Target};
use super::request::request;
use super::service::JobService;
use crate::constructs::attributes::import;
use crate::constructs::execution_role::SharedRole;
use crate::constructs::pyspark_package::PySparkPackage;
use crate::constructs::serverless_runtime::ServerlessRuntime;
use crate::constructs::Construct;
use crate::constructs::{Attribute, Index};
use crate::synth::bucket::secure_bucket;
use crate::synth::iam::{document, statement, trust};
use crate::synth::logs::{encrypted_log_group, unique_name};
use crate::synth::{att, r#ref, tags, Linker};
use serde_json::{json, Map, Value as Json};
use sparkform_assembly::assets::ARTIFACTS_PREFIX;
use sparkform_assembly::Placeholder;

/// Logical IDs and outputs of a job; the macro's handle carries the output names.
pub struct JobIds {
    pub state_machine: String,
    pub role: String,
    pub log_group: String,
    pub log_key: String,
    pub log_bucket: String,
    pub schedule: String,
    pub schedule_role: String,
    pub grants: String,
    pub out_state_machine_arn: String,
    pub out_log_bucket: String,
}

pub fn ids(j: &SparkJob) -> JobIds {
    let h = &j.handle;
    JobIds {
        state_machine: h.id("StateMachine"),
        role: h.id("StateMachineRole"),
        log_group: h.id("StateMachineLogs"),
        log_key: h.id("StateMachineLogsKey"),
        log_bucket: h.id("LogBucket"),
        schedule: h.id("Schedule"),
        schedule_role: h.id("ScheduleRole"),
        grants: h.id("ExecutionRoleGrants"),
        out_state_machine_arn: h.id("StateMachineArn"),
        out_log_bucket: h.id("LogBucketName"),
    }
}

/// The job's attributes (DSF's `stateMachine`, `stateMachineLogGroup`, and its log bucket).
pub fn attributes(j: &SparkJob) -> Vec<Attribute> {
    let ids = ids(j);
    let name = &j.name;
    let mut out = vec![
        Attribute::new(
            "state_machine_arn",
            &ids.out_state_machine_arn,
            r#ref(&ids.state_machine),
            format!("State machine that runs job {name}"),
        ),
        Attribute::new(
            "state_machine_name",
            j.handle.id("StateMachineName"),
            att(&ids.state_machine, "Name"),
            format!("Name of the state machine that runs job {name}"),
        ),
        Attribute::new(
            "state_machine_log_group_name",
            j.handle.id("StateMachineLogGroupName"),
            r#ref(&ids.log_group),
            format!("Log group of the state machine that runs job {name}"),
        ),
        Attribute::new(
            "state_machine_log_group_arn",
            j.handle.id("StateMachineLogGroupArn"),
            att(&ids.log_group, "Arn"),
            format!("ARN of the log group of the state machine that runs job {name}"),
        ),
    ];
    if matches!(j.s3_logs, S3Logs::Created { .. }) {
        out.push(Attribute::new(
            "log_bucket_name",
            &ids.out_log_bucket,
            r#ref(&ids.log_bucket),
            format!("S3 bucket with the logs of job {name}"),
        ));
    }
    out
}

/// What the job runs on and as, as template values in the job's stack.
pub struct Targets {
    /// Application id or virtual cluster id.
    pub target_id: Json,
    /// ARN of the application or virtual cluster.
    pub target_arn: Json,
    pub role_arn: Json,
    /// Role name to attach the grants to.
    pub role_name: Json,
}

/// The runtime a job's path names (the index checked it before synthesis).
pub fn runtime_of<'a>(index: &Index<'a>, p: &crate::value::PathValue) -> Option<&'a ServerlessRuntime> {
    index.get::<ServerlessRuntime>(p)
}

/// The construct whose role a job's `execution_role` handle names, with that role's ARN
/// and name attributes: the runtime's own role, the runtime's shared role, or an
/// `execution_role!`. `None` when the handle has no role.
pub fn role_source<'a>(
    index: &Index<'a>,
    p: &crate::value::PathValue,
) -> Option<(&'a dyn Construct, &'static str, &'static str)> {
    if let Some(r) = index.get::<ServerlessRuntime>(p) {
        if r.execution_role.is_some() {
            return Some((index.construct(p)?, "execution_role_arn", "execution_role_name"));
        }
        return index
            .construct(r.shared_role.as_ref()?)
            .map(|c| (c, "role_arn", "role_name"));
    }
    index.get::<SharedRole>(p)?;
    index.construct(p).map(|c| (c, "role_arn", "role_name"))
}

/// The package a job's entry point names, if it names one.
pub fn package_of<'a>(j: &SparkJob, index: &Index<'a>) -> Option<&'a PySparkPackage> {
    match &j.driver {
        super::model::Driver::Submit {
            entry_point: super::model::EntryPoint::Package(p),
            ..
        } => index.get::<PySparkPackage>(p),
        _ => None,
    }
}

fn targets(j: &SparkJob, index: &Index, link: &mut Linker) -> Option<Targets> {
    let stack = &j.handle.stack;
    if let Target::Eks { .. } = &j.target {
        let e = super::eks::target(j, index)?;
        let ids = crate::constructs::emr_eks_runtime::Ids::new(e.runtime);
        let vc = ids.virtual_cluster(&e.virtual_cluster.name);
        let vc_stack = crate::constructs::emr_eks_runtime::virtual_clusters::stack_of(e.runtime);
        let role = ids.execution_role(&e.role.name);
        return Some(Targets {
            target_id: link.value(stack, &vc_stack, &format!("{vc}Id"), att(&vc, "Id")),
            target_arn: link.value(stack, &vc_stack, &format!("{vc}Arn"), att(&vc, "Arn")),
            role_arn: link.value(stack, &e.runtime.handle.stack, &format!("{role}Arn"), att(&role, "Arn")),
            role_name: json!(e.role.name),
        });
    }
    let (target_id, target_arn) = match &j.target {
        Target::Runtime(p) => {
            let r = runtime_of(index, p)?;
            (
                import(r, "application_id", stack, link)?,
                import(r, "application_arn", stack, link)?,
            )
        }
        Target::ApplicationId(id) => (
            json!(id),
            json!({ "Fn::Sub": format!("arn:${{AWS::Partition}}:emr-serverless:${{AWS::Region}}:${{AWS::AccountId}}:/applications/{id}") }),
        ),
        Target::Eks { .. } => return None,
        Target::VirtualCluster(id) => (
            json!(id),
            json!({ "Fn::Sub": format!("arn:${{AWS::Partition}}:emr-containers:${{AWS::Region}}:${{AWS::AccountId}}:/virtualclusters/{id}") }),
        ),
    };
    let (role_arn, role_name) = match &j.execution_role {
        ExecutionRole::Arn { arn, name } => (json!(arn), json!(name)),
        ExecutionRole::Eks { .. } => return None,
        ExecutionRole::Handle(p) => {
            let (c, arn, name) = role_source(index, p)?;
            (import(c, arn, stack, link)?, import(c, name, stack, link)?)
        }
    };
    Some(Targets {
        target_id,
        target_arn,
        role_arn,
        role_name,
    })
}

pub fn synth(j: &SparkJob, index: &Index, link: &mut Linker) {
    let Some(res) = targets(j, index, link) else {
        return;
    };
    let ids = ids(j);
    let t = link.template(&j.handle.stack);
    t.kinds.insert(j.target.service().dsf_name());

    let mut vars = Map::new();
    vars.insert(Placeholder::TargetId.name().into(), res.target_id.clone());
    vars.insert(Placeholder::ExecutionRoleArn.name().into(), res.role_arn.clone());
    if let S3Logs::Created { encryption_key_arn, .. } = &j.s3_logs {
        secure_bucket(t, &ids.log_bucket, encryption_key_arn.as_deref(), j.removal);
        t.skip_check(
            &ids.log_bucket,
            "CKV_AWS_18",
            "This bucket is itself a log store (the job's Spark logs); access logs of it would need a second log bucket per job, and CloudTrail data events record its reads where an account wants them.",
        );
        vars.insert(Placeholder::LogBucket.name().into(), r#ref(&ids.log_bucket));
    }
    let pkg = package_of(j, index);
    let artifacts_bucket = pkg.and_then(|pkg| import(pkg, "artifacts_bucket_name", &j.handle.stack, link));
    if let Some(bucket) = &artifacts_bucket {
        vars.insert(Placeholder::ArtifactsBucket.name().into(), bucket.clone());
    }
    let eks = super::eks::target(j, index);
    if let Some(e) = eks.as_ref().filter(|e| e.runtime.has_template_bucket()) {
        let bucket = import(e.runtime, "pod_template_bucket_name", &j.handle.stack, link);
        if let Some(bucket) = bucket {
            vars.insert(Placeholder::PodTemplateBucket.name().into(), bucket);
        }
    }
    let t = link.template(&j.handle.stack);
    let body = serde_json::to_string(&definition(j, request(j, pkg, eks.as_ref()))).expect("definitions serialize");

    encrypted_log_group(
        t,
        &ids.log_group,
        &ids.log_key,
        unique_name("/aws/vendedlogs/states", &j.handle.prefix),
        j.log_retention_days,
        j.removal,
        &format!("Execution logs of the state machine of job {}", j.name),
    );

    t.resource(&ids.role, "AWS::IAM::Role", json!({
        "AssumeRolePolicyDocument": trust(&["states.amazonaws.com".to_string()], Some(json!({ "StringEquals": { "aws:SourceAccount": r#ref("AWS::AccountId") } }))),
        "Policies": [{ "PolicyName": "StartAndWatchJob", "PolicyDocument": document(state_machine_statements(j, &res)) }],
    }));

    let mut sm = json!({
        "RoleArn": att(&ids.role, "Arn"),
        "DefinitionString": { "Fn::Sub": [body, Json::Object(vars)] },
        "LoggingConfiguration": {
            "Level": "ALL",
            "IncludeExecutionData": true,
            "Destinations": [{ "CloudWatchLogsLogGroup": { "LogGroupArn": att(&ids.log_group, "Arn") } }],
        },
        "TracingConfiguration": { "Enabled": j.tracing },
    });
    if !j.tags.is_empty() {
        sm["Tags"] = tags(&j.tags);
    }
    t.resource(&ids.state_machine, "AWS::StepFunctions::StateMachine", sm);

    let mut grants = execution_role_grants(j, &ids);
    if let (Some(pkg), Some(bucket)) = (pkg, artifacts_bucket) {
        // The job reads its package's files, and nothing else of the artifacts bucket.
        grants.push(statement(
            true,
            &["s3:GetObject"],
            vec![json!({ "Fn::Sub": [format!("arn:${{AWS::Partition}}:s3:::${{Bucket}}/{ARTIFACTS_PREFIX}/{}/*", pkg.name), { "Bucket": bucket }] })],
            None,
        ));
    }
    if !grants.is_empty() {
        t.resource(
            &ids.grants,
            "AWS::IAM::Policy",
            json!({
                "PolicyName": ids.grants,
                "PolicyDocument": document(grants),
                "Roles": [res.role_name],
            }),
        );
    }
    if let Some(expr) = &j.schedule {
        t.resource(&ids.schedule_role, "AWS::IAM::Role", json!({
            "AssumeRolePolicyDocument": trust(&["events.amazonaws.com".to_string()], Some(json!({ "StringEquals": { "aws:SourceAccount": r#ref("AWS::AccountId") } }))),
            "Policies": [{ "PolicyName": "StartExecution", "PolicyDocument": document(vec![statement(true, &["states:StartExecution"], vec![r#ref(&ids.state_machine)], None)]) }],
        }));
        t.resource(&ids.schedule, "AWS::Events::Rule", json!({
            "Description": format!("Runs job {} on {expr}", j.name),
            "ScheduleExpression": expr,
            "State": "ENABLED",
            "Targets": [{ "Id": "StateMachine", "Arn": r#ref(&ids.state_machine), "RoleArn": att(&ids.schedule_role, "Arn") }],
        }));
    }
}
