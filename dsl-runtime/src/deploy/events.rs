//! A stack's events as they come (lines above the progress display and the bar's count), and
//! the failed resources' reasons once an operation failed.

use super::api::{CloudFormation, Event};
use super::error::{DeployError, ResourceFailure};
use super::ui::{Progress, Ui};
use std::collections::HashSet;

/// The events of one stack operation, shown once each.
pub struct EventWatch<'a> {
    stack: &'a str,
    since_ms: i64,
    total: u64,
    seen: HashSet<String>,
    done: u64,
    progress: Progress,
}

impl<'a> EventWatch<'a> {
    pub fn new(stack: &'a str, total: u64, since_ms: i64, ui: &Ui) -> Self {
        EventWatch {
            stack,
            since_ms,
            total,
            seen: HashSet::new(),
            done: 0,
            progress: ui.progress(stack, total),
        }
    }

    /// Reads the events and shows the new ones.
    pub async fn poll<C: CloudFormation>(&mut self, cfn: &C) -> Result<(), DeployError> {
        // A deleted stack is gone by name, events included: that is the end, not an error.
        let events = match cfn.events(self.stack).await {
            Ok(e) => e,
            Err(e) if e.is_missing() => Vec::new(),
            Err(e) => return Err(e.into()),
        };
        for e in events.iter().rev().filter(|e| e.time_ms >= self.since_ms) {
            if !self.seen.insert(e.id.clone()) {
                continue;
            }
            if e.logical_id != self.stack && (e.status.ends_with("_COMPLETE") || e.status.ends_with("_FAILED")) {
                self.done += 1;
            }
            self.progress.line(&event_line(e));
            self.progress.set(self.done.min(self.total), &e.status);
        }
        Ok(())
    }
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

/// The resources that failed since `since_ms`, with their reasons; the "cancelled" noise of
/// resources stopped because another failed is left out.
pub fn failed_resources(stack: &str, events: &[Event], since_ms: i64) -> Vec<ResourceFailure> {
    let mut out: Vec<ResourceFailure> = Vec::new();
    for e in events.iter().rev() {
        if e.time_ms < since_ms || !e.status.ends_with("_FAILED") || e.logical_id == stack {
            continue;
        }
        let Some(reason) = e.reason.as_deref() else { continue };
        if reason.contains("Resource creation cancelled") || reason.contains("Resource update cancelled") {
            continue;
        }
        let f = ResourceFailure {
            logical_id: e.logical_id.clone(),
            resource_type: e.resource_type.clone(),
            status: e.status.clone(),
            reason: reason.to_string(),
        };
        if !out.contains(&f) {
            out.push(f);
        }
    }
    out
}
