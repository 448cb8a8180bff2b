//! The seam between the executor and the Kubernetes module (the `kubernetes` feature: kube
//! with an EKS token): the executor resolves the cluster's name and calls [`KubeSteps`] for
//! each [`KubeGroup`] step. Without the feature, a manifest with Kubernetes objects is refused
//! before anything runs.

use crate::assembly::{KubeGroup, Manifest};
use futures_util::future::BoxFuture;

/// What applying, deleting or diffing one group did, object by object (`kind/namespace/name`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KubeReport {
    pub group: String,
    /// Objects created or changed (or deleted, for a destroy).
    pub changed: Vec<String>,
    /// Objects that were already as declared (or already gone).
    pub unchanged: Vec<String>,
}

/// The Kubernetes work of the deploy graph, on the EKS cluster named `cluster`. Errors are
/// messages a person can act on.
pub trait KubeSteps: Sync {
    /// Server-side apply of the group's objects, in order.
    fn apply<'a>(&'a self, group: &'a KubeGroup, cluster: &'a str) -> BoxFuture<'a, Result<KubeReport, String>>;
    /// Deletes the group's objects, in reverse order.
    fn delete<'a>(&'a self, group: &'a KubeGroup, cluster: &'a str) -> BoxFuture<'a, Result<KubeReport, String>>;
    /// What an apply would change, one line per object.
    fn diff<'a>(&'a self, group: &'a KubeGroup, cluster: &'a str) -> BoxFuture<'a, Result<Vec<String>, String>>;
}

/// The Kubernetes client for the CLI. The `kubernetes` module provides it; until it is wired
/// here, a manifest with Kubernetes objects is refused with a message that says so.
#[cfg(feature = "kubernetes")]
pub fn client(_aws: &crate::aws::Aws) -> Option<Box<dyn KubeSteps>> {
    None
}

/// Refuses a manifest with Kubernetes objects when there is nothing to apply them with.
pub fn check(m: &Manifest, client: Option<&dyn KubeSteps>) -> Result<(), String> {
    if m.kubernetes.is_empty() || client.is_some() {
        return Ok(());
    }
    let groups: Vec<String> = m
        .kubernetes
        .iter()
        .map(|g| format!("{} of {}", g.id, g.construct))
        .collect();
    if cfg!(feature = "kubernetes") {
        Err(format!(
            "this app applies Kubernetes objects ({}), and this sparkform has no Kubernetes client wired in; use a sparkform release whose `kubernetes` feature is complete",
            groups.join(", ")
        ))
    } else {
        Err(format!(
            "this app applies Kubernetes objects ({}) to its EKS cluster, and sparkform was built without its `kubernetes` feature: enable it (`sparkform = {{ ..., features = [\"kubernetes\"] }}` in Cargo.toml) and build again",
            groups.join(", ")
        ))
    }
}
