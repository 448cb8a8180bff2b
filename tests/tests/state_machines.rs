//! The state machines are well-formed and carry the timeout, cancellation and
//! failure-detail paths, in both orchestration modes and for both targets.

use serde_json::Value;
use sparkform_tests::{all_apps, asl};

fn state_machines() -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for app in all_apps() {
        for (file, body) in app.synthesize().assembly.templates {
            let t: Value = serde_json::from_str(&body).unwrap();
            for (id, r) in t["Resources"].as_object().unwrap() {
                if r["Type"] == "AWS::StepFunctions::StateMachine" {
                    let def = asl::definition_of(&r["Properties"]["DefinitionString"], |n| format!("<{n}>"));
                    out.push((format!("{}/{file}/{id}", app.name), def));
                }
            }
        }
    }
    out
}

fn resource(state: &Value) -> &str {
    state["Resource"].as_str().unwrap_or("")
}

#[test]
fn every_definition_is_well_formed() {
    let sms = state_machines();
    assert!(sms.len() >= 5, "expected state machines from examples and scenarios");
    for (name, def) in &sms {
        let p = asl::problems(def);
        assert!(p.is_empty(), "{name}: {p:?}");
        assert!(
            def["TimeoutSeconds"].as_u64().unwrap_or(0) > 0,
            "{name}: no execution timeout"
        );
    }
}

#[test]
fn sync_mode_uses_the_optimized_integration_and_keeps_failure_details() {
    let sms = state_machines();
    let sync: Vec<_> = sms
        .iter()
        .filter(|(_, d)| resource(&d["States"]["StartJobRun"]).ends_with(".sync"))
        .collect();
    let services: Vec<&str> = sync
        .iter()
        .map(|(_, d)| resource(&d["States"]["StartJobRun"]))
        .collect();
    assert!(
        services.iter().any(|r| r.contains(":emr-serverless:startJobRun.sync")),
        "{services:?}"
    );
    assert!(
        services.iter().any(|r| r.contains(":emr-containers:startJobRun.sync")),
        "{services:?}"
    );
    for (name, d) in sync {
        let start = &d["States"]["StartJobRun"];
        let task_timeout = start["TimeoutSeconds"].as_u64().expect("task timeout");
        assert!(
            task_timeout < d["TimeoutSeconds"].as_u64().unwrap(),
            "{name}: the task must time out (and cancel) before the execution does"
        );
        assert_eq!(start["Catch"][0]["ErrorEquals"][0], "States.ALL", "{name}");
        let failed = &d["States"][start["Catch"][0]["Next"].as_str().unwrap()];
        assert_eq!(failed["Type"], "Fail");
        assert_eq!(
            failed["ErrorPath"], "$.Error.Error",
            "{name}: the error must reach the execution"
        );
        assert_eq!(
            failed["CausePath"], "$.Error.Cause",
            "{name}: the cause must reach the execution"
        );
    }
}

#[test]
fn polling_mode_enforces_the_timeout_by_cancelling_the_run() {
    let sms = state_machines();
    let polling: Vec<_> = sms
        .iter()
        .filter(|(_, d)| d["States"].get("CancelJobRun").is_some())
        .collect();
    assert!(polling.len() >= 2, "expected polling scenarios for both targets");
    let mut targets = Vec::new();
    for (name, d) in polling {
        let states = &d["States"];
        targets.push(resource(&states["StartJobRun"]).to_string());
        let wait = states["Wait"]["Seconds"].as_u64().unwrap();
        let tick = states["Tick"]["Parameters"]["Seconds.$"].as_str().unwrap();
        assert_eq!(tick, format!("States.MathAdd($.Elapsed.Seconds, {wait})"), "{name}");
        let choices = states["CheckState"]["Choices"].as_array().unwrap();
        let deadline = choices
            .iter()
            .find(|c| c["Variable"] == "$.Elapsed.Seconds")
            .expect("a deadline choice");
        assert_eq!(deadline["Next"], "CancelJobRun", "{name}");
        assert!(resource(&states["CancelJobRun"]).ends_with(":cancelJobRun"), "{name}");
        assert_eq!(states["JobTimedOut"]["Type"], "Fail");
        assert!(
            deadline["NumericGreaterThanEquals"].as_u64().unwrap() * 60 / 60 < d["TimeoutSeconds"].as_u64().unwrap(),
            "{name}: the loop deadline comes before the execution timeout"
        );
        let failed = &states["JobFailed"];
        assert_eq!(
            failed["CausePath"], "States.JsonToString($.JobRunState.JobRun)",
            "{name}: failure details reach the cause"
        );
        assert_eq!(states["StartFailed"]["ErrorPath"], "$.Error.Error");
    }
    assert!(
        targets.iter().any(|r| r.contains("aws-sdk:emrserverless:startJobRun")),
        "{targets:?}"
    );
    assert!(
        targets.iter().any(|r| r.contains("aws-sdk:emrcontainers:startJobRun")),
        "{targets:?}"
    );
}

#[test]
fn serverless_requests_carry_the_job_timeout_and_eks_requests_a_release() {
    for (name, d) in state_machines() {
        let params = &d["States"]["StartJobRun"]["Parameters"];
        if params.get("ApplicationId").is_some() {
            // A streaming job runs until cancelled (0: no timeout); a batch job always has one.
            let timeout = params["ExecutionTimeoutMinutes"].as_u64().unwrap();
            let streaming = params["Mode"] == "STREAMING";
            assert_eq!(timeout == 0, streaming, "{name}: timeout {timeout}");
        } else {
            let label = params["ReleaseLabel"].as_str().unwrap_or("");
            assert!(
                label.starts_with("emr-") && label.contains("-latest"),
                "{name}: EKS needs a release label, got {label:?}"
            );
        }
        assert_eq!(params["ClientToken.$"], "States.UUID()", "{name}: idempotent start");
    }
}
