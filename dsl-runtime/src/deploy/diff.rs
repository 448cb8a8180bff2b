//! Differences between a deployed template and the one built now: the same-template test
//! behind "no changes", and readable per-resource changes with replacement flags.

use super::api::Change;
use serde_json::Value;
use std::collections::BTreeSet;

/// Templates are equal when their JSON is (formatting and key order do not count).
pub fn same_template(a: &str, b: &str) -> bool {
    match (serde_json::from_str::<Value>(a), serde_json::from_str::<Value>(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

fn resources(template: Option<&str>) -> serde_json::Map<String, Value> {
    template
        .and_then(|t| serde_json::from_str::<Value>(t).ok())
        .and_then(|v| v.get("Resources").and_then(Value::as_object).cloned())
        .unwrap_or_default()
}

/// The top-level properties of a resource that differ between two templates.
pub fn changed_properties(old: &Value, new: &Value) -> Vec<String> {
    let empty = serde_json::Map::new();
    let o = old.get("Properties").and_then(Value::as_object).unwrap_or(&empty);
    let n = new.get("Properties").and_then(Value::as_object).unwrap_or(&empty);
    let keys: BTreeSet<&String> = o.keys().chain(n.keys()).collect();
    let mut out: Vec<String> = keys.into_iter().filter(|k| o.get(*k) != n.get(*k)).cloned().collect();
    for attr in ["DeletionPolicy", "UpdateReplacePolicy", "DependsOn", "Condition"] {
        if old.get(attr) != new.get(attr) {
            out.push(attr.to_string());
        }
    }
    out
}

/// A resource-level diff computed locally (for `diff`, which makes no write call).
pub fn local_changes(deployed: Option<&str>, new: &str) -> Vec<Change> {
    let old = resources(deployed);
    let new_r = resources(Some(new));
    let mut out = Vec::new();
    for (id, r) in &new_r {
        let ty = r.get("Type").and_then(Value::as_str).unwrap_or_default().to_string();
        match old.get(id) {
            None => out.push(Change {
                action: "Add".into(),
                logical_id: id.clone(),
                resource_type: ty,
                replacement: None,
            }),
            Some(o) if o != r => out.push(Change {
                action: "Modify".into(),
                logical_id: id.clone(),
                resource_type: ty,
                replacement: None,
            }),
            Some(_) => {}
        }
    }
    for (id, r) in &old {
        if !new_r.contains_key(id) {
            let ty = r.get("Type").and_then(Value::as_str).unwrap_or_default().to_string();
            out.push(Change {
                action: "Remove".into(),
                logical_id: id.clone(),
                resource_type: ty,
                replacement: None,
            });
        }
    }
    out
}

/// One line per change: `+ Add`, `~ Modify` with the changed properties and whether
/// CloudFormation will replace the resource, `- Remove` (retained data says so).
pub fn describe_changes(changes: &[Change], deployed: Option<&str>, new: &str) -> Vec<String> {
    let old = resources(deployed);
    let new_r = resources(Some(new));
    changes
        .iter()
        .map(|c| {
            let (mark, extra) = match c.action.as_str() {
                "Add" => ('+', String::new()),
                "Remove" => {
                    let kept = old
                        .get(&c.logical_id)
                        .and_then(|r| r.get("DeletionPolicy"))
                        .and_then(Value::as_str)
                        == Some("Retain");
                    (
                        '-',
                        if kept {
                            "  (retained: removed from the stack, kept in the account)".into()
                        } else {
                            String::new()
                        },
                    )
                }
                _ => {
                    let props = match (old.get(&c.logical_id), new_r.get(&c.logical_id)) {
                        (Some(o), Some(n)) => changed_properties(o, n),
                        _ => Vec::new(),
                    };
                    let replace = match c.replacement.as_deref() {
                        Some("True") => "  REPLACES the resource",
                        Some("Conditional") => "  may replace the resource",
                        _ => "",
                    };
                    let props = if props.is_empty() {
                        String::new()
                    } else {
                        format!("  [{}]", props.join(", "))
                    };
                    ('~', format!("{props}{replace}"))
                }
            };
            format!("{mark} {:<7} {:<40} {}{extra}", c.action, c.resource_type, c.logical_id)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formatting_does_not_count() {
        assert!(same_template("{\"a\": 1, \"b\": [1]}", "{\"b\":[1],\"a\":1}"));
        assert!(!same_template("{\"a\": 1}", "{\"a\": 2}"));
    }

    #[test]
    fn local_diff() {
        let old = r#"{"Resources":{"A":{"Type":"AWS::S3::Bucket"},"B":{"Type":"AWS::IAM::Role","Properties":{"X":1}},"K":{"Type":"AWS::KMS::Key","DeletionPolicy":"Retain"}}}"#;
        let new =
            r#"{"Resources":{"B":{"Type":"AWS::IAM::Role","Properties":{"X":2}},"C":{"Type":"AWS::Logs::LogGroup"}}}"#;
        let c = local_changes(Some(old), new);
        let summary: Vec<_> = c.iter().map(|c| format!("{} {}", c.action, c.logical_id)).collect();
        assert_eq!(summary, ["Modify B", "Add C", "Remove A", "Remove K"]);
        let lines = describe_changes(&c, Some(old), new);
        assert!(lines[0].contains("[X]"), "{lines:?}");
        assert!(lines[3].contains("retained"), "{lines:?}");
    }
}
