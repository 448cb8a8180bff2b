//! The Kubernetes objects of an EMR on EKS runtime (namespaces, quotas, network policies,
//! node pools and classes), applied by the runtime as steps of the deploy graph: after the
//! stack that creates the cluster, before the stacks that need them. Server-side apply with
//! kube, authenticated by an EKS token this process signs (no kubectl, aws CLI or Lambda),
//! so a private endpoint works wherever `deploy` can reach it.

pub mod apply;
pub mod cluster;
pub mod crds;
pub mod diff;
pub mod download;
mod error;
pub mod kinds;
pub mod objects;
pub mod token;

pub use apply::{ApplyReport, DeleteReport, ObjectReport, Options, Outcome, Removal, FIELD_MANAGER};
pub use cluster::{Cluster, ClusterInfo, Eks, Session};
pub use diff::{Change, FieldChange, GroupDiff, ObjectDiff};
pub use error::KubeError;

use sparkform_assembly::KubeGroup;

/// Applies `group` to the cluster named `cluster_name` (the group's `cluster`, resolved by
/// the caller), objects in order. Running it again changes nothing.
pub async fn apply_group(
    eks: &Eks,
    group: &KubeGroup,
    cluster_name: &str,
    progress: &(dyn Fn(&str) + Sync),
) -> Result<ApplyReport, KubeError> {
    let session = Session::connect(eks, cluster_name, group.role.as_deref()).await?;
    apply::apply(&session, group, progress, &Options::default()).await
}

/// Deletes `group`'s objects in reverse order, waiting for each to be gone; for `destroy`,
/// before the cluster's stack. A cluster that no longer exists has nothing to delete.
pub async fn delete_group(
    eks: &Eks,
    group: &KubeGroup,
    cluster_name: &str,
    progress: &(dyn Fn(&str) + Sync),
) -> Result<DeleteReport, KubeError> {
    let session = match Session::connect(eks, cluster_name, group.role.as_deref()).await {
        Ok(s) => s,
        Err(KubeError::ClusterNotFound(_)) => {
            return Ok(DeleteReport {
                group: group.id.clone(),
                cluster: cluster_name.to_string(),
                objects: group
                    .objects
                    .iter()
                    .rev()
                    .map(KubeGroup::describe)
                    .chain(group.crds.iter().rev().map(crds::describe))
                    .map(|o| (o, Removal::Absent))
                    .collect(),
            })
        }
        Err(e) => return Err(e),
    };
    apply::delete(&session, group, progress, &Options::default()).await
}

/// What [`apply_group`] would change. Before the cluster exists, everything is new.
pub async fn diff_group(eks: &Eks, group: &KubeGroup, cluster_name: &str) -> Result<GroupDiff, KubeError> {
    match Session::connect(eks, cluster_name, group.role.as_deref()).await {
        Ok(session) => diff::diff(&session, group, &Options::default()).await,
        Err(KubeError::ClusterNotFound(_)) => Ok(GroupDiff::all_new(group)),
        Err(e) => Err(e),
    }
}
