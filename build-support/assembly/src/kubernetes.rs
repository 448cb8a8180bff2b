//! Kubernetes objects the runtime applies to an EKS cluster (server-side apply), as steps of
//! the deploy graph: after the stack that creates the cluster, before the stacks that need
//! them (an EMR virtual cluster needs its namespace).

use crate::value_ref::ValueRef;
use serde::{Deserialize, Serialize};

/// Objects applied together, in order, to one cluster.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct KubeGroup {
    /// Unique in the manifest, e.g. `EksManifests`.
    pub id: String,
    /// The construct handle the objects belong to.
    pub construct: String,
    /// The EKS cluster's name.
    pub cluster: ValueRef,
    /// The stack that creates the cluster: applied after it.
    pub after_stack: String,
    /// Stacks deployed only once these objects exist.
    #[serde(default)]
    pub before_stacks: Vec<String>,
    /// The objects, in apply order (namespaces first); deleted in reverse.
    pub objects: Vec<serde_json::Value>,
}

impl KubeGroup {
    /// `kind/namespace/name` of an object, for progress lines and diffs.
    pub fn describe(object: &serde_json::Value) -> String {
        let kind = object["kind"].as_str().unwrap_or("?");
        let name = object["metadata"]["name"].as_str().unwrap_or("?");
        match object["metadata"]["namespace"].as_str() {
            Some(ns) => format!("{kind}/{ns}/{name}"),
            None => format!("{kind}/{name}"),
        }
    }
}
