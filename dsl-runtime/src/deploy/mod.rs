//! `deploy`, `destroy` and `diff`: the stacks of the assembly in dependency order, each
//! through change sets (see `stack.rs`), independent stacks at the same time.

pub mod api;
pub mod diff;
pub mod publish;
pub mod sdk;
pub mod stack;
pub mod ui;

use crate::assembly::{Assembly, StackEntry};
use api::CloudFormation;
use futures_util::future::join_all;
use stack::{StackPlan, StackReport};
use std::collections::{BTreeMap, BTreeSet};
use ui::Ui;

/// The stacks to act on, in levels: every stack's dependencies are in earlier levels.
/// Naming stacks selects them and what they depend on.
pub fn levels<'a>(asm: &'a Assembly, only: &[String]) -> Result<Vec<Vec<&'a StackEntry>>, String> {
    let stacks = &asm.manifest.stacks;
    for name in only {
        if asm.stack(name).is_none() {
            let known: Vec<&str> = stacks.iter().map(|s| s.name.as_str()).collect();
            return Err(format!(
                "there is no stack `{name}`; the stacks are: {}",
                known.join(", ")
            ));
        }
    }
    let mut wanted: BTreeSet<&str> = if only.is_empty() {
        stacks.iter().map(|s| s.name.as_str()).collect()
    } else {
        only.iter().map(String::as_str).collect()
    };
    loop {
        let more: Vec<&str> = wanted
            .iter()
            .filter_map(|n| asm.stack(n))
            .flat_map(|s| s.depends_on.iter().map(String::as_str))
            .filter(|d| !wanted.contains(d))
            .collect();
        if more.is_empty() {
            break;
        }
        wanted.extend(more);
    }
    let mut placed: BTreeSet<&str> = BTreeSet::new();
    let mut out = Vec::new();
    while placed.len() < wanted.len() {
        let level: Vec<&StackEntry> = stacks
            .iter()
            .filter(|s| wanted.contains(s.name.as_str()) && !placed.contains(s.name.as_str()))
            .filter(|s| {
                s.depends_on
                    .iter()
                    .all(|d| placed.contains(d.as_str()) || !wanted.contains(d.as_str()))
            })
            .collect();
        if level.is_empty() {
            return Err("the stacks depend on each other in a cycle".into());
        }
        placed.extend(level.iter().map(|s| s.name.as_str()));
        out.push(level);
    }
    Ok(out)
}

fn plan(asm: &Assembly, s: &StackEntry, force: bool) -> StackPlan {
    let mut tags = BTreeMap::new();
    tags.insert("sparkform:app".to_string(), asm.manifest.crate_name.clone());
    StackPlan {
        name: s.name.clone(),
        template: asm.template_text(s),
        tags,
        resources: s.resources,
        force,
    }
}

/// Deploys the selected stacks in order. Independent stacks of a level run at the same time
/// when no question needs asking (`--yes`); a failed level stops what depends on it.
pub async fn deploy<C: CloudFormation>(
    cfn: &C,
    asm: &Assembly,
    only: &[String],
    ui: &Ui,
    force: bool,
) -> Result<Vec<StackReport>, String> {
    let mut reports = Vec::new();
    for level in levels(asm, only)? {
        let plans: Vec<StackPlan> = level.iter().map(|s| plan(asm, s, force)).collect();
        let results = if ui.yes {
            join_all(plans.iter().map(|p| stack::deploy_stack(cfn, p, ui))).await
        } else {
            let mut r = Vec::new();
            for p in &plans {
                r.push(stack::deploy_stack(cfn, p, ui).await);
            }
            r
        };
        let mut errors = Vec::new();
        for r in results {
            match r {
                Ok(report) => reports.push(report),
                Err(e) => errors.push(e),
            }
        }
        if !errors.is_empty() {
            return Err(errors.join("\n"));
        }
    }
    Ok(reports)
}

/// What `destroy` keeps: resources whose DeletionPolicy is Retain.
pub fn retained(template: &str) -> Vec<(String, String)> {
    let v: serde_json::Value = serde_json::from_str(template).unwrap_or_default();
    v.get("Resources")
        .and_then(|r| r.as_object())
        .map(|r| {
            r.iter()
                .filter(|(_, x)| x.get("DeletionPolicy").and_then(|p| p.as_str()) == Some("Retain"))
                .map(|(id, x)| {
                    (
                        id.clone(),
                        x.get("Type").and_then(|t| t.as_str()).unwrap_or_default().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Result of destroying one stack.
#[derive(Debug)]
pub struct DestroyReport {
    pub stack: String,
    pub deleted: bool,
    /// (logical id, type) of resources CloudFormation keeps in the account.
    pub kept: Vec<(String, String)>,
}

/// Deletes the selected stacks, dependents first. Retained data stays, and is listed.
pub async fn destroy<C: CloudFormation>(
    cfn: &C,
    asm: &Assembly,
    only: &[String],
    ui: &Ui,
) -> Result<Vec<DestroyReport>, String> {
    let mut order: Vec<&StackEntry> = if only.is_empty() {
        levels(asm, &[])?.into_iter().flatten().collect()
    } else {
        levels(asm, only)?
            .into_iter()
            .flatten()
            .filter(|s| only.contains(&s.name))
            .collect()
    };
    order.reverse();
    let names: Vec<&str> = order.iter().map(|s| s.name.as_str()).collect();
    if !ui.confirm(&format!(
        "delete the stacks {}? (retained data is kept)",
        names.join(", ")
    )) {
        return Err("nothing was deleted; run destroy with --yes to delete without asking".into());
    }
    let mut reports = Vec::new();
    for s in order {
        let Some(info) = cfn.describe(&s.name).await? else {
            ui.say(format!("{}: not deployed", s.name));
            reports.push(DestroyReport {
                stack: s.name.clone(),
                deleted: false,
                kept: Vec::new(),
            });
            continue;
        };
        if !stack::is_settled(&info.status) {
            ui.say(format!(
                "{}: {}: waiting for the operation in progress to finish",
                s.name, info.status
            ));
            stack::wait_settled(cfn, &s.name, ui).await?;
        }
        let deployed = cfn.template(&s.name).await.unwrap_or_default();
        let kept = retained(&deployed);
        let started = chrono_ms() - 1000;
        cfn.delete_stack(&s.name).await?;
        let end = stack::follow(cfn, &s.name, s.resources as u64, started, ui).await?;
        if end.status != "DELETE_COMPLETE" {
            let events = cfn.events(&s.name).await.unwrap_or_default();
            return Err(stack::failure_message(&s.name, &end, &events, started));
        }
        for (id, ty) in &kept {
            ui.say(format!("{}: kept {id} ({ty})", s.name));
        }
        ui.say(format!("{}: deleted", s.name));
        reports.push(DestroyReport {
            stack: s.name.clone(),
            deleted: true,
            kept,
        });
    }
    Ok(reports)
}

fn chrono_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}
