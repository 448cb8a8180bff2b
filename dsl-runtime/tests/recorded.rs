//! The deployer against recorded CloudFormation responses, for the states moto never
//! produces (it has no rollback and no operation in progress): a failed first create
//! (ROLLBACK_COMPLETE), a failed rollback, a stack busy with another update, and a failing
//! resource whose reason must reach the user. The responses follow what CloudFormation
//! returns for these cases (statuses, event order, handler messages).

use sparkform::deploy::api::{ChangeSetInfo, ChangeSetRequest, CloudFormation, Event, StackInfo};
use sparkform::deploy::stack::{deploy_stack, Outcome, StackPlan};
use sparkform::deploy::ui::Ui;
use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;
use std::time::Duration;

const TEMPLATE: &str = r#"{"Resources":{"App":{"Type":"AWS::EMRServerless::Application","Properties":{"Name":"demo","ReleaseLabel":"emr-7.9.0","Type":"Spark"}}}}"#;

fn stack(status: &str) -> Option<StackInfo> {
    let mut tags = BTreeMap::new();
    tags.insert("sparkform:app".to_string(), "demo".to_string());
    Some(StackInfo {
        status: status.into(),
        reason: None,
        outputs: BTreeMap::new(),
        tags,
    })
}

fn event(n: i64, logical: &str, ty: &str, status: &str, reason: Option<&str>) -> Event {
    Event {
        id: format!("e{n}"),
        time_ms: 4_000_000_000_000 + n,
        logical_id: logical.into(),
        resource_type: ty.into(),
        status: status.into(),
        reason: reason.map(str::to_string),
    }
}

/// Replays DescribeStacks answers in order (the last one repeats) and records every call.
struct Recorded {
    describes: Mutex<VecDeque<Option<StackInfo>>>,
    events: Vec<Event>,
    deployed: String,
    calls: Mutex<Vec<String>>,
}

impl Recorded {
    fn new(describes: Vec<Option<StackInfo>>, events: Vec<Event>) -> Recorded {
        Recorded {
            describes: Mutex::new(describes.into()),
            events,
            deployed: TEMPLATE.into(),
            calls: Mutex::new(Vec::new()),
        }
    }

    fn log(&self, call: impl Into<String>) {
        self.calls.lock().unwrap().push(call.into());
    }

    fn calls(&self) -> Vec<String> {
        self.calls.lock().unwrap().clone()
    }
}

impl CloudFormation for Recorded {
    async fn describe(&self, _: &str) -> Result<Option<StackInfo>, String> {
        self.log("DescribeStacks");
        let mut d = self.describes.lock().unwrap();
        Ok(if d.len() > 1 {
            d.pop_front().unwrap()
        } else {
            d.front().cloned().unwrap()
        })
    }
    async fn template(&self, _: &str) -> Result<String, String> {
        self.log("GetTemplate");
        Ok(self.deployed.clone())
    }
    async fn events(&self, _: &str) -> Result<Vec<Event>, String> {
        self.log("DescribeStackEvents");
        Ok(self.events.iter().rev().cloned().collect())
    }
    async fn create_change_set(&self, req: &ChangeSetRequest) -> Result<(), String> {
        self.log(format!("CreateChangeSet:{}", req.change_set_type));
        Ok(())
    }
    async fn describe_change_set(&self, _: &str, _: &str) -> Result<ChangeSetInfo, String> {
        self.log("DescribeChangeSet");
        Ok(ChangeSetInfo {
            status: "CREATE_COMPLETE".into(),
            reason: None,
            changes: Vec::new(),
        })
    }
    async fn execute_change_set(&self, _: &str, _: &str) -> Result<(), String> {
        self.log("ExecuteChangeSet");
        Ok(())
    }
    async fn delete_change_set(&self, _: &str, _: &str) -> Result<(), String> {
        self.log("DeleteChangeSet");
        Ok(())
    }
    async fn delete_stack(&self, _: &str) -> Result<(), String> {
        self.log("DeleteStack");
        Ok(())
    }
    async fn continue_update_rollback(&self, _: &str) -> Result<(), String> {
        self.log("ContinueUpdateRollback");
        Ok(())
    }
}

fn plan(template: &str) -> StackPlan {
    let mut tags = BTreeMap::new();
    tags.insert("sparkform:app".to_string(), "demo".to_string());
    StackPlan {
        name: "demo".into(),
        template: template.into(),
        tags,
        resources: 1,
        force: false,
    }
}

fn ui(yes: bool) -> Ui {
    Ui {
        poll: Duration::from_millis(1),
        ..Ui::new(yes, true)
    }
}

