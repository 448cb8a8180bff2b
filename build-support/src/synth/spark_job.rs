//! `spark_job!` -> a Step Functions state machine that starts the Spark job and waits for it
//! (optimized `.sync` integration, or a polling loop), with its role, log group, optional S3
//! log bucket, schedule, and the grants the execution role needs for the logs.

use super::bucket::{bucket_objects, secure_bucket};
use super::iam::{document, statement, trust};
use super::pyspark_package;
use super::{att, r#ref, serverless_runtime, tags, Linker};
use crate::model::pyspark_package::PySparkPackage;
use crate::model::spark_job::{Driver, EntryPoint, ExecutionRole, Orchestration, S3Logs, SparkJob, Target};
use crate::model::Construct;
use serde_json::{json, Map, Value as Json};

/// Logical IDs and outputs of a job; the macro's handle carries the output names.
pub struct JobIds {
    pub state_machine: String,
    pub role: String,
    pub log_group: String,
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
        log_bucket: h.id("LogBucket"),
        schedule: h.id("Schedule"),
        schedule_role: h.id("ScheduleRole"),
        grants: h.id("ExecutionRoleGrants"),
        out_state_machine_arn: h.id("StateMachineArn"),
        out_log_bucket: h.id("LogBucketName"),
    }
}

/// Values the definition and policies need, resolved across stacks.
struct Resolved {
    /// Application id or virtual cluster id.
    target_id: Json,
    /// ARN of the application or virtual cluster.
    target_arn: Json,
    role_arn: Json,
    /// Role name to attach the grants to.
    role_name: Json,
}

