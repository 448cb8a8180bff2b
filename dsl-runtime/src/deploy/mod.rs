//! `deploy`, `destroy` and `diff`. Deploy and destroy walk one graph of typed steps (the
//! contract's [`Graph`]: stacks, their assets, Kubernetes objects), independent steps at the
//! same time, destroy in reverse; see `graph.rs` (the executor) and `steps.rs` (the work).

pub mod api;
pub mod diff;
pub mod empty;
pub mod error;
pub mod events;
pub mod graph;
pub mod kube;
pub mod outputs;
pub mod publish;
pub mod sdk;
pub mod stack;
pub mod status;
pub mod steps;
pub mod ui;

pub use error::DeployError;
pub use graph::{run_graph, RunReport, StepResult, StepRunner};
pub use sparkform_assembly::steps::{Graph, Step};
pub use steps::{DeployRun, Deployed, Deployer, DestroyReport, DestroyRun, Removed};

use crate::assembly::{Assembly, Stack};
use std::collections::BTreeSet;

fn check_names(asm: &Assembly, only: &[String]) -> Result<(), DeployError> {
    for name in only {
        if asm.stack(name).is_none() {
            let known: Vec<&str> = asm.manifest.stacks.iter().map(|s| s.name.as_str()).collect();
            return Err(DeployError::Invalid(format!(
                "there is no stack `{name}`; the stacks are: {}",
                known.join(", ")
            )));
        }
    }
    Ok(())
}

/// The deploy graph of the named stacks (all when none): the stacks, what they wait for, and
/// the assets of every stack deployed.
pub fn deploy_graph(asm: &Assembly, only: &[String]) -> Result<Graph, DeployError> {
    check_names(asm, only)?;
    let m = &asm.manifest;
    let full = Graph::deploy(m);
    let selected = full.select(m, only);
    let mut keep: BTreeSet<Step> = selected.steps().cloned().collect();
    for step in selected.steps() {
        if let Step::Stack(s) = step {
            let assets = Step::Assets(s.clone());
            if full.after.contains_key(&assets) {
                keep.insert(assets);
            }
        }
    }
    let g = full.restricted(&keep);
    g.levels().map_err(|c| DeployError::Invalid(c.to_string()))?;
    Ok(g)
}

/// The destroy graph of the named stacks (all when none): the deploy graph reversed, so
/// dependents go first and Kubernetes objects before their cluster's stack. A named stack
/// that another deployed-with-it stack depends on must be named with it.
pub fn destroy_graph(asm: &Assembly, only: &[String]) -> Result<Graph, DeployError> {
    check_names(asm, only)?;
    let m = &asm.manifest;
    let g = Graph::deploy(m).reversed().select(m, only);
    let extra: Vec<&str> = g
        .steps()
        .filter_map(|s| match s {
            Step::Stack(n) if !only.is_empty() && !only.contains(n) => Some(n.as_str()),
            _ => None,
        })
        .collect();
    if !extra.is_empty() {
        return Err(DeployError::Invalid(format!(
            "{} depend(s) on {}: CloudFormation cannot delete a stack whose exports are in use. Destroy them together: `destroy {} {}`",
            extra.join(", "),
            only.join(", "),
            only.join(" "),
            extra.join(" ")
        )));
    }
    g.levels().map_err(|c| DeployError::Invalid(c.to_string()))?;
    Ok(g)
}

/// The stacks of a graph, in the order it runs them.
pub fn stacks_of<'a>(asm: &'a Assembly, g: &Graph) -> Vec<&'a Stack> {
    g.levels()
        .unwrap_or_default()
        .into_iter()
        .flatten()
        .filter_map(|s| match s {
            Step::Stack(n) => asm.stack(&n),
            _ => None,
        })
        .collect()
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
