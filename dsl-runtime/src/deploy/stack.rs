//! Deploying one stack: settle blocked states, skip it when nothing changed, otherwise
//! create a change set, show it, execute it and follow it until CloudFormation has started
//! and finished the operation.

use super::api::{Change, ChangeSetRequest, ChangeSetType, CloudFormation, StackInfo};
use super::diff;
use super::error::DeployError;
use super::events::{failed_resources, EventWatch};
use super::status::{ChangeSetStatus, ExecutionStatus, StackStatus};
use super::ui::Ui;
use crate::aws::AwsError;
use std::collections::BTreeMap;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// What to deploy to one stack.
#[derive(Clone, Debug)]
pub struct StackPlan {
    pub name: String,
    pub template: String,
    pub tags: BTreeMap<String, String>,
    pub resources: usize,
    /// Deploy even when the template and tags equal the deployed ones.
    pub force: bool,
}

/// How a stack deploy ended.
#[derive(Clone, Debug, PartialEq)]
pub enum StackOutcome {
    /// The deployed template and tags are the built ones: no write call was made.
    NoChanges { outputs: BTreeMap<String, String> },
    Created {
        outputs: BTreeMap<String, String>,
        changes: Vec<Change>,
    },
    Updated {
        outputs: BTreeMap<String, String>,
        changes: Vec<Change>,
    },
}

