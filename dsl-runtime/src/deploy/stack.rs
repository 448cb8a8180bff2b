//! Deploying one stack: settle blocked states, skip it when nothing changed, otherwise
//! create a change set, show it, execute it and follow its events to the end.

use super::api::{Change, ChangeSetRequest, CloudFormation, Event, StackInfo};
use super::diff;
use super::ui::Ui;
use std::collections::{BTreeMap, HashSet};
use std::time::{SystemTime, UNIX_EPOCH};

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

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Unchanged,
    Created,
    Updated,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Unchanged => "no changes",
            Outcome::Created => "created",
            Outcome::Updated => "updated",
        }
    }
}

#[derive(Clone, Debug)]
pub struct StackReport {
    pub stack: String,
    pub outcome: Outcome,
    pub outputs: BTreeMap<String, String>,
    pub changes: Vec<Change>,
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

/// Statuses a stack settles in; anything else is still moving.
pub fn is_settled(status: &str) -> bool {
    !status.ends_with("_IN_PROGRESS") || status == "REVIEW_IN_PROGRESS"
}

/// Statuses that mean the last operation failed.
pub fn is_failure(status: &str) -> bool {
    status.ends_with("_FAILED") || status.contains("ROLLBACK")
}

/// Polls until the stack settles; `None` once it is gone.
pub async fn wait_settled<C: CloudFormation>(cfn: &C, stack: &str, ui: &Ui) -> Result<Option<StackInfo>, String> {
    loop {
        let info = cfn.describe(stack).await?;
        match &info {
            Some(i) if !is_settled(&i.status) => tokio::time::sleep(ui.poll).await,
            _ => return Ok(info),
        }
    }
}

/// Brings a stack out of states that block a deploy. Returns the stack as it then is.
async fn unblock<C: CloudFormation>(cfn: &C, stack: &str, ui: &Ui) -> Result<Option<StackInfo>, String> {
    let mut info = cfn.describe(stack).await?;
    for _ in 0..5 {
        let Some(status) = info.as_ref().map(|i| i.status.clone()) else {
            return Ok(None);
        };
        match status.as_str() {
            "ROLLBACK_COMPLETE" => {
                ui.say(format!("{stack}: ROLLBACK_COMPLETE: its first creation failed, and CloudFormation cannot update such a stack"));
                if !ui.confirm(&format!("delete {stack} and create it again?")) {
                    return Err(format!(
                        "{stack} is ROLLBACK_COMPLETE and was left as it is; run deploy with --yes to delete and recreate it (it holds no data: the first creation failed)"
                    ));
                }
                cfn.delete_stack(stack).await?;
                info = wait_settled(cfn, stack, ui).await?;
            }
            "UPDATE_ROLLBACK_FAILED" => {
                ui.say(format!("{stack}: UPDATE_ROLLBACK_FAILED: continuing the rollback"));
                cfn.continue_update_rollback(stack).await?;
                info = wait_settled(cfn, stack, ui).await?;
            }
            "DELETE_FAILED" | "ROLLBACK_FAILED" => {
                let reason = info.as_ref().and_then(|i| i.reason.clone()).unwrap_or_default();
                return Err(format!(
                    "{stack} is {status} ({reason}); fix or remove the resources CloudFormation could not delete (see its events), then run destroy again"
                ));
            }
            s if !is_settled(s) => {
                ui.say(format!("{stack}: {s}: waiting for the operation in progress to finish"));
                info = wait_settled(cfn, stack, ui).await?;
            }
            "DELETE_COMPLETE" => return Ok(None),
            _ => return Ok(info),
        }
    }
    Ok(info)
}

/// Deploys one stack. Makes no write call when the template and tags are unchanged.
pub async fn deploy_stack<C: CloudFormation>(cfn: &C, plan: &StackPlan, ui: &Ui) -> Result<StackReport, String> {
    let name = plan.name.as_str();
    let info = unblock(cfn, name, ui).await?;
    let exists = info.as_ref().is_some_and(|i| i.status != "REVIEW_IN_PROGRESS");
    let deployed = if exists { Some(cfn.template(name).await?) } else { None };
    if let (Some(i), Some(old)) = (&info, &deployed) {
        if !plan.force && diff::same_template(old, &plan.template) && i.tags == plan.tags {
            return Ok(StackReport {
                stack: name.into(),
                outcome: Outcome::Unchanged,
                outputs: i.outputs.clone(),
                changes: Vec::new(),
            });
        }
    }
    let change_set = format!("sparkform-{}", now_ms());
    let req = ChangeSetRequest {
        stack: name.into(),
        name: change_set.clone(),
        template: plan.template.clone(),
        change_set_type: if exists { "UPDATE" } else { "CREATE" },
        tags: plan.tags.clone(),
        description: "sparkform deploy".into(),
    };
    cfn.create_change_set(&req).await?;
    let cs = loop {
        let cs = cfn.describe_change_set(name, &change_set).await?;
        if cs.status == "CREATE_COMPLETE" || cs.status == "FAILED" || cs.status == "DELETE_COMPLETE" {
            break cs;
        }
        tokio::time::sleep(ui.poll).await;
    };
    if cs.status != "CREATE_COMPLETE" {
        let reason = cs.reason.clone().unwrap_or_default();
        if reason.contains("didn't contain changes") || reason.contains("No updates are to be performed") {
            cfn.delete_change_set(name, &change_set).await?;
            let outputs = info.map(|i| i.outputs).unwrap_or_default();
            return Ok(StackReport {
                stack: name.into(),
                outcome: Outcome::Unchanged,
                outputs,
                changes: Vec::new(),
            });
        }
        return Err(format!("{name}: the change set failed: {reason}"));
    }
    ui.say(format!("{name}: {} change(s)", cs.changes.len()));
    for line in diff::describe_changes(&cs.changes, deployed.as_deref(), &plan.template) {
        ui.say(format!("  {line}"));
    }
    if !ui.confirm(&format!("deploy these changes to {name}?")) {
        cfn.delete_change_set(name, &change_set).await?;
        return Err(format!(
            "{name}: not deployed (nothing was changed); run deploy with --yes to deploy without asking"
        ));
    }
    let started = now_ms() - 1000;
    cfn.execute_change_set(name, &change_set).await?;
    let done = follow(cfn, name, plan.resources as u64, started, ui).await?;
    // A stack that vanished during a deploy was rolled back and deleted: a failure too.
    if is_failure(&done.status) || done.status == "DELETE_COMPLETE" {
        let events = cfn.events(name).await.unwrap_or_default();
        return Err(failure_message(name, &done, &events, started));
    }
    let outcome = if exists { Outcome::Updated } else { Outcome::Created };
    Ok(StackReport {
        stack: name.into(),
        outcome,
        outputs: done.outputs,
        changes: cs.changes,
    })
}

/// Follows a stack's events until it settles, with a progress bar; returns its final state.
pub async fn follow<C: CloudFormation>(
    cfn: &C,
    stack: &str,
    total: u64,
    since_ms: i64,
    ui: &Ui,
) -> Result<StackInfo, String> {
    let progress = ui.progress(stack, total);
    let mut seen = HashSet::new();
    let mut done = 0u64;
    let result = loop {
        // A deleted stack is gone by name, events included: that is the end, not an error.
        let events = match cfn.events(stack).await {
            Ok(e) => e,
            Err(e) if e.contains("does not exist") => Vec::new(),
            Err(e) => break Err(e),
        };
        for e in events.iter().rev().filter(|e| e.time_ms >= since_ms) {
            if !seen.insert(e.id.clone()) {
                continue;
            }
            if e.logical_id != stack && (e.status.ends_with("_COMPLETE") || e.status.ends_with("_FAILED")) {
                done += 1;
            }
            progress.line(&event_line(e));
            progress.set(done.min(total), &e.status);
        }
        match cfn.describe(stack).await? {
            Some(i) if is_settled(&i.status) => break Ok(i),
            None => {
                break Ok(StackInfo {
                    status: "DELETE_COMPLETE".into(),
                    ..Default::default()
                })
            }
            Some(_) => tokio::time::sleep(ui.poll).await,
        }
    };
    progress.finish();
    result
}

fn event_line(e: &Event) -> String {
    let reason = e
        .reason
        .as_deref()
        .filter(|r| !r.is_empty())
        .map(|r| format!("  {r}"))
        .unwrap_or_default();
    format!("  {:<28} {:<40} {}{reason}", e.status, e.resource_type, e.logical_id)
}

/// The failure, with each failed resource's reason (the part users need).
pub fn failure_message(stack: &str, info: &StackInfo, events: &[Event], since_ms: i64) -> String {
    let mut reasons: Vec<String> = events
        .iter()
        .rev()
        .filter(|e| e.time_ms >= since_ms && e.status.ends_with("_FAILED") && e.logical_id != stack)
        .filter_map(|e| {
            let r = e.reason.as_deref()?;
            (!r.contains("Resource creation cancelled") && !r.contains("Resource update cancelled"))
                .then(|| format!("  {} ({}): {r}", e.logical_id, e.resource_type))
        })
        .collect();
    reasons.dedup();
    let head = format!("{stack} failed: {}", info.status);
    let next = match info.status.as_str() {
        "ROLLBACK_COMPLETE" => {
            "\nfix the cause and deploy again: sparkform will offer to delete the failed stack and create it anew"
        }
        "UPDATE_ROLLBACK_COMPLETE" => "\nthe stack is back at its previous version; fix the cause and deploy again",
        "UPDATE_ROLLBACK_FAILED" => "\ndeploy again to continue the rollback",
        _ => "",
    };
    if reasons.is_empty() {
        let why = info
            .reason
            .clone()
            .unwrap_or_else(|| "CloudFormation gave no reason".into());
        format!("{head}\n  {why}{next}")
    } else {
        format!("{head}\n{}{next}", reasons.join("\n"))
    }
}
