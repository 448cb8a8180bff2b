//! The job's IAM: what its state machine's role may do (start, watch and cancel this job's
//! runs only, with valid actions: DSF used `emrserverless:` and `emr-container:`), and what
//! the execution role needs for the logs the job sets up.

use super::model::{Orchestration, S3Logs, SparkJob};
use super::request::with_slash;
use super::service::JobService;
use super::synth::{JobIds, Targets};
use crate::synth::att;
use crate::synth::bucket::bucket_objects;
use crate::synth::iam::statement;
use serde_json::{json, Value as Json};
use sparkform_assembly::Service;

/// The state machine role's statements.
pub fn state_machine_statements(j: &SparkJob, res: &Targets) -> Vec<Json> {
    let service = j.target.service();
    let runs = json!({ "Fn::Join": ["", [res.target_arn.clone(), "/jobruns/*"]] });
    // A state machine that only starts the run never reads or cancels it.
    let watches = j.orchestration != Orchestration::Start;
    let mut s = Vec::new();
    match service {
        Service::EmrContainers => {
            s.push(statement(
                true,
                &["emr-containers:StartJobRun"],
                vec![res.target_arn.clone()],
                Some(json!({ "StringEquals": { "emr-containers:ExecutionRoleArn": res.role_arn.clone() } })),
            ));
            if watches {
                s.push(statement(
                    true,
                    &["emr-containers:DescribeJobRun", "emr-containers:CancelJobRun"],
                    vec![runs.clone()],
                    None,
                ));
            }
            if !j.tags.is_empty() {
                s.push(statement(
                    true,
                    &["emr-containers:TagResource"],
                    vec![runs.clone()],
                    None,
                ));
            }
        }
        Service::EmrServerless => {
            s.push(statement(
                true,
                &["emr-serverless:StartJobRun"],
                vec![res.target_arn.clone()],
                None,
            ));
            if watches {
                s.push(statement(
                    true,
                    &["emr-serverless:GetJobRun", "emr-serverless:CancelJobRun"],
                    vec![runs.clone()],
                    None,
                ));
            }
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
    }
    if j.orchestration == Orchestration::Sync {
        // .sync integrations watch the run through a managed EventBridge rule.
        s.push(statement(true, &["events:PutTargets", "events:PutRule", "events:DescribeRule"],
            vec![json!({ "Fn::Sub": format!("arn:${{AWS::Partition}}:events:${{AWS::Region}}:${{AWS::AccountId}}:rule/{}", service.sync_rule()) })], None));
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
pub fn execution_role_grants(j: &SparkJob, ids: &JobIds) -> Vec<Json> {
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
