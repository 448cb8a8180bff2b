//! What an apply would change: each object's server-side dry-run apply against its live
//! state, as field-path changes (`~ spec.limits.cpu: "1000" -> "2000"`).

use super::apply::{apply_params, get_live, patch, step, Options};
use super::cluster::Session;
use super::KubeError;
use serde::Serialize;
use serde_json::{Map, Value};
use sparkform_assembly::KubeGroup;
use std::fmt;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FieldChange {
    /// e.g. `spec.template.spec.requirements[2].values`, `metadata.labels["a.io/b"]`.
    pub path: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

impl fmt::Display for FieldChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.before, &self.after) {
            (None, Some(a)) => write!(f, "+ {}: {a}", self.path),
            (Some(b), None) => write!(f, "- {}: {b}", self.path),
            (Some(b), Some(a)) => write!(f, "~ {}: {b} -> {a}", self.path),
            (None, None) => write!(f, "  {}", self.path),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    Create,
    Update(Vec<FieldChange>),
    Unchanged,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ObjectDiff {
    pub object: String,
    pub change: Change,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GroupDiff {
    pub group: String,
    pub objects: Vec<ObjectDiff>,
}

impl GroupDiff {
    /// Every object to be created: the cluster does not exist yet.
    pub fn all_new(group: &KubeGroup) -> GroupDiff {
        GroupDiff {
            group: group.id.clone(),
            objects: group
                .crds
                .iter()
                .map(super::crds::describe)
                .chain(group.objects.iter().map(KubeGroup::describe))
                .map(|object| ObjectDiff {
                    object,
                    change: Change::Create,
                })
                .collect(),
        }
    }

    pub fn has_changes(&self) -> bool {
        self.objects.iter().any(|o| o.change != Change::Unchanged)
    }
}

impl fmt::Display for GroupDiff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for o in &self.objects {
            match &o.change {
                Change::Create => writeln!(f, "{}: + {} (create)", self.group, o.object)?,
                Change::Unchanged => writeln!(f, "{}:   {} (no changes)", self.group, o.object)?,
                Change::Update(changes) => {
                    writeln!(f, "{}: ~ {}", self.group, o.object)?;
                    for c in changes {
                        writeln!(f, "    {c}")?;
                    }
                }
            }
        }
        Ok(())
    }
}

/// Fields the server keeps for itself, which an apply neither sets nor compares.
fn comparable(mut v: Value) -> Value {
    if let Some(o) = v.as_object_mut() {
        o.remove("status");
        if let Some(m) = o.get_mut("metadata").and_then(Value::as_object_mut) {
            for k in [
                "managedFields",
                "resourceVersion",
                "generation",
                "creationTimestamp",
                "uid",
                "selfLink",
            ] {
                m.remove(k);
            }
        }
    }
    v
}

fn key_path(prefix: &str, key: &str) -> String {
    let plain = !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    match (prefix.is_empty(), plain) {
        (true, true) => key.to_string(),
        (false, true) => format!("{prefix}.{key}"),
        (_, false) => format!("{prefix}[{}]", Value::String(key.to_string())),
    }
}

/// The changes from `before` to `after`, by field path; arrays of equal length element by
/// element, others whole.
pub fn changes(before: &Value, after: &Value) -> Vec<FieldChange> {
    let mut out = Vec::new();
    walk("", Some(before), Some(after), &mut out);
    out
}

fn walk(path: &str, before: Option<&Value>, after: Option<&Value>, out: &mut Vec<FieldChange>) {
    match (before, after) {
        (Some(b), Some(a)) if b == a => {}
        (Some(Value::Object(b)), Some(Value::Object(a))) => walk_maps(path, b, a, out),
        (Some(Value::Array(b)), Some(Value::Array(a))) if b.len() == a.len() => {
            for (i, (x, y)) in b.iter().zip(a).enumerate() {
                walk(&format!("{path}[{i}]"), Some(x), Some(y), out);
            }
        }
        (None, None) => {}
        (b, a) => out.push(FieldChange {
            path: path.to_string(),
            before: b.cloned(),
            after: a.cloned(),
        }),
    }
}

fn walk_maps(path: &str, b: &Map<String, Value>, a: &Map<String, Value>, out: &mut Vec<FieldChange>) {
    for (k, x) in b {
        walk(&key_path(path, k), Some(x), a.get(k), out);
    }
    for (k, y) in a.iter().filter(|(k, _)| !b.contains_key(*k)) {
        walk(&key_path(path, k), None, Some(y), out);
    }
}

/// Each object against the cluster: missing ones are created, others compared with what a
/// server-side dry-run apply returns (defaults and other managers' fields included).
pub async fn diff(session: &Session, group: &KubeGroup, options: &Options) -> Result<GroupDiff, KubeError> {
    let mut objects = super::crds::diff(session, group).await?;
    for (index, value) in group.objects.iter().enumerate() {
        let s = match step(session, group, index, value).await {
            Ok(s) => s,
            // Served once what installs the kind is deployed.
            Err(KubeError::NotServed { object, .. }) => {
                objects.push(ObjectDiff {
                    object,
                    change: Change::Create,
                });
                continue;
            }
            Err(e) => return Err(e),
        };
        let object = s.object.describe();
        let Some(live) = get_live(session, &s).await? else {
            objects.push(ObjectDiff {
                object,
                change: Change::Create,
            });
            continue;
        };
        let (would, _) = patch(session, &s, &apply_params().dry_run(), options).await?;
        let live = comparable(serde_json::to_value(live).unwrap_or_default());
        let would = comparable(serde_json::to_value(would).unwrap_or_default());
        let c = changes(&live, &would);
        objects.push(ObjectDiff {
            object,
            change: if c.is_empty() {
                Change::Unchanged
            } else {
                Change::Update(c)
            },
        });
    }
    Ok(GroupDiff {
        group: group.id.clone(),
        objects,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn changes_name_each_field_path() {
        let before = json!({"metadata": {"name": "a", "labels": {"karpenter.sh/discovery": "x", "keep": "1"}, "resourceVersion": "5"},
            "spec": {"limits": {"cpu": "1000"}, "values": ["a", "b"], "gone": true}, "status": {"x": 1}});
        let after = json!({"metadata": {"name": "a", "labels": {"karpenter.sh/discovery": "y", "keep": "1"}, "resourceVersion": "6"},
            "spec": {"limits": {"cpu": "2000"}, "values": ["a", "c", "d"], "new": 1}, "status": {"x": 2}});
        let lines: Vec<String> = changes(&comparable(before), &comparable(after))
            .iter()
            .map(|c| c.to_string())
            .collect();
        assert_eq!(
            lines,
            [
                r#"~ metadata.labels["karpenter.sh/discovery"]: "x" -> "y""#,
                r#"~ spec.limits.cpu: "1000" -> "2000""#,
                r#"~ spec.values: ["a","b"] -> ["a","c","d"]"#,
                "- spec.gone: true",
                "+ spec.new: 1",
            ]
        );
        assert!(changes(&json!({"a": [1, {"b": 2}]}), &json!({"a": [1, {"b": 2}]})).is_empty());
        assert_eq!(
            changes(&json!({"a": [1, {"b": 2}]}), &json!({"a": [1, {"b": 3}]}))[0].path,
            "a[1].b"
        );
    }
}
