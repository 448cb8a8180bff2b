//! IAM pieces users write inside constructs: policy statements and role references.

use crate::checks::{iam::check_action, names};
use crate::diag::Diags;
use crate::reader::Fields;
use crate::value::{Value, ValueKind};
use serde_json::{json, Map, Value as Json};

/// One policy statement, checked: real actions, no `*` action, resources present.
#[derive(Clone, Debug, PartialEq)]
pub struct Statement {
    pub allow: bool,
    pub actions: Vec<String>,
    pub resources: Vec<String>,
    pub conditions: Option<Json>,
}

/// What a role may do: its own statements and AWS or customer managed policies.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Policy {
    pub statements: Vec<Statement>,
    pub managed_policy_arns: Vec<String>,
}

/// Reads `statements: [...]` and `managed_policy_arns: [...]` of an object.
pub fn read_policy(f: &mut Fields, diags: &mut Diags) -> Policy {
    let statements = f
        .list("statements", diags)
        .map(|l| read_statements(l, diags))
        .unwrap_or_default();
    let managed = f.strings("managed_policy_arns", diags).unwrap_or_default();
    for m in &managed {
        if !m.value.starts_with("arn:") || !m.value.contains(":policy/") {
            diags.error_help(
                m.span,
                format!("`{}` is not a managed policy ARN", m.value),
                "write it like \"arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess\"",
            );
        }
    }
    Policy {
        statements,
        managed_policy_arns: managed.into_iter().map(|m| m.value).collect(),
    }
}

/// Reads `[ { actions: [...], resources: [...], effect: allow, conditions: {...} }, ... ]`.
pub fn read_statements(list: &[Value], diags: &mut Diags) -> Vec<Statement> {
    list.iter().filter_map(|v| read_statement(v, diags)).collect()
}

fn read_statement(v: &Value, diags: &mut Diags) -> Option<Statement> {
    let obj = v.object(diags)?;
    let mut f = Fields::new(obj, "a policy statement", diags);
    let allow = f
        .word("effect", diags, &["allow", "deny"])
        .map(|w| w.value == "allow")
        .unwrap_or(true);
    let actions = match f.require("actions", diags, "[\"s3:GetObject\"]") {
        Some(v) => v
            .list(diags)
            .map(|l| l.iter().filter_map(|a| a.string(diags)).collect::<Vec<_>>())
            .unwrap_or_default(),
        None => Vec::new(),
    };
    for a in &actions {
        if let Err((msg, help)) = check_action(&a.value) {
            diags.error_help(a.span, msg, help);
        }
    }
    let resources = match f.require("resources", diags, "[\"arn:aws:s3:::my-bucket/*\"]") {
        Some(v) => v
            .list(diags)
            .map(|l| l.iter().filter_map(|a| a.string(diags)).collect::<Vec<_>>())
            .unwrap_or_default(),
        None => Vec::new(),
    };
    for r in &resources {
        if r.value != "*" && !r.value.starts_with("arn:") {
            diags.error_help(
                r.span,
                format!("`{}` is not a resource ARN", r.value),
                "resources are ARNs (\"arn:${AWS::Partition}:s3:::bucket/*\") or \"*\"",
            );
        }
    }
    if let Some(v) = f
        .get("actions")
        .filter(|v| matches!(&v.kind, ValueKind::List(l) if l.is_empty()))
    {
        diags.error(v.span, "a statement needs at least one action");
    }
    if let Some(v) = f
        .get("resources")
        .filter(|v| matches!(&v.kind, ValueKind::List(l) if l.is_empty()))
    {
        diags.error(v.span, "a statement needs at least one resource");
    }
    let conditions = f.object("conditions", diags).map(|o| {
        let mut ops = Map::new();
        for e in &o.entries {
            let Some(keys) = e.value.object(diags) else {
                continue;
            };
            let mut m = Map::new();
            for k in &keys.entries {
                let val = match &k.value.kind {
                    ValueKind::Str(s) => json!(s),
                    ValueKind::Bool(b) => json!(b.to_string()),
                    ValueKind::Int(n) => json!(n.to_string()),
                    ValueKind::List(items) => Json::Array(
                        items
                            .iter()
                            .filter_map(|i| i.string(diags))
                            .map(|s| json!(s.value))
                            .collect(),
                    ),
                    _ => {
                        diags.error(k.value.span, "a condition value is a string or a list of strings");
                        continue;
                    }
                };
                m.insert(k.key.clone(), val);
            }
            ops.insert(e.key.clone(), Json::Object(m));
        }
        Json::Object(ops)
    });
    f.finish(diags);
    Some(Statement {
        allow,
        actions: actions.into_iter().map(|a| a.value).collect(),
        resources: resources.into_iter().map(|r| r.value).collect(),
        conditions,
    })
}

