//! The deployer against recorded CloudFormation responses, for the states moto never
//! produces (it has no rollback, no operation in progress and no slow start): a failed first
//! create (ROLLBACK_COMPLETE), a failed rollback, a stack busy with another update, a failing
//! resource whose reason must reach the user, a new stack that reads REVIEW_IN_PROGRESS for a
//! while after ExecuteChangeSet, and a stack left in REVIEW_IN_PROGRESS. The responses follow
//! what CloudFormation returns for these cases (statuses, execution statuses, event order,
//! handler messages).

use sparkform::aws::AwsError;
use sparkform::deploy::api::{ChangeSetInfo, ChangeSetRequest, CloudFormation, Event, Resource, StackInfo};
use sparkform::deploy::stack::{deploy_stack, StackOutcome, StackPlan};
use sparkform::deploy::status::{ChangeSetStatus, ExecutionStatus, StackStatus};
use sparkform::deploy::ui::Ui;
use sparkform::deploy::DeployError;
use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;
use std::time::Duration;

const TEMPLATE: &str = r#"{"Resources":{"App":{"Type":"AWS::EMRServerless::Application","Properties":{"Name":"demo","ReleaseLabel":"emr-7.9.0","Type":"Spark"}}}}"#;

fn stack(status: &str) -> Option<StackInfo> {
    let mut tags = BTreeMap::new();
    tags.insert("sparkform:app".to_string(), "demo".to_string());
    Some(StackInfo {
        status: StackStatus::parse(status),
        reason: None,
        outputs: BTreeMap::new(),
        tags,
    })
}

fn with_output(mut info: Option<StackInfo>, key: &str, value: &str) -> Option<StackInfo> {
    if let Some(i) = info.as_mut() {
        i.outputs.insert(key.into(), value.into());
    }
    info
}