impl StackOutcome {
    /// The word the CLI prints (and `--json`'s `result`).
    pub fn as_str(&self) -> &'static str {
        match self {
            StackOutcome::NoChanges { .. } => "no changes",
            StackOutcome::Created { .. } => "created",
            StackOutcome::Updated { .. } => "updated",
        }
    }

    pub fn outputs(&self) -> &BTreeMap<String, String> {
        match self {
            StackOutcome::NoChanges { outputs }
            | StackOutcome::Created { outputs, .. }
            | StackOutcome::Updated { outputs, .. } => outputs,
        }
    }

    pub fn changes(&self) -> &[Change] {
        match self {
            StackOutcome::NoChanges { .. } => &[],
            StackOutcome::Created { changes, .. } | StackOutcome::Updated { changes, .. } => changes,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct StackReport {
    pub stack: String,
    pub outcome: StackOutcome,
}

pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

/// Polls until the stack settles; `None` once it is gone.
pub async fn wait_settled<C: CloudFormation>(cfn: &C, stack: &str, ui: &Ui) -> Result<Option<StackInfo>, AwsError> {
    loop {
        let info = cfn.describe(stack).await?;
        match &info {
            Some(i) if !i.status.is_settled() => tokio::time::sleep(ui.poll).await,
            _ => return Ok(info),
        }
    }
}

fn blocked(stack: &str, info: &StackInfo, next: &str) -> DeployError {
    DeployError::Blocked {
        stack: stack.into(),
        status: info.status.clone(),
        reason: info.reason.clone(),
        next: next.into(),
    }
}

/// Brings a stack out of states that block a deploy. Returns the stack as it then is.
async fn unblock<C: CloudFormation>(cfn: &C, stack: &str, ui: &Ui) -> Result<Option<StackInfo>, DeployError> {
    let mut info = cfn.describe(stack).await?;
    for _ in 0..5 {
        let Some(current) = info.clone() else {
            return Ok(None);
        };
        match &current.status {
            StackStatus::RollbackComplete | StackStatus::ReviewInProgress => {
                // Resources come only from an execution, so a stack in review has none; the
                // check guards against stand-ins, which may not answer it (then: none).
                if current.status == StackStatus::ReviewInProgress
                    && !cfn.resources(stack).await.unwrap_or_default().is_empty()
                {
                    return Err(blocked(
                        stack,
                        &current,
                        "it waits for a change set to run, yet has resources: look at its change sets in the CloudFormation console, and delete the stack if it is not needed",
                    ));
                }
                ui.say(format!("{stack}: {}: {}", current.status, current.status.next_step()));
                if !ui.confirm(&format!("delete {stack} and create it again?")) {
                    return Err(blocked(stack, &current, current.status.next_step()));
                }
                cfn.delete_stack(stack).await?;
                info = wait_settled(cfn, stack, ui).await?;
            }
            StackStatus::UpdateRollbackFailed => {
                ui.say(format!("{stack}: UPDATE_ROLLBACK_FAILED: continuing the rollback"));
                cfn.continue_update_rollback(stack).await?;
                info = wait_settled(cfn, stack, ui).await?;
            }
            s if s.is_blocked() => return Err(blocked(stack, &current, s.next_step())),
            s if !s.is_settled() => {
                ui.say(format!("{stack}: {s}: waiting for the operation in progress to finish"));
                info = wait_settled(cfn, stack, ui).await?;
            }
            StackStatus::DeleteComplete => return Ok(None),
            _ => return Ok(info),
        }
    }
    Ok(info)
}

fn no_changes_reason(reason: &str) -> bool {
    reason.contains("didn't contain changes") || reason.contains("No updates are to be performed")
}

/// The most CloudFormation takes as an inline `TemplateBody`.
pub const MAX_INLINE_TEMPLATE: usize = 51_200;

/// The body sent to CloudFormation: the template as built, or without its indentation when
/// that is what keeps it under [`MAX_INLINE_TEMPLATE`] (build.rs checks that it does).
pub fn inline_body(template: &str) -> String {
    if template.len() <= MAX_INLINE_TEMPLATE {
        return template.to_string();
    }
    serde_json::from_str::<serde_json::Value>(template)
        .and_then(|v| serde_json::to_string(&v))
        .unwrap_or_else(|_| template.to_string())
}

/// Deploys one stack. Makes no write call when the template and tags are unchanged.
pub async fn deploy_stack<C: CloudFormation>(cfn: &C, plan: &StackPlan, ui: &Ui) -> Result<StackReport, DeployError> {
    let name = plan.name.as_str();
    let info = unblock(cfn, name, ui).await?;
    let deployed = match &info {
        Some(_) => Some(cfn.template(name).await?),
        None => None,
    };
    if let (Some(i), Some(old)) = (&info, &deployed) {
        if !plan.force && diff::same_template(old, &plan.template) && i.tags == plan.tags {
            return Ok(StackReport {
                stack: name.into(),
                outcome: StackOutcome::NoChanges {
                    outputs: i.outputs.clone(),
                },
            });
        }
    }
    let kind = if info.is_some() {
        ChangeSetType::Update
    } else {
        ChangeSetType::Create
    };
    let change_set = format!("sparkform-{}", now_ms());
    let req = ChangeSetRequest {
        stack: name.into(),
        name: change_set.clone(),
        template: inline_body(&plan.template),
        change_set_type: kind,
        tags: plan.tags.clone(),
        description: "sparkform deploy".into(),
    };
    cfn.create_change_set(&req).await?;
    let cs = loop {
        let cs = cfn.describe_change_set(name, &change_set).await?;
        if cs.status.is_settled() {
            break cs;
        }
        tokio::time::sleep(ui.poll).await;
    };
    if cs.status != ChangeSetStatus::CreateComplete {
        let reason = cs.reason.clone().unwrap_or_default();
        if no_changes_reason(&reason) {
            cfn.delete_change_set(name, &change_set).await?;
            return Ok(StackReport {
                stack: name.into(),
                outcome: StackOutcome::NoChanges {
                    outputs: info.map(|i| i.outputs).unwrap_or_default(),
                },
            });
        }
        return Err(DeployError::ChangeSetFailed {
            stack: name.into(),
            reason: if reason.is_empty() {
                cs.status.to_string()
            } else {
                reason
            },
        });
    }
    ui.say(format!("{name}: {} change(s)", cs.changes.len()));
    for line in diff::describe_changes(&cs.changes, deployed.as_deref(), &plan.template) {
        ui.say(format!("  {line}"));
    }
    if !ui.confirm(&format!("deploy these changes to {name}?")) {
        cfn.delete_change_set(name, &change_set).await?;
        return Err(DeployError::Declined {
            stack: name.into(),
            action: "deployed".into(),
        });
    }
    let started = now_ms() - 1000;
    if let Err(e) = cfn.execute_change_set(name, &change_set).await {
        return Err(execute_failed(cfn, name, e).await);
    }
    let done = follow_execution(cfn, name, &change_set, plan.resources as u64, started, ui).await?;
    if done.status.is_failure() || done.status == StackStatus::DeleteComplete {
        let events = cfn.events(name).await.unwrap_or_default();
        return Err(DeployError::Failed {
            stack: name.into(),
            resources: failed_resources(name, &events, started),
            next: next_after_failure(&done.status).into(),
            status: done.status,
            reason: done.reason,
        });
    }
    let outputs = done.outputs;
    let outcome = match kind {
        ChangeSetType::Create => StackOutcome::Created {
            outputs,
            changes: cs.changes,
        },
        ChangeSetType::Update => StackOutcome::Updated {
            outputs,
            changes: cs.changes,
        },
    };
    Ok(StackReport {
        stack: name.into(),
        outcome,
    })
}

/// ExecuteChangeSet refused. Stand-ins (moto) answer a resource's failure here, leaving a new
/// stack in REVIEW_IN_PROGRESS; that is the operation failing, the rest an AWS error.
async fn execute_failed<C: CloudFormation>(cfn: &C, name: &str, e: AwsError) -> DeployError {
    let Some(message) = e.message().map(str::to_string) else {
        return DeployError::Aws(e);
    };
    match cfn.describe(name).await {
        Ok(Some(i)) if i.status == StackStatus::ReviewInProgress => DeployError::Failed {
            stack: name.into(),
            next: next_after_failure(&i.status).into(),
            status: i.status,
            reason: Some(format!("ExecuteChangeSet: {}: {message}", e.code().unwrap_or("error"))),
            resources: Vec::new(),
        },
        _ => DeployError::Aws(e),
    }
}

/// What to do after a deploy ended in `status`.
pub fn next_after_failure(status: &StackStatus) -> &'static str {
    match status {
        StackStatus::RollbackComplete => {
            "fix the cause and deploy again: sparkform will offer to delete the failed stack and create it anew"
        }
        StackStatus::ReviewInProgress => {
            "fix the cause and deploy again: sparkform will offer to delete the stack it left behind (it has no resources) and create it anew"
        }
        StackStatus::UpdateRollbackComplete => "the stack is back at its previous version; fix the cause and deploy again",
        StackStatus::UpdateRollbackFailed => "deploy again to continue the rollback",
        StackStatus::DeleteComplete => "the stack was rolled back and deleted; fix the cause and deploy again",
        _ => "fix the cause and deploy again",
    }
}

/// Follows an executed change set until CloudFormation has started it (the change set's
/// execution status says so, or the stack has left its previous state) and finished it (the
/// stack settles out of REVIEW_IN_PROGRESS and the execution has ended). Right after
/// ExecuteChangeSet, DescribeStacks may still show the state from before: that is not the end.
pub async fn follow_execution<C: CloudFormation>(
    cfn: &C,
    stack: &str,
    change_set: &str,
    total: u64,
    since_ms: i64,
    ui: &Ui,
) -> Result<StackInfo, DeployError> {
    let mut watch = EventWatch::new(stack, total, since_ms, ui);
    let deadline = Instant::now() + ui.start_wait;
    let mut started = false;
    let mut seen_moving = false;
    loop {
        watch.poll(cfn).await?;
        // A change set is gone once its stack is deleted (a failed create rolled back).
        let execution = match cfn.describe_change_set(stack, change_set).await {
            Ok(cs) => Some(cs.execution_status),
            Err(e) if e.is_missing() => None,
            Err(e) => return Err(e.into()),
        };
        let Some(info) = cfn.describe(stack).await? else {
            return Ok(StackInfo::with_status(StackStatus::DeleteComplete));
        };
        let review = info.status == StackStatus::ReviewInProgress;
        let moving = !info.status.is_settled();
        seen_moving |= moving;
        started |= moving || execution.as_ref().is_none_or(ExecutionStatus::has_started);
        if started {
            // Seen moving and now settled ends it too, for a stand-in that never updates the
            // change set's execution status.
            let ended = execution.as_ref().is_none_or(ExecutionStatus::has_ended) || (seen_moving && !moving);
            if info.status.is_settled() && !review && ended {
                return Ok(info);
            }
            if review && execution == Some(ExecutionStatus::ExecuteFailed) {
                return Ok(info);
            }
        }
        if Instant::now() >= deadline && (!started || review) {
            let what = if started {
                "ran, but the stack still reads REVIEW_IN_PROGRESS"
            } else {
                "has not started"
            };
            return Err(DeployError::Blocked {
                stack: stack.into(),
                status: info.status,
                reason: Some(format!(
                    "change set {change_set} {what} after {} s",
                    ui.start_wait.as_secs()
                )),
                next: "look at the stack's events in the CloudFormation console, then deploy again".into(),
            });
        }
        tokio::time::sleep(ui.poll).await;
    }
}

/// Follows a stack being deleted until it is gone (or the delete fails).
pub async fn follow_delete<C: CloudFormation>(
    cfn: &C,
    stack: &str,
    total: u64,
    since_ms: i64,
    ui: &Ui,
) -> Result<StackInfo, DeployError> {
    let mut watch = EventWatch::new(stack, total, since_ms, ui);
    loop {
        watch.poll(cfn).await?;
        match cfn.describe(stack).await? {
            None => return Ok(StackInfo::with_status(StackStatus::DeleteComplete)),
            Some(i) if i.status.is_settled() => return Ok(i),
            Some(_) => tokio::time::sleep(ui.poll).await,
        }
    }
}