#[tokio::test]
async fn rollback_complete_is_deleted_and_created_again_with_yes() {
    let cfn = Recorded::new(
        vec![
            stack("ROLLBACK_COMPLETE"),
            stack("DELETE_IN_PROGRESS"),
            None,
            stack("CREATE_IN_PROGRESS"),
            stack("CREATE_COMPLETE"),
        ],
        vec![],
    );
    let r = deploy_stack(&cfn, &plan(TEMPLATE), &ui(true)).await.unwrap();
    assert_eq!(r.outcome, Outcome::Created);
    let calls = cfn.calls();
    let pos = |c: &str| {
        calls
            .iter()
            .position(|x| x == c)
            .unwrap_or_else(|| panic!("no {c} in {calls:?}"))
    };
    assert!(pos("DeleteStack") < pos("CreateChangeSet:CREATE"), "{calls:?}");
}

#[tokio::test]
async fn rollback_complete_is_left_alone_without_yes() {
    let cfn = Recorded::new(vec![stack("ROLLBACK_COMPLETE")], vec![]);
    let err = deploy_stack(&cfn, &plan(TEMPLATE), &ui(false)).await.unwrap_err();
    assert!(err.contains("ROLLBACK_COMPLETE") && err.contains("--yes"), "{err}");
    assert!(
        !cfn.calls().iter().any(|c| c == "DeleteStack"),
        "nothing may be deleted without consent"
    );
}

#[tokio::test]
async fn a_stack_in_progress_is_waited_for() {
    let cfn = Recorded::new(
        vec![
            stack("UPDATE_IN_PROGRESS"),
            stack("UPDATE_IN_PROGRESS"),
            stack("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"),
            stack("UPDATE_COMPLETE"),
        ],
        vec![],
    );
    let r = deploy_stack(&cfn, &plan(TEMPLATE), &ui(true)).await.unwrap();
    assert_eq!(
        r.outcome,
        Outcome::Unchanged,
        "after the wait the deployed template equals the built one"
    );
    let calls = cfn.calls();
    assert!(
        calls.iter().filter(|c| *c == "DescribeStacks").count() >= 4,
        "{calls:?}"
    );
    assert!(
        calls.iter().all(|c| c == "DescribeStacks" || c == "GetTemplate"),
        "no write call: {calls:?}"
    );
}

#[tokio::test]
async fn a_failed_rollback_is_continued() {
    let cfn = Recorded::new(
        vec![
            stack("UPDATE_ROLLBACK_FAILED"),
            stack("UPDATE_ROLLBACK_IN_PROGRESS"),
            stack("UPDATE_ROLLBACK_COMPLETE"),
            stack("UPDATE_IN_PROGRESS"),
            stack("UPDATE_COMPLETE"),
        ],
        vec![],
    );
    let changed = TEMPLATE.replace("emr-7.9.0", "emr-7.10.0");
    let r = deploy_stack(&cfn, &plan(&changed), &ui(true)).await.unwrap();
    assert_eq!(r.outcome, Outcome::Updated);
    let calls = cfn.calls();
    let pos = |c: &str| calls.iter().position(|x| x == c).unwrap();
    assert!(
        pos("ContinueUpdateRollback") < pos("CreateChangeSet:UPDATE"),
        "{calls:?}"
    );
}

#[tokio::test]
async fn a_failing_resource_names_its_reason() {
    let events = vec![
        event(1, "demo", "AWS::CloudFormation::Stack", "CREATE_IN_PROGRESS", Some("User Initiated")),
        event(2, "App", "AWS::EMRServerless::Application", "CREATE_IN_PROGRESS", None),
        event(3, "Role", "AWS::IAM::Role", "CREATE_IN_PROGRESS", None),
        event(
            4,
            "App",
            "AWS::EMRServerless::Application",
            "CREATE_FAILED",
            Some("Resource handler returned message: \"Application with name demo already exists\" (RequestToken: 5e1b4f0e, HandlerErrorCode: AlreadyExists)"),
        ),
        event(5, "Role", "AWS::IAM::Role", "CREATE_FAILED", Some("Resource creation cancelled")),
        event(6, "demo", "AWS::CloudFormation::Stack", "ROLLBACK_IN_PROGRESS", Some("The following resource(s) failed to create: [App, Role]. Rollback requested by user.")),
        event(7, "demo", "AWS::CloudFormation::Stack", "ROLLBACK_COMPLETE", None),
    ];
    let cfn = Recorded::new(
        vec![None, stack("ROLLBACK_IN_PROGRESS"), stack("ROLLBACK_COMPLETE")],
        events,
    );
    let err = deploy_stack(&cfn, &plan(TEMPLATE), &ui(true)).await.unwrap_err();
    assert!(err.contains("demo failed: ROLLBACK_COMPLETE"), "{err}");
    assert!(err.contains("App (AWS::EMRServerless::Application): Resource handler returned message: \"Application with name demo already exists\""), "{err}");
    assert!(!err.contains("Resource creation cancelled"), "noise is left out: {err}");
    assert!(err.contains("deploy again"), "the message says what to do next: {err}");
}