fn change_set(execution: &str) -> ChangeSetInfo {
    ChangeSetInfo {
        status: ChangeSetStatus::CreateComplete,
        execution_status: ExecutionStatus::parse(execution),
        reason: None,
        changes: Vec::new(),
    }
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

/// Replays DescribeStacks and DescribeChangeSet answers in order (the last one repeats) and
/// records every call.
struct Recorded {
    describes: Mutex<VecDeque<Option<StackInfo>>>,
    change_sets: Mutex<VecDeque<ChangeSetInfo>>,
    events: Vec<Event>,
    resources: Vec<Resource>,
    deployed: String,
    execute_error: Option<AwsError>,
    calls: Mutex<Vec<String>>,
}

impl Recorded {
    fn new(describes: Vec<Option<StackInfo>>, events: Vec<Event>) -> Recorded {
        Recorded {
            describes: Mutex::new(describes.into()),
            // Created and available, then executed at once, unless a test says otherwise.
            change_sets: Mutex::new(vec![change_set("AVAILABLE"), change_set("EXECUTE_COMPLETE")].into()),
            events,
            resources: Vec::new(),
            deployed: TEMPLATE.into(),
            execute_error: None,
            calls: Mutex::new(Vec::new()),
        }
    }

    fn change_sets(self, answers: Vec<ChangeSetInfo>) -> Recorded {
        *self.change_sets.lock().unwrap() = answers.into();
        self
    }

    fn log(&self, call: impl Into<String>) {
        self.calls.lock().unwrap().push(call.into());
    }

    fn calls(&self) -> Vec<String> {
        self.calls.lock().unwrap().clone()
    }

    fn count(&self, call: &str) -> usize {
        self.calls().iter().filter(|c| *c == call).count()
    }

    fn left(&self) -> usize {
        self.describes.lock().unwrap().len()
    }
}

fn next<T: Clone>(q: &Mutex<VecDeque<T>>) -> T {
    let mut d = q.lock().unwrap();
    if d.len() > 1 {
        d.pop_front().unwrap()
    } else {
        d.front().cloned().unwrap()
    }
}

impl CloudFormation for Recorded {
    async fn describe(&self, _: &str) -> Result<Option<StackInfo>, AwsError> {
        self.log("DescribeStacks");
        Ok(next(&self.describes))
    }
    async fn template(&self, _: &str) -> Result<String, AwsError> {
        self.log("GetTemplate");
        Ok(self.deployed.clone())
    }
    async fn events(&self, _: &str) -> Result<Vec<Event>, AwsError> {
        self.log("DescribeStackEvents");
        Ok(self.events.iter().rev().cloned().collect())
    }
    async fn resources(&self, _: &str) -> Result<Vec<Resource>, AwsError> {
        self.log("ListStackResources");
        Ok(self.resources.clone())
    }
    async fn create_change_set(&self, req: &ChangeSetRequest) -> Result<(), AwsError> {
        self.log(format!("CreateChangeSet:{}", req.change_set_type.as_str()));
        Ok(())
    }
    async fn describe_change_set(&self, _: &str, _: &str) -> Result<ChangeSetInfo, AwsError> {
        self.log("DescribeChangeSet");
        Ok(next(&self.change_sets))
    }
    async fn execute_change_set(&self, _: &str, _: &str) -> Result<(), AwsError> {
        self.log("ExecuteChangeSet");
        match &self.execute_error {
            Some(e) => Err(e.clone()),
            None => Ok(()),
        }
    }
    async fn delete_change_set(&self, _: &str, _: &str) -> Result<(), AwsError> {
        self.log("DeleteChangeSet");
        Ok(())
    }
    async fn delete_stack(&self, _: &str) -> Result<(), AwsError> {
        self.log("DeleteStack");
        Ok(())
    }
    async fn continue_update_rollback(&self, _: &str) -> Result<(), AwsError> {
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

fn pos(calls: &[String], c: &str) -> usize {
    calls
        .iter()
        .position(|x| x == c)
        .unwrap_or_else(|| panic!("no {c} in {calls:?}"))
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
    assert!(matches!(r.outcome, StackOutcome::Created { .. }), "{r:?}");
    let calls = cfn.calls();
    assert!(
        pos(&calls, "DeleteStack") < pos(&calls, "CreateChangeSet:CREATE"),
        "{calls:?}"
    );
}

#[tokio::test]
async fn rollback_complete_is_left_alone_without_yes() {
    let cfn = Recorded::new(vec![stack("ROLLBACK_COMPLETE")], vec![]);
    let err = deploy_stack(&cfn, &plan(TEMPLATE), &ui(false)).await.unwrap_err();
    assert!(
        matches!(
            &err,
            DeployError::Blocked {
                status: StackStatus::RollbackComplete,
                ..
            }
        ),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(text.contains("ROLLBACK_COMPLETE") && text.contains("--yes"), "{text}");
    assert_eq!(cfn.count("DeleteStack"), 0, "nothing may be deleted without consent");
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
    assert!(
        matches!(r.outcome, StackOutcome::NoChanges { .. }),
        "after the wait the deployed template equals the built one: {r:?}"
    );
    let calls = cfn.calls();
    assert!(cfn.count("DescribeStacks") >= 4, "{calls:?}");
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
    assert!(matches!(r.outcome, StackOutcome::Updated { .. }), "{r:?}");
    let calls = cfn.calls();
    assert!(
        pos(&calls, "ContinueUpdateRollback") < pos(&calls, "CreateChangeSet:UPDATE"),
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
    )
    .change_sets(vec![change_set("AVAILABLE"), change_set("EXECUTE_FAILED")]);
    let err = deploy_stack(&cfn, &plan(TEMPLATE), &ui(true)).await.unwrap_err();
    match &err {
        DeployError::Failed { status, resources, .. } => {
            assert_eq!(*status, StackStatus::RollbackComplete);
            let ids: Vec<&str> = resources.iter().map(|r| r.logical_id.as_str()).collect();
            assert_eq!(ids, ["App"], "noise is left out: {resources:?}");
        }
        e => panic!("expected Failed, got {e:?}"),
    }
    let text = err.to_string();
    assert!(text.contains("demo failed: ROLLBACK_COMPLETE"), "{text}");
    assert!(text.contains("App (AWS::EMRServerless::Application): Resource handler returned message: \"Application with name demo already exists\""), "{text}");
    assert!(
        !text.contains("Resource creation cancelled"),
        "noise is left out: {text}"
    );
    assert!(
        text.contains("deploy again"),
        "the message says what to do next: {text}"
    );
}

#[tokio::test]
async fn created_only_once_cloudformation_has_started_and_finished() {
    // Right after ExecuteChangeSet on a new stack, DescribeStacks still answers
    // REVIEW_IN_PROGRESS a few times, and the change set still says AVAILABLE.
    let done = with_output(stack("CREATE_COMPLETE"), "AppId", "00f1");
    let cfn = Recorded::new(
        vec![
            None,
            stack("REVIEW_IN_PROGRESS"),
            stack("REVIEW_IN_PROGRESS"),
            stack("REVIEW_IN_PROGRESS"),
            stack("CREATE_IN_PROGRESS"),
            stack("CREATE_IN_PROGRESS"),
            done,
        ],
        vec![],
    )
    .change_sets(vec![
        change_set("AVAILABLE"),
        change_set("AVAILABLE"),
        change_set("AVAILABLE"),
        change_set("EXECUTE_IN_PROGRESS"),
        change_set("EXECUTE_IN_PROGRESS"),
        change_set("EXECUTE_IN_PROGRESS"),
        change_set("EXECUTE_COMPLETE"),
    ]);
    let r = deploy_stack(&cfn, &plan(TEMPLATE), &ui(true)).await.unwrap();
    match &r.outcome {
        StackOutcome::Created { outputs, .. } => assert_eq!(outputs.get("AppId").map(String::as_str), Some("00f1")),
        o => panic!("expected Created, got {o:?}"),
    }
    assert_eq!(
        cfn.left(),
        1,
        "every recorded DescribeStacks answer was read before \"created\""
    );
    let calls = cfn.calls();
    assert_eq!(
        cfn.count("DeleteStack"),
        0,
        "a stack in review right after executing is not stuck: {calls:?}"
    );
}

#[tokio::test]
async fn an_update_is_not_done_while_describe_still_shows_the_previous_state() {
    // The stack was UPDATE_COMPLETE before; the first reads after ExecuteChangeSet still say so.
    let done = with_output(stack("UPDATE_COMPLETE"), "Version", "2");
    let cfn = Recorded::new(
        vec![
            stack("UPDATE_COMPLETE"),
            stack("UPDATE_COMPLETE"),
            stack("UPDATE_COMPLETE"),
            stack("UPDATE_IN_PROGRESS"),
            done,
        ],
        vec![],
    )
    .change_sets(vec![
        change_set("AVAILABLE"),
        change_set("AVAILABLE"),
        change_set("AVAILABLE"),
        change_set("EXECUTE_IN_PROGRESS"),
        change_set("EXECUTE_COMPLETE"),
    ]);
    let changed = TEMPLATE.replace("emr-7.9.0", "emr-7.10.0");
    let r = deploy_stack(&cfn, &plan(&changed), &ui(true)).await.unwrap();
    assert_eq!(
        r.outcome.outputs().get("Version").map(String::as_str),
        Some("2"),
        "{r:?}"
    );
    assert_eq!(cfn.left(), 1);
}

#[tokio::test]
async fn a_stack_left_in_review_is_blocked_until_consent() {
    // A first execution failed before CloudFormation began: the stack has no resources.
    let cfn = Recorded::new(vec![stack("REVIEW_IN_PROGRESS")], vec![]);
    let err = deploy_stack(&cfn, &plan(TEMPLATE), &ui(false)).await.unwrap_err();
    match &err {
        DeployError::Blocked { status, next, .. } => {
            assert_eq!(*status, StackStatus::ReviewInProgress);
            assert!(
                next.contains("delete it and create it again") && next.contains("--yes"),
                "{next}"
            );
        }
        e => panic!("expected Blocked, got {e:?}"),
    }
    let calls = cfn.calls();
    assert_eq!(
        cfn.count("DeleteStack"),
        0,
        "nothing is deleted without consent: {calls:?}"
    );
    assert_eq!(cfn.count("ExecuteChangeSet"), 0, "{calls:?}");

    // With consent: deleted, then created anew, and "created" only once it is.
    let cfn = Recorded::new(
        vec![
            stack("REVIEW_IN_PROGRESS"),
            stack("DELETE_IN_PROGRESS"),
            None,
            stack("CREATE_IN_PROGRESS"),
            stack("CREATE_COMPLETE"),
        ],
        vec![],
    );
    let r = deploy_stack(&cfn, &plan(TEMPLATE), &ui(true)).await.unwrap();
    assert!(matches!(r.outcome, StackOutcome::Created { .. }), "{r:?}");
    let calls = cfn.calls();
    assert!(
        pos(&calls, "ListStackResources") < pos(&calls, "DeleteStack"),
        "{calls:?}"
    );
    assert!(
        pos(&calls, "DeleteStack") < pos(&calls, "CreateChangeSet:CREATE"),
        "{calls:?}"
    );
}

#[tokio::test]
async fn a_stack_in_review_with_resources_is_not_deleted() {
    let mut cfn = Recorded::new(vec![stack("REVIEW_IN_PROGRESS")], vec![]);
    cfn.resources = vec![Resource {
        logical_id: "App".into(),
        physical_id: Some("00f1".into()),
        resource_type: "AWS::EMRServerless::Application".into(),
    }];
    let err = deploy_stack(&cfn, &plan(TEMPLATE), &ui(true)).await.unwrap_err();
    assert!(matches!(err, DeployError::Blocked { .. }), "{err:?}");
    assert_eq!(cfn.count("DeleteStack"), 0);
}

#[tokio::test]
async fn an_execution_that_never_starts_is_reported_not_created() {
    // The stack stays REVIEW_IN_PROGRESS and the change set AVAILABLE: nothing started.
    let cfn = Recorded::new(vec![None, stack("REVIEW_IN_PROGRESS")], vec![]).change_sets(vec![change_set("AVAILABLE")]);
    let ui = Ui {
        start_wait: Duration::from_millis(50),
        ..ui(true)
    };
    let err = deploy_stack(&cfn, &plan(TEMPLATE), &ui).await.unwrap_err();
    match &err {
        DeployError::Blocked { status, reason, .. } => {
            assert_eq!(*status, StackStatus::ReviewInProgress);
            assert!(
                reason.as_deref().unwrap_or_default().contains("has not started"),
                "{reason:?}"
            );
        }
        e => panic!("expected Blocked, got {e:?}"),
    }
}

#[tokio::test]
async fn a_failure_answered_by_execute_change_set_is_a_failed_deploy() {
    // What moto does when a resource fails: ExecuteChangeSet itself answers the error and the
    // new stack stays REVIEW_IN_PROGRESS.
    let mut cfn = Recorded::new(vec![None, stack("REVIEW_IN_PROGRESS")], vec![]);
    cfn.execute_error = Some(AwsError::from_code(
        "execute change set x of demo".into(),
        "InvalidParameterValue".into(),
        "Invalid State Machine Definition".into(),
        String::new(),
    ));
    let err = deploy_stack(&cfn, &plan(TEMPLATE), &ui(true)).await.unwrap_err();
    match &err {
        DeployError::Failed {
            status, reason, next, ..
        } => {
            assert_eq!(*status, StackStatus::ReviewInProgress);
            assert!(reason
                .as_deref()
                .unwrap_or_default()
                .contains("Invalid State Machine Definition"));
            assert!(next.contains("delete the stack it left behind"), "{next}");
        }
        e => panic!("expected Failed, got {e:?}"),
    }
}
