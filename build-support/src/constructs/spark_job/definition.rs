//! The job's state machine, in the Amazon States Language: the optimized `.sync` task, or a
//! polling loop with its own deadline. Either way a failure reaches a Fail state that
//! carries the job's error and cause to the execution (DSF printed a fixed string: defect 5).

use super::model::{Orchestration, SparkJob};
use super::service::JobService;
use serde_json::{json, Map, Value as Json};

/// Catches every error of a task into `$.Error` and goes to `next`.
fn catch_all(next: &str) -> Json {
    json!([{ "ErrorEquals": ["States.ALL"], "ResultPath": "$.Error", "Next": next }])
}

/// The definition for the job's orchestration mode; `params` is the StartJobRun request.
pub fn definition(j: &SparkJob, params: Map<String, Json>) -> Json {
    let service = j.target.service();
    let prefix = service.prefix();
    let timeout = j.timeout_minutes * 60;
    let failed_from_error = json!({ "Type": "Fail", "ErrorPath": "$.Error.Error", "CausePath": "$.Error.Cause" });
    match j.orchestration {
        Orchestration::Start => json!({
            "Comment": format!("Starts Spark job {} with the {prefix}:startJobRun integration, and ends once the run is accepted", j.name),
            "StartAt": "StartJobRun",
            "TimeoutSeconds": 900,
            "States": {
                "StartJobRun": {
                    "Type": "Task",
                    "Resource": format!("arn:${{AWS::Partition}}:states:::{prefix}:startJobRun"),
                    "Parameters": params,
                    "ResultPath": "$.JobRun",
                    "Catch": catch_all("JobFailed"),
                    "Next": "JobStarted",
                },
                "JobStarted": { "Type": "Succeed" },
                "JobFailed": failed_from_error,
            },
        }),
        Orchestration::Sync => json!({
            "Comment": format!("Runs Spark job {} with the optimized {prefix}:startJobRun.sync integration", j.name),
            "StartAt": "StartJobRun",
            "TimeoutSeconds": timeout + 600,
            "States": {
                "StartJobRun": {
                    "Type": "Task",
                    "Resource": format!("arn:${{AWS::Partition}}:states:::{prefix}:startJobRun.sync"),
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
            let sdk = service.sdk_name();
            let get_action = service.get_action();
            let success = service.success_state();
            let id_params = service.run_params();
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
                        "ResultSelector": service.start_selector(),
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