fn resolve(j: &SparkJob, constructs: &[Construct], link: &mut Linker) -> Option<Resolved> {
    let stack = &j.handle.stack;
    let runtime_of = |p: &crate::value::PathValue| {
        let ident = p.text.rsplit("::").next().unwrap_or(&p.text);
        constructs.iter().find_map(|c| match c {
            Construct::ServerlessRuntime(r) if r.handle.ident == ident => Some(r),
            _ => None,
        })
    };
    let (target_id, target_arn) = match &j.target {
        Target::Runtime(p) => {
            let r = runtime_of(p)?;
            let ids = serverless_runtime::ids(r);
            let owner = &r.handle.stack;
            (
                link.value(stack, owner, &ids.out_application_id, r#ref(&ids.application)),
                link.value(stack, owner, &ids.out_application_arn, att(&ids.application, "Arn")),
            )
        }
        Target::ApplicationId(id) => (
            json!(id),
            json!({ "Fn::Sub": format!("arn:${{AWS::Partition}}:emr-serverless:${{AWS::Region}}:${{AWS::AccountId}}:/applications/{id}") }),
        ),
        Target::VirtualCluster(id) => (
            json!(id),
            json!({ "Fn::Sub": format!("arn:${{AWS::Partition}}:emr-containers:${{AWS::Region}}:${{AWS::AccountId}}:/virtualclusters/{id}") }),
        ),
    };
    let (role_arn, role_name) = match &j.execution_role {
        ExecutionRole::Arn { arn, name } => (json!(arn), json!(name)),
        ExecutionRole::OfRuntime(p) => {
            let r = runtime_of(p)?;
            r.execution_role.as_ref()?;
            let ids = serverless_runtime::ids(r);
            let owner = &r.handle.stack;
            (
                link.value(
                    stack,
                    owner,
                    &ids.out_execution_role_arn,
                    att(&ids.execution_role, "Arn"),
                ),
                link.value(
                    stack,
                    owner,
                    &format!("{}Name", ids.execution_role),
                    r#ref(&ids.execution_role),
                ),
            )
        }
    };
    Some(Resolved {
        target_id,
        target_arn,
        role_arn,
        role_name,
    })
}

/// Why a job's references cannot be resolved (reported by build.rs), if they cannot.
pub fn unresolved(j: &SparkJob, constructs: &[Construct]) -> Option<String> {
    let find = |p: &crate::value::PathValue| {
        let ident = p.text.rsplit("::").next().unwrap_or(&p.text).to_string();
        let found = constructs.iter().find_map(|c| match c {
            Construct::ServerlessRuntime(r) if r.handle.ident == ident => Some(r),
            _ => None,
        });
        (ident, found)
    };
    if let Driver::Submit {
        entry_point: EntryPoint::Package(p),
        ..
    } = &j.driver
    {
        if package_of(j, constructs).is_none() {
            return Some(format!("`{}` is not a pyspark_package! declared in this crate", p.text));
        }
    }
    if let Target::Runtime(p) = &j.target {
        if let (ident, None) = find(p) {
            return Some(format!(
                "`{ident}` is not a spark_serverless_runtime! declared in this crate"
            ));
        }
    }
    if let ExecutionRole::OfRuntime(p) = &j.execution_role {
        match find(p) {
            (ident, None) => {
                return Some(format!(
                    "`{ident}` is not a spark_serverless_runtime! declared in this crate"
                ))
            }
            (ident, Some(r)) if r.execution_role.is_none() => {
                return Some(format!("job `{}` uses the execution role of `{ident}`, which declares none: add `execution_role: {{ ... }}` to `{ident}` or set the job's `execution_role` to a role ARN", j.handle.ident));
            }
            _ => {}
        }
    }
    None
}

pub fn synth(j: &SparkJob, constructs: &[Construct], link: &mut Linker) {
    let Some(res) = resolve(j, constructs, link) else {
        return;
    };
    let ids = ids(j);
    let eks = j.target.is_eks();
    let t = link.template(&j.handle.stack);
    t.kinds.insert(if eks {
        "SparkEmrContainersJob"
    } else {
        "SparkEmrServerlessJob"
    });

    let mut vars = Map::new();
    vars.insert("TargetId".into(), res.target_id.clone());
    vars.insert("ExecutionRoleArn".into(), res.role_arn.clone());
    if let S3Logs::Created { encryption_key_arn, .. } = &j.s3_logs {
        secure_bucket(t, &ids.log_bucket, encryption_key_arn.as_deref(), j.removal);
        t.output(
            &ids.out_log_bucket,
            r#ref(&ids.log_bucket),
            &format!("S3 bucket with the logs of job {}", j.name),
        );
        vars.insert("LogBucket".into(), r#ref(&ids.log_bucket));
    }
    let log_uri = log_uri(j);
    let pkg = package_of(j, constructs);
    if let Some(pkg) = pkg {
        let bucket = link.value(
            &j.handle.stack,
            &pkg.handle.stack,
            &pyspark_package::ids(pkg).out_bucket,
            pyspark_package::bucket_value(pkg),
        );
        vars.insert("ArtifactsBucket".into(), bucket);
    }
    let artifacts_bucket = vars.get("ArtifactsBucket").cloned();
    let t = link.template(&j.handle.stack);
    let params = request(j, log_uri.as_deref(), pkg);
    let definition = definition(j, params);
    let body = serde_json::to_string(&definition).expect("definitions serialize");

    t.data_resource(
        &ids.log_group,
        "AWS::Logs::LogGroup",
        json!({
            // A name per stack creation: a retained group never blocks the next deploy.
            "LogGroupName": { "Fn::Join": ["", [
                "/aws/vendedlogs/states/", r#ref("AWS::StackName"), "-", j.handle.prefix.clone(), "-",
                { "Fn::Select": [2, { "Fn::Split": ["/", r#ref("AWS::StackId")] }] },
            ]] },
            "RetentionInDays": j.log_retention_days,
        }),
        j.removal,
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
    t.output(
        &ids.out_state_machine_arn,
        r#ref(&ids.state_machine),
        &format!("State machine that runs job {}", j.name),
    );

    let mut grants = execution_role_grants(j, &ids);
    if let (Some(pkg), Some(bucket)) = (pkg, artifacts_bucket) {
        // The job reads its package's files, and nothing else of the artifacts bucket.
        grants.push(statement(
            true,
            &["s3:GetObject"],
            vec![json!({ "Fn::Sub": [format!("arn:${{AWS::Partition}}:s3:::${{Bucket}}/{}/{}/*", pyspark_package::ARTIFACTS_PREFIX_FOR_GRANTS, pkg.name), { "Bucket": bucket }] })],
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

/// Where the job's logs go; `${LogBucket}` stands for a bucket the job creates.
pub fn log_uri(j: &SparkJob) -> Option<String> {
    match &j.s3_logs {
        S3Logs::Created { prefix, .. } => Some(format!("s3://${{LogBucket}}/{}", with_slash(prefix))),
        S3Logs::Existing { bucket, prefix, .. } => Some(format!("s3://{bucket}/{}", with_slash(prefix))),
        S3Logs::Off => None,
    }
}

fn with_slash(prefix: &str) -> String {
    let p = prefix.trim_matches('/');
    if p.is_empty() {
        String::new()
    } else {
        format!("{p}/")
    }
}

/// The `pyspark_package!` a job's entry point names, if it names one.
pub fn package_of<'a>(j: &SparkJob, constructs: &'a [Construct]) -> Option<&'a PySparkPackage> {
    let Driver::Submit {
        entry_point: EntryPoint::Package(p),
        ..
    } = &j.driver
    else {
        return None;
    };
    let ident = p.text.rsplit("::").next().unwrap_or(&p.text);
    constructs.iter().find_map(|c| match c {
        Construct::PySparkPackage(pkg) if pkg.handle.ident == ident => Some(pkg),
        _ => None,
    })
}

/// The StartJobRun request, with `${TargetId}`-style placeholders for Fn::Sub
/// (`${ArtifactsBucket}` is the bucket of the job's package).
pub fn request(j: &SparkJob, log_uri: Option<&str>, pkg: Option<&PySparkPackage>) -> Map<String, Json> {
    let eks = j.target.is_eks();
    let mut p = Map::new();
    match &j.driver {
        Driver::Raw(raw) => p.extend(raw.clone()),
        Driver::Submit {
            entry_point,
            arguments,
            spark_submit_parameters,
        } => {
            let entry = match (entry_point, pkg) {
                (EntryPoint::Uri(u), _) => u.clone(),
                (EntryPoint::Package(_), Some(pkg)) => format!("s3://${{ArtifactsBucket}}/{}", pkg.entrypoint_key()),
                (EntryPoint::Package(p), None) => p.text.clone(),
            };
            let mut submit = json!({ "EntryPoint": entry });
            if !arguments.is_empty() {
                submit["EntryPointArguments"] = json!(arguments);
            }
            let venv = pkg.map(|pkg| pyspark_package::venv_conf(pkg, eks)).unwrap_or_default();
            let params: Vec<&str> = [spark_submit_parameters.as_deref().unwrap_or(""), venv.as_str()]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect();
            if !params.is_empty() {
                submit["SparkSubmitParameters"] = json!(params.join(" "));
            }
            p.insert(
                "JobDriver".into(),
                json!({ if eks { "SparkSubmitJobDriver" } else { "SparkSubmit" }: submit }),
            );
            let mut overrides = Map::new();
            if !j.application_configuration.is_empty() {
                overrides.insert(
                    "ApplicationConfiguration".into(),
                    serverless_runtime::classifications(&j.application_configuration),
                );
            }
            let mut monitoring = Map::new();
            if let Some(uri) = log_uri {
                let mut s3 = json!({ "LogUri": uri });
                if let S3Logs::Existing {
                    encryption_key_arn: Some(k),
                    ..
                }
                | S3Logs::Created {
                    encryption_key_arn: Some(k),
                    ..
                } = &j.s3_logs
                {
                    if !eks {
                        s3["EncryptionKeyArn"] = json!(k);
                    }
                }
                monitoring.insert("S3MonitoringConfiguration".into(), s3);
            }
            if let Some(cw) = &j.cloudwatch_logs {
                if eks {
                    let prefix = cw.stream_prefix.clone().unwrap_or_else(|| j.name.clone());
                    monitoring.insert(
                        "CloudWatchMonitoringConfiguration".into(),
                        json!({ "LogGroupName": cw.log_group, "LogStreamNamePrefix": prefix }),
                    );
                } else {
                    let mut c = json!({ "Enabled": true, "LogGroupName": cw.log_group });
                    if let Some(pfx) = &cw.stream_prefix {
                        c["LogStreamNamePrefix"] = json!(pfx);
                    }
                    if let Some(k) = &cw.encryption_key_arn {
                        c["EncryptionKeyArn"] = json!(k);
                    }
                    monitoring.insert("CloudWatchLoggingConfiguration".into(), c);
                }
            }
            if !monitoring.is_empty() {
                overrides.insert("MonitoringConfiguration".into(), Json::Object(monitoring));
            }
            if !overrides.is_empty() {
                p.insert("ConfigurationOverrides".into(), Json::Object(overrides));
            }
            p.insert("Name".into(), json!(j.name));
            if !j.tags.is_empty() {
                p.insert(
                    "Tags".into(),
                    Json::Object(j.tags.iter().map(|(k, v)| (k.clone(), json!(v))).collect()),
                );
            }
        }
    }
    p.insert(
        if eks { "VirtualClusterId" } else { "ApplicationId" }.into(),
        json!("${TargetId}"),
    );
    p.insert("ExecutionRoleArn".into(), json!("${ExecutionRoleArn}"));
    if !p.contains_key("ClientToken") {
        p.insert("ClientToken.$".into(), json!("States.UUID()"));
    }
    if eks {
        if let Some(r) = &j.release_label {
            p.entry("ReleaseLabel").or_insert_with(|| json!(r));
        }
        if let Some(n) = j.max_retries {
            p.entry("RetryPolicyConfiguration")
                .or_insert_with(|| json!({ "MaxAttempts": n.max(1) }));
        }
    } else {
        p.entry("ExecutionTimeoutMinutes")
            .or_insert_with(|| json!(j.timeout_minutes));
    }
    p
}

/// Catches every error of a task into `$.Error` and goes to `next`.
fn catch_all(next: &str) -> Json {
    json!([{ "ErrorEquals": ["States.ALL"], "ResultPath": "$.Error", "Next": next }])
}

/// The Amazon States Language definition for the job's orchestration mode.
pub fn definition(j: &SparkJob, params: Map<String, Json>) -> Json {
    let eks = j.target.is_eks();
    let service = if eks { "emr-containers" } else { "emr-serverless" };
    let timeout = j.timeout_minutes * 60;
    // A caught error becomes the execution's error and cause (DSF lost them: defect 5).
    let failed_from_error = json!({ "Type": "Fail", "ErrorPath": "$.Error.Error", "CausePath": "$.Error.Cause" });
    match j.orchestration {
        Orchestration::Sync => json!({
            "Comment": format!("Runs Spark job {} with the optimized {service}:startJobRun.sync integration", j.name),
            "StartAt": "StartJobRun",
            "TimeoutSeconds": timeout + 600,
            "States": {
                "StartJobRun": {
                    "Type": "Task",
                    "Resource": format!("arn:${{AWS::Partition}}:states:::{service}:startJobRun.sync"),
                    "Parameters": params,
                    // On timeout or stop, Step Functions cancels the run it is waiting for.
                    "TimeoutSeconds": timeout + 300,
                    "ResultPath": "$.JobRun",
                    "Catch": catch_all("JobFailed"),
                    "Next": "JobSucceeded",
                },
                "JobSucceeded": { "Type": "Succeed" },
                "JobFailed": failed_from_error,
            },
        }),
        Orchestration::Polling { interval_seconds } => {
            let sdk = if eks { "emrcontainers" } else { "emrserverless" };
            let (start_sel, id_params, get_action, success) = if eks {
                (
                    json!({ "Id.$": "$.Id", "VirtualClusterId.$": "$.VirtualClusterId" }),
                    json!({ "Id.$": "$.JobRun.Id", "VirtualClusterId.$": "$.JobRun.VirtualClusterId" }),
                    "describeJobRun",
                    "COMPLETED",
                )
            } else {
                (
                    json!({ "JobRunId.$": "$.JobRunId", "ApplicationId.$": "$.ApplicationId" }),
                    json!({ "JobRunId.$": "$.JobRun.JobRunId", "ApplicationId.$": "$.JobRun.ApplicationId" }),
                    "getJobRun",
                    "SUCCESS",
                )
            };
            let throttle_retry = json!([{ "ErrorEquals": ["States.TaskFailed"], "IntervalSeconds": 5, "MaxAttempts": 5, "BackoffRate": 2.0 }]);
            json!({
                "Comment": format!("Runs Spark job {} and checks its state every {interval_seconds} s", j.name),
                "StartAt": "StartJobRun",
                "TimeoutSeconds": timeout + 900,
                "States": {
                    "StartJobRun": {
                        "Type": "Task",
                        "Resource": format!("arn:${{AWS::Partition}}:states:::aws-sdk:{sdk}:startJobRun"),
                        "Parameters": params,
                        "ResultSelector": start_sel,
                        "ResultPath": "$.JobRun",
                        "Catch": catch_all("StartFailed"),
                        "Next": "StartClock",
                    },
                    "StartClock": { "Type": "Pass", "Result": { "Seconds": 0 }, "ResultPath": "$.Elapsed", "Next": "Wait" },
                    "Wait": { "Type": "Wait", "Seconds": interval_seconds, "Next": "GetJobRun" },
                    "GetJobRun": {
                        "Type": "Task",
                        "Resource": format!("arn:${{AWS::Partition}}:states:::aws-sdk:{sdk}:{get_action}"),
                        "Parameters": id_params.clone(),
                        "ResultPath": "$.JobRunState",
                        "Retry": throttle_retry,
                        "Next": "Tick",
                    },
                    "Tick": {
                        "Type": "Pass",
                        "Parameters": { "Seconds.$": format!("States.MathAdd($.Elapsed.Seconds, {interval_seconds})") },
                        "ResultPath": "$.Elapsed",
                        "Next": "CheckState",
                    },
                    "CheckState": {
                        "Type": "Choice",
                        "Choices": [
                            { "Variable": "$.JobRunState.JobRun.State", "StringEquals": success, "Next": "JobSucceeded" },
                            { "Or": [
                                { "Variable": "$.JobRunState.JobRun.State", "StringEquals": "FAILED" },
                                { "Variable": "$.JobRunState.JobRun.State", "StringEquals": "CANCELLED" },
                            ], "Next": "JobFailed" },
                            { "Variable": "$.Elapsed.Seconds", "NumericGreaterThanEquals": timeout, "Next": "CancelJobRun" },
                        ],
                        "Default": "Wait",
                    },
                    "CancelJobRun": {
                        "Type": "Task",
                        "Resource": format!("arn:${{AWS::Partition}}:states:::aws-sdk:{sdk}:cancelJobRun"),
                        "Parameters": id_params,
                        "ResultPath": null,
                        "Catch": catch_all("JobTimedOut"),
                        "Next": "JobTimedOut",
                    },
                    "JobTimedOut": {
                        "Type": "Fail",
                        "Error": "JobTimedOut",
                        "Cause": format!("job {} ran longer than {} minutes and was cancelled", j.name, j.timeout_minutes),
                    },
                    "JobSucceeded": { "Type": "Succeed" },
                    "JobFailed": {
                        "Type": "Fail",
                        "ErrorPath": "$.JobRunState.JobRun.State",
                        "CausePath": "States.JsonToString($.JobRunState.JobRun)",
                    },
                    "StartFailed": failed_from_error,
                },
            })
        }
    }
}

/// What the state machine's role may do: start, watch and cancel this job's runs only.
fn state_machine_statements(j: &SparkJob, res: &Resolved) -> Vec<Json> {
    let runs = json!({ "Fn::Join": ["", [res.target_arn.clone(), "/jobruns/*"]] });
    let mut s = Vec::new();
    if j.target.is_eks() {
        s.push(statement(
            true,
            &["emr-containers:StartJobRun"],
            vec![res.target_arn.clone()],
            Some(json!({ "StringEquals": { "emr-containers:ExecutionRoleArn": res.role_arn.clone() } })),
        ));
        s.push(statement(
            true,
            &["emr-containers:DescribeJobRun", "emr-containers:CancelJobRun"],
            vec![runs.clone()],
            None,
        ));
        if !j.tags.is_empty() {
            s.push(statement(
                true,
                &["emr-containers:TagResource"],
                vec![runs.clone()],
                None,
            ));
        }
    } else {
        s.push(statement(
            true,
            &["emr-serverless:StartJobRun"],
            vec![res.target_arn.clone()],
            None,
        ));
        s.push(statement(
            true,
            &["emr-serverless:GetJobRun", "emr-serverless:CancelJobRun"],
            vec![runs.clone()],
            None,
        ));
        if !j.tags.is_empty() {
            s.push(statement(
                true,
                &["emr-serverless:TagResource"],
                vec![res.target_arn.clone(), runs.clone()],
                None,
            ));
        }
        s.push(statement(
            true,
            &["iam:PassRole"],
            vec![res.role_arn.clone()],
            Some(json!({ "StringLike": { "iam:PassedToService": "emr-serverless.amazonaws.com" } })),
        ));
    }
    if j.orchestration == Orchestration::Sync {
        // .sync integrations watch the run through a managed EventBridge rule.
        let rule = if j.target.is_eks() {
            "StepFunctionsGetEventsForEMR*"
        } else {
            "StepFunctionsGetEventsForEMRServerlessJobRule"
        };
        s.push(statement(true, &["events:PutTargets", "events:PutRule", "events:DescribeRule"],
            vec![json!({ "Fn::Sub": format!("arn:${{AWS::Partition}}:events:${{AWS::Region}}:${{AWS::AccountId}}:rule/{rule}") })], None));
    }
    // Log delivery and X-Ray actions take no resource ARNs.
    s.push(statement(
        true,
        &[
            "logs:CreateLogDelivery",
            "logs:GetLogDelivery",
            "logs:UpdateLogDelivery",
            "logs:DeleteLogDelivery",
            "logs:ListLogDeliveries",
            "logs:PutResourcePolicy",
            "logs:DescribeResourcePolicies",
            "logs:DescribeLogGroups",
        ],
        vec![json!("*")],
        None,
    ));
    if j.tracing {
        s.push(statement(
            true,
            &[
                "xray:PutTraceSegments",
                "xray:PutTelemetryRecords",
                "xray:GetSamplingRules",
                "xray:GetSamplingTargets",
            ],
            vec![json!("*")],
            None,
        ));
    }
    s
}

/// What the job's execution role needs for the logs this job sets up.
fn execution_role_grants(j: &SparkJob, ids: &JobIds) -> Vec<Json> {
    let mut s = Vec::new();
    match &j.s3_logs {
        S3Logs::Created { .. } => {
            s.push(statement(
                true,
                &["s3:ListBucket", "s3:GetBucketLocation"],
                vec![att(&ids.log_bucket, "Arn")],
                None,
            ));
            s.push(statement(
                true,
                &["s3:PutObject", "s3:GetObject"],
                vec![bucket_objects(&ids.log_bucket)],
                None,
            ));
        }
        S3Logs::Existing { bucket, prefix, .. } => {
            s.push(statement(
                true,
                &["s3:ListBucket", "s3:GetBucketLocation"],
                vec![json!({ "Fn::Sub": format!("arn:${{AWS::Partition}}:s3:::{bucket}") })],
                None,
            ));
            s.push(statement(
                true,
                &["s3:PutObject", "s3:GetObject"],
                vec![json!({ "Fn::Sub": format!("arn:${{AWS::Partition}}:s3:::{bucket}/{}*", with_slash(prefix)) })],
                None,
            ));
        }
        S3Logs::Off => {}
    }
    if let Some(cw) = &j.cloudwatch_logs {
        s.push(statement(true, &["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
            vec![json!({ "Fn::Sub": format!("arn:${{AWS::Partition}}:logs:${{AWS::Region}}:${{AWS::AccountId}}:log-group:{}:*", cw.log_group) })], None));
        s.push(statement(
            true,
            &["logs:DescribeLogGroups"],
            vec![json!({ "Fn::Sub": "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:*" })],
            None,
        ));
    }
    s
}
