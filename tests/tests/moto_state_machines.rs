//! Every synthesized state machine runs in moto's Step Functions parser mode: moto validates
//! the definition on create, and executions really run. moto cannot run EMR tasks, so
//! (1) each definition runs as synthesized and must fail with the task's error and cause
//! carried to the execution (the failure-detail path), and (2) the polling loop runs with
//! the EMR calls replaced by canned answers, to check success, failure and the deadline
//! that cancels the run.

use serde_json::{json, Value};
use sparkform_tests::{all_apps, asl, sample, with_services, workspace};
use std::io::Write;
use std::process::{Command, Stdio};

fn definitions() -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for app in all_apps() {
        for (_, body) in app.synthesize().assembly.templates {
            let t: Value = serde_json::from_str(&body).unwrap();
            for (id, r) in t["Resources"].as_object().unwrap() {
                if r["Type"] == "AWS::StepFunctions::StateMachine" {
                    out.push((
                        format!("{}/{id}", app.name),
                        asl::definition_of(&r["Properties"]["DefinitionString"], sample),
                    ));
                }
            }
        }
    }
    out
}

/// The polling definition with EMR calls answered by Pass states; `state` is what
/// GetJobRun/DescribeJobRun reports every time.
fn stubbed(def: &Value, state: &str) -> Value {
    let mut d = def.clone();
    let eks = d["States"]["StartJobRun"]["Resource"]
        .as_str()
        .unwrap()
        .contains("emrcontainers");
    let started = if eks {
        json!({ "Id": "run-1", "VirtualClusterId": "vc-1" })
    } else {
        json!({ "JobRunId": "run-1", "ApplicationId": "app-1" })
    };
    let s = d["States"].as_object_mut().unwrap();
    s.insert(
        "StartJobRun".into(),
        json!({ "Type": "Pass", "Result": started, "ResultPath": "$.JobRun", "Next": "StartClock" }),
    );
    s.insert("GetJobRun".into(), json!({ "Type": "Pass", "Result": { "JobRun": { "State": state, "StateDetails": "boom: executor lost" } }, "ResultPath": "$.JobRunState", "Next": "Tick" }));
    s.insert(
        "CancelJobRun".into(),
        json!({ "Type": "Pass", "ResultPath": null, "Next": "JobTimedOut" }),
    );
    s.get_mut("Wait").unwrap()["Seconds"] = json!(0);
    let interval: u64 = s["Tick"]["Parameters"]["Seconds.$"]
        .as_str()
        .unwrap()
        .rsplit(", ")
        .next()
        .unwrap()
        .trim_end_matches(')')
        .parse()
        .unwrap();
    for c in s.get_mut("CheckState").unwrap()["Choices"].as_array_mut().unwrap() {
        if c["Variable"] == "$.Elapsed.Seconds" {
            c["NumericGreaterThanEquals"] = json!(3 * interval);
        }
    }
    d
}

#[derive(Debug)]
struct Outcome {
    name: String,
    created: bool,
    create_error: Option<String>,
    status: Option<String>,
    error: Option<String>,
    cause: Option<String>,
}

/// One run at a time: each turns moto's parser mode on, and off again when it ends.
static MOTO: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn run(cases: Vec<(String, Value)>) -> Vec<Outcome> {
    let _one_at_a_time = MOTO.lock().unwrap_or_else(|e| e.into_inner());
    let cases: Vec<Value> = cases
        .into_iter()
        .map(|(n, d)| json!({ "name": n, "definition": d.to_string(), "input": "{}" }))
        .collect();
    let python = sparkform_tests::services()["SPARKFORM_PYTHON"].clone();
    let mut cmd = with_services(Command::new(python));
    cmd.arg(workspace().join("tests/moto/run_state_machines.py"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped());
    let mut child = cmd.spawn().expect("the moto helper runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(json!({ "cases": cases }).to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "the moto helper failed");
    let v: Value = serde_json::from_slice(&out.stdout).expect("the helper prints JSON");
    let s = |x: &Value| x.as_str().map(str::to_string);
    v["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| Outcome {
            name: s(&r["name"]).unwrap(),
            created: r["created"] == true,
            create_error: s(&r["create_error"]),
            status: s(&r["status"]),
            error: s(&r["error"]),
            cause: s(&r["cause"]),
        })
        .collect()
}

#[test]
fn definitions_are_accepted_and_failures_keep_their_details() {
    let defs = definitions();
    assert!(defs.len() >= 5);
    for o in run(defs) {
        assert!(
            o.created,
            "{}: moto's parser rejected the definition: {:?}",
            o.name, o.create_error
        );
        assert_eq!(
            o.status.as_deref(),
            Some("FAILED"),
            "{}: moto cannot run EMR tasks, so the run must fail: {o:?}",
            o.name
        );
        assert!(
            o.error.as_deref().is_some_and(|e| !e.is_empty()),
            "{}: the task's error must reach the execution: {o:?}",
            o.name
        );
        assert!(
            o.cause.as_deref().is_some_and(|c| !c.is_empty()),
            "{}: the task's cause must reach the execution: {o:?}",
            o.name
        );
    }
}

#[test]
fn polling_loop_succeeds_fails_and_times_out() {
    let polling: Vec<_> = definitions()
        .into_iter()
        .filter(|(_, d)| d["States"].get("CancelJobRun").is_some())
        .collect();
    assert!(polling.len() >= 2);
    let mut cases = Vec::new();
    for (name, d) in &polling {
        let eks = d["States"]["StartJobRun"]["Resource"]
            .as_str()
            .unwrap()
            .contains("emrcontainers");
        let success = if eks { "COMPLETED" } else { "SUCCESS" };
        cases.push((format!("{name}/success"), stubbed(d, success)));
        cases.push((format!("{name}/failed"), stubbed(d, "FAILED")));
        cases.push((format!("{name}/running-forever"), stubbed(d, "RUNNING")));
    }
    for o in run(cases) {
        assert!(o.created, "{}: {:?}", o.name, o.create_error);
        if o.name.ends_with("/success") {
            assert_eq!(o.status.as_deref(), Some("SUCCEEDED"), "{o:?}");
        } else if o.name.ends_with("/failed") {
            assert_eq!(o.status.as_deref(), Some("FAILED"), "{o:?}");
            assert_eq!(o.error.as_deref(), Some("FAILED"), "{o:?}");
            assert!(
                o.cause.as_deref().unwrap_or("").contains("boom: executor lost"),
                "the job's state details must reach the cause: {o:?}"
            );
        } else {
            assert_eq!(o.status.as_deref(), Some("FAILED"), "{o:?}");
            assert_eq!(
                o.error.as_deref(),
                Some("JobTimedOut"),
                "the deadline must cancel the run: {o:?}"
            );
        }
    }
}
