//! The Kubernetes objects the runtime applies (server-side apply, as a step of the deploy
//! graph after the cluster's stack and before the virtual clusters' one): each created
//! namespace with its pod-security labels and network policy, the opt-in quota and default
//! requests (DSF's default quota broke jobs with sidecars: PR 512), the default node
//! classes and pools, and the crate's own node pools.

use super::model::{Capacity, EmrEksRuntime, Quota, VirtualCluster};
use super::{karpenter, profiles};
use serde_json::{json, Value as Json};

/// Every object, in apply order: Karpenter's controller first (deleted last, so it drains
/// the nodes of the pools deleted before it), namespaces before what lives in them, node
/// classes before the pools that name them.
pub fn objects(r: &EmrEksRuntime, zones: &[String]) -> Vec<Json> {
    let mut out = Vec::new();
    if r.capacity == Capacity::Karpenter {
        out.extend(karpenter::objects(r));
    }
    let created: Vec<&VirtualCluster> = r.virtual_clusters.iter().filter(|v| v.create_namespace).collect();
    for vc in &created {
        out.push(json!({
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {
                "name": vc.namespace,
                "labels": {
                    "pod-security.kubernetes.io/enforce": "baseline",
                    "pod-security.kubernetes.io/enforce-version": "latest",
                    "app.kubernetes.io/managed-by": "sparkform",
                },
            },
        }));
    }
    for vc in &created {
        out.push(network_policy(&vc.namespace));
        if let Some(q) = &vc.quota {
            out.push(quota(&vc.namespace, q));
        }
        if let Some(d) = &vc.default_requests {
            out.push(limit_range(&vc.namespace, d));
        }
    }
    if r.has_profiles() {
        out.extend(profiles::node_objects(r, zones));
    }
    // The crate's node classes before its pools, each group in file order.
    let user: Vec<&Json> = r.node_pools.iter().flat_map(|f| &f.objects).collect();
    out.extend(user.iter().filter(|o| o["kind"] != "NodePool").map(|o| (*o).clone()));
    out.extend(user.iter().filter(|o| o["kind"] == "NodePool").map(|o| (*o).clone()));
    out
}

/// DSF's `allow-pod-to-pod-and-internet`: pods of the namespace reach each other (driver
/// and executors) and anything outside the cluster; nothing else reaches them.
fn network_policy(namespace: &str) -> Json {
    json!({
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": { "name": "allow-pod-to-pod-and-internet", "namespace": namespace },
        "spec": {
            "podSelector": {},
            "policyTypes": ["Ingress", "Egress"],
            "ingress": [{ "from": [{ "podSelector": {} }] }],
            "egress": [{ "to": [{ "ipBlock": { "cidr": "0.0.0.0/0" } }] }],
        },
    })
}

fn quota(namespace: &str, q: &Quota) -> Json {
    json!({
        "apiVersion": "v1",
        "kind": "ResourceQuota",
        "metadata": { "name": "compute-resources", "namespace": namespace },
        "spec": { "hard": { "requests.cpu": q.cpu, "requests.memory": q.memory } },
    })
}

/// Requests for containers that set none (sidecars included), so a quota can count them.
fn limit_range(namespace: &str, d: &Quota) -> Json {
    json!({
        "apiVersion": "v1",
        "kind": "LimitRange",
        "metadata": { "name": "default-requests", "namespace": namespace },
        "spec": { "limits": [{ "type": "Container", "defaultRequest": { "cpu": d.cpu, "memory": d.memory } }] },
    })
}
