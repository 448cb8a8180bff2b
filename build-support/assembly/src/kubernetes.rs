//! Kubernetes objects the runtime applies to an EKS cluster (server-side apply), as steps of
//! the deploy graph: after the stack that creates the cluster, before the stacks that need
//! them (an EMR virtual cluster needs its namespace).

use crate::value_ref::ValueRef;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

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
    /// The objects, in apply order (namespaces first); deleted in reverse. Their strings may
    /// hold `${Name}` for a value of [`KubeGroup::values`].
    pub objects: Vec<serde_json::Value>,
    /// Values known once stacks are deployed (a role name, a subnet's zone), by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub values: BTreeMap<String, ValueRef>,
    /// The IAM role the objects are applied as (the cluster's admin role), when the
    /// deployer's own identity has no access entry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// Upstream CustomResourceDefinitions (a controller's, e.g. Karpenter's), downloaded and
    /// applied before [`KubeGroup::objects`], and deleted after them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub crds: Vec<RemoteCrd>,
    /// Where a runner that must reach the cluster's endpoint from inside its VPC goes (a
    /// pipeline's CodeBuild project).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<KubeNetwork>,
}

/// The cluster's VPC as a runner inside it needs it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct KubeNetwork {
    pub vpc_id: ValueRef,
    /// Comma-separated private subnet ids.
    pub subnet_ids: ValueRef,
    /// The cluster security group EKS creates: members reach the control plane.
    pub security_group_id: ValueRef,
}

/// A CustomResourceDefinition published as one YAML file, pinned by its SHA-256: the
/// runtime refuses other bytes, so a moved tag or a tampered mirror cannot change what is
/// applied. Downloaded once into the cache (where an offline machine can be given it).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct RemoteCrd {
    /// `plural.group`, the object's `metadata.name` (checked after download).
    pub name: String,
    pub url: String,
    /// Lowercase hex SHA-256 of the file's bytes.
    pub sha256: String,
}

impl KubeGroup {
    /// The objects with every `${Name}` of [`KubeGroup::values`] replaced by `resolved`'s
    /// value for it; an unresolved name is an error naming it.
    pub fn filled(&self, resolved: &BTreeMap<String, String>) -> Result<Vec<serde_json::Value>, String> {
        fn walk(
            v: &serde_json::Value,
            f: &dyn Fn(&str) -> Result<String, String>,
        ) -> Result<serde_json::Value, String> {
            use serde_json::Value;
            Ok(match v {
                Value::String(s) => Value::String(f(s)?),
                Value::Array(items) => Value::Array(items.iter().map(|i| walk(i, f)).collect::<Result<_, _>>()?),
                Value::Object(m) => Value::Object(
                    m.iter()
                        .map(|(k, x)| Ok((f(k)?, walk(x, f)?)))
                        .collect::<Result<_, String>>()?,
                ),
                other => other.clone(),
            })
        }
        let fill = |text: &str| {
            crate::placeholder::substitute(text, |name| {
                self.values.contains_key(name).then(|| {
                    resolved
                        .get(name)
                        .cloned()
                        .ok_or_else(|| format!("no value for `${{{name}}}` of {}", self.id))
                })
            })
        };
        self.objects.iter().map(|o| walk(o, &fill)).collect()
    }

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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn group() -> KubeGroup {
        let mut values = BTreeMap::new();
        values.insert("NodeRole".to_string(), ValueRef::output("cluster", "NodeRoleName"));
        values.insert("Zone1".to_string(), ValueRef::output("cluster", "Zone1"));
        KubeGroup {
            id: "Objects".into(),
            construct: "EKS".into(),
            cluster: ValueRef::literal("data-platform"),
            after_stack: "cluster".into(),
            before_stacks: Vec::new(),
            objects: vec![
                json!({ "spec": { "role": "${NodeRole}", "zones": ["${Zone1}"], "keep": "${AWS::Region}", "n": 1 } }),
            ],
            values,
            role: None,
            crds: Vec::new(),
            network: None,
        }
    }

    #[test]
    fn filled_replaces_declared_values_only() {
        let resolved: BTreeMap<String, String> = [("NodeRole", "node-role"), ("Zone1", "us-east-1a")]
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .into();
        let objects = group().filled(&resolved).unwrap();
        assert_eq!(
            objects[0],
            json!({ "spec": { "role": "node-role", "zones": ["us-east-1a"], "keep": "${AWS::Region}", "n": 1 } })
        );
        let missing: BTreeMap<String, String> = [("NodeRole".to_string(), "r".to_string())].into();
        assert_eq!(
            group().filled(&missing).unwrap_err(),
            "no value for `${Zone1}` of Objects"
        );
    }
}
