//! Where each kind lives in the API: its plural (the URL segment) and whether it is
//! namespaced. The kinds sparkform writes are known; any other kind a user writes is looked
//! up through discovery.

use super::{objects::Object, KubeError};
use kube::core::{ApiResource, GroupVersionKind};
use kube::discovery::Scope;

/// (apiVersion, kind, plural, namespaced)
const KNOWN: &[(&str, &str, &str, bool)] = &[
    ("v1", "Namespace", "namespaces", false),
    ("v1", "ResourceQuota", "resourcequotas", true),
    ("v1", "LimitRange", "limitranges", true),
    ("v1", "ServiceAccount", "serviceaccounts", true),
    ("v1", "ConfigMap", "configmaps", true),
    ("v1", "Service", "services", true),
    ("apps/v1", "Deployment", "deployments", true),
    ("policy/v1", "PodDisruptionBudget", "poddisruptionbudgets", true),
    (
        "apiextensions.k8s.io/v1",
        "CustomResourceDefinition",
        "customresourcedefinitions",
        false,
    ),
    ("networking.k8s.io/v1", "NetworkPolicy", "networkpolicies", true),
    ("rbac.authorization.k8s.io/v1", "Role", "roles", true),
    ("rbac.authorization.k8s.io/v1", "RoleBinding", "rolebindings", true),
    ("rbac.authorization.k8s.io/v1", "ClusterRole", "clusterroles", false),
    (
        "rbac.authorization.k8s.io/v1",
        "ClusterRoleBinding",
        "clusterrolebindings",
        false,
    ),
    ("karpenter.sh/v1", "NodePool", "nodepools", false),
    ("karpenter.k8s.aws/v1", "EC2NodeClass", "ec2nodeclasses", false),
    ("eks.amazonaws.com/v1", "NodeClass", "nodeclasses", false),
];

/// An object's API resource and scope.
#[derive(Clone, Debug)]
pub struct Target {
    pub resource: ApiResource,
    pub namespaced: bool,
}

fn gvk(api_version: &str, kind: &str) -> GroupVersionKind {
    match api_version.split_once('/') {
        Some((group, version)) => GroupVersionKind::gvk(group, version, kind),
        None => GroupVersionKind::gvk("", api_version, kind),
    }
}

/// A kind sparkform writes, without asking the cluster.
pub fn known(api_version: &str, kind: &str) -> Option<Target> {
    KNOWN
        .iter()
        .find(|(v, k, _, _)| *v == api_version && *k == kind)
        .map(|(_, _, plural, namespaced)| Target {
            resource: ApiResource::from_gvk_with_plural(&gvk(api_version, kind), plural),
            namespaced: *namespaced,
        })
}

/// What to do when the cluster does not serve a kind.
pub fn not_served_hint(api_version: &str) -> &'static str {
    match api_version.split('/').next().unwrap_or_default() {
        "karpenter.sh" => "the cluster needs EKS Auto Mode or Karpenter v1 before these objects (`capacity: karpenter` installs Karpenter first; with `node_groups`, install it yourself)",
        "karpenter.k8s.aws" => "the cluster needs Karpenter v1 (`capacity: karpenter` installs it first); with EKS Auto Mode use an eks.amazonaws.com/v1 NodeClass instead",
        "eks.amazonaws.com" => "turn on EKS Auto Mode on the cluster (compute, block storage and load balancing together): it serves NodeClass",
        _ => "install what defines this kind (its CRD) before this group, or check the apiVersion",
    }
}

/// The object's target: known, or through discovery of its group version.
pub async fn resolve(client: &kube::Client, object: &Object<'_>, cluster: &str) -> Result<Target, KubeError> {
    if let Some(t) = known(&object.api_version, &object.kind) {
        return Ok(t);
    }
    let not_served = || KubeError::NotServed {
        object: object.describe(),
        api_version: object.api_version.clone(),
        kind: object.kind.clone(),
        hint: not_served_hint(&object.api_version).to_string(),
    };
    match kube::discovery::pinned_kind(client, &gvk(&object.api_version, &object.kind)).await {
        Ok((resource, caps)) => Ok(Target {
            resource,
            namespaced: caps.scope == Scope::Namespaced,
        }),
        Err(kube::Error::Discovery(_)) => Err(not_served()),
        Err(kube::Error::Api(s)) if s.code == 404 => Err(not_served()),
        Err(e) => Err(super::apply::api_error(cluster, object, e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_pools_and_classes_are_cluster_scoped_and_quotas_namespaced() {
        for (v, k) in [
            ("karpenter.sh/v1", "NodePool"),
            ("karpenter.k8s.aws/v1", "EC2NodeClass"),
            ("eks.amazonaws.com/v1", "NodeClass"),
            ("v1", "Namespace"),
        ] {
            assert!(!known(v, k).unwrap().namespaced, "{k}");
        }
        let q = known("v1", "ResourceQuota").unwrap();
        assert!(q.namespaced);
        assert_eq!(
            (q.resource.group.as_str(), q.resource.plural.as_str()),
            ("", "resourcequotas")
        );
        let n = known("networking.k8s.io/v1", "NetworkPolicy").unwrap();
        assert_eq!(
            (n.resource.group.as_str(), n.resource.version.as_str()),
            ("networking.k8s.io", "v1")
        );
        assert!(known("v1", "PriorityClass").is_none());
    }
}
