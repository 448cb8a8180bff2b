//! The seam between the executor and the Kubernetes module (the `kubernetes` feature: kube
//! with an EKS token): the executor resolves the cluster's name and calls [`KubeSteps`] for
//! each [`KubeGroup`] step. Without the feature, a manifest with Kubernetes objects is refused
//! before anything runs.

use crate::assembly::{KubeGroup, Manifest};
use futures_util::future::BoxFuture;

/// The group with its `${Name}` values read from the deployed stacks' outputs.
pub async fn filled<C: super::api::CloudFormation>(
    outputs: &super::outputs::Outputs<'_, C>,
    group: &KubeGroup,
) -> Result<KubeGroup, super::DeployError> {
    let mut resolved = std::collections::BTreeMap::new();
    for (name, value) in &group.values {
        resolved.insert(name.clone(), outputs.resolve(value).await?);
    }
    let objects = group.filled(&resolved).map_err(super::DeployError::Invalid)?;
    Ok(KubeGroup {
        objects,
        ..group.clone()
    })
}

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

/// The Kubernetes client for the CLI: server-side apply with kube, through an EKS token.
#[cfg(feature = "kubernetes")]
pub fn client(aws: &crate::aws::Aws) -> Option<Box<dyn KubeSteps>> {
    Some(Box::new(Kube(aws.eks.clone())))
}

/// [`KubeSteps`] on the `kubernetes` module.
#[cfg(feature = "kubernetes")]
struct Kube(crate::kubernetes::Eks);

#[cfg(feature = "kubernetes")]
impl KubeSteps for Kube {
    fn apply<'a>(&'a self, group: &'a KubeGroup, cluster: &'a str) -> BoxFuture<'a, Result<KubeReport, String>> {
        Box::pin(async move {
            // Each object as it is applied, a download, a CRD waited for: above the bars.
            let r = crate::kubernetes::apply_group(&self.0, group, cluster, &|l| super::ui::say_line(l))
                .await
                .map_err(|e| e.to_string())?;
            let (unchanged, changed): (Vec<_>, Vec<_>) = r
                .objects
                .into_iter()
                .partition(|o| o.outcome == crate::kubernetes::Outcome::Unchanged);
            Ok(KubeReport {
                group: r.group,
                changed: changed
                    .into_iter()
                    .map(|o| format!("{} {}", o.object, o.outcome))
                    .collect(),
                unchanged: unchanged.into_iter().map(|o| o.object).collect(),
            })
        })
    }

    fn delete<'a>(&'a self, group: &'a KubeGroup, cluster: &'a str) -> BoxFuture<'a, Result<KubeReport, String>> {
        Box::pin(async move {
            // Draining a NodePool's nodes takes minutes: say what is being waited for.
            let r = crate::kubernetes::delete_group(&self.0, group, cluster, &|l| super::ui::say_line(l))
                .await
                .map_err(|e| e.to_string())?;
            let (changed, unchanged): (Vec<_>, Vec<_>) = r
                .objects
                .into_iter()
                .partition(|(_, removal)| *removal == crate::kubernetes::Removal::Deleted);
            Ok(KubeReport {
                group: r.group,
                changed: changed.into_iter().map(|(o, _)| format!("{o} deleted")).collect(),
                unchanged: unchanged.into_iter().map(|(o, _)| o).collect(),
            })
        })
    }

    fn diff<'a>(&'a self, group: &'a KubeGroup, cluster: &'a str) -> BoxFuture<'a, Result<Vec<String>, String>> {
        Box::pin(async move {
            let d = crate::kubernetes::diff_group(&self.0, group, cluster)
                .await
                .map_err(|e| e.to_string())?;
            Ok(d.to_string().lines().map(str::to_string).collect())
        })
    }
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
    Err(format!(
        "this app applies Kubernetes objects ({}) to its EKS cluster, and sparkform was built without its `kubernetes` feature: enable it (`sparkform = {{ ..., features = [\"kubernetes\"] }}` in Cargo.toml) and build again",
        groups.join(", ")
    ))
}