/// A role that is granted something: one declared here, or an existing one by ARN.
#[derive(Clone, Debug, PartialEq)]
pub enum RoleRef {
    Declared {
        id: String,
        assumed_by: Vec<String>,
        managed_policy_arns: Vec<String>,
    },
    Existing {
        arn: String,
        name: String,
    },
}

/// Reads `{ id: "JobTrigger", assumed_by: "lambda.amazonaws.com" }` or `{ arn: "arn:aws:iam::...:role/x" }`.
pub fn read_role_ref(v: &Value, diags: &mut Diags) -> Option<RoleRef> {
    let obj = v.object(diags)?;
    let mut f = Fields::new(obj, "a role", diags);
    let arn = f.str("arn", diags);
    let id = f.str("id", diags);
    let assumed_by = f.get("assumed_by").map(|v| match &v.kind {
        ValueKind::List(l) => l.iter().filter_map(|i| i.string(diags)).collect(),
        _ => v.string(diags).into_iter().collect::<Vec<_>>(),
    });
    let managed = f.strings("managed_policy_arns", diags).unwrap_or_default();
    f.finish(diags);
    match (arn, id) {
        (Some(arn), None) => match names::role_name_from_arn(&arn.value) {
            Ok(name) => Some(RoleRef::Existing { arn: arn.value, name }),
            Err((m, h)) => {
                diags.error_help(arn.span, m, h);
                None
            }
        },
        (None, Some(id)) => {
            if id.value.is_empty()
                || !id.value.chars().all(|c| c.is_ascii_alphanumeric())
                || !id.value.starts_with(|c: char| c.is_ascii_uppercase())
            {
                diags.error_help(
                    id.span,
                    format!("`{}` is not a usable role id", id.value),
                    "use a PascalCase name such as \"JobTrigger\"; it becomes the role's logical ID",
                );
            }
            let principals = assumed_by.unwrap_or_default();
            if principals.is_empty() {
                diags.error_help(
                    id.span,
                    "a declared role needs `assumed_by`",
                    "add `assumed_by: \"lambda.amazonaws.com\"` (a service principal or an account id)",
                );
            }
            for p in &principals {
                let ok = p.value.ends_with(".amazonaws.com")
                    || (p.value.len() == 12 && p.value.chars().all(|c| c.is_ascii_digit()))
                    || p.value.starts_with("arn:");
                if !ok {
                    diags.error_help(
                        p.span,
                        format!("`{}` is not a principal", p.value),
                        "use a service principal such as \"lambda.amazonaws.com\", a 12-digit account id or an ARN",
                    );
                }
            }
            for m in &managed {
                if !m.value.starts_with("arn:") || !m.value.contains(":policy/") {
                    diags.error_help(
                        m.span,
                        format!("`{}` is not a managed policy ARN", m.value),
                        "write it like \"arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess\"",
                    );
                }
            }
            Some(RoleRef::Declared {
                id: id.value,
                assumed_by: principals.into_iter().map(|p| p.value).collect(),
                managed_policy_arns: managed.into_iter().map(|m| m.value).collect(),
            })
        }
        (Some(arn), Some(_)) => {
            diags.error_help(
                arn.span,
                "a role is either declared (`id`, `assumed_by`) or existing (`arn`), not both",
                "keep one of them",
            );
            None
        }
        (None, None) => {
            diags.error_help(
                obj.span,
                "a role needs `arn` (an existing role) or `id` and `assumed_by` (a new one)",
                "e.g. `{ id: \"JobTrigger\", assumed_by: \"lambda.amazonaws.com\" }`",
            );
            None
        }
    }
}
