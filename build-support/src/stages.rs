//! Per-stage values, for every field of every construct: `by_stage({ prod: "cron(0 2 * * ? *)" })`
//! takes the value of the stage being synthesized, or `default`, or leaves the field out when
//! there is neither. Stage names are compared by value (DSF compared `CICDStage` instances,
//! so its PROD check was always false: spec §8, defect 11).
//!
//! It is resolved here, once, before any construct's checker reads the declaration, so no
//! construct knows about stages. The macros check every branch (each stage a declaration
//! names, and `default`); build.rs synthesizes the app once per stage of the app's
//! `cicd_pipeline!` and reports stage names that pipeline does not declare.

use crate::diag::Diags;
use crate::value::{Entry, Object, Value, ValueKind};
use proc_macro2::Span;

/// The call's name.
pub const BY_STAGE: &str = "by_stage";
/// The key of the value for stages without their own.
pub const DEFAULT: &str = "default";

/// A stage named in a `by_stage` (not `default`).
#[derive(Clone, Debug)]
pub struct StageKey {
    pub name: String,
    pub span: Span,
}

/// A stage name: what CodePipeline stage names, stack-name prefixes and role names allow.
pub fn check_stage_name(name: &str) -> Result<(), (String, String)> {
    let ok = (1..=16).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if ok && name != DEFAULT {
        return Ok(());
    }
    let why = if name == DEFAULT {
        "`default` is the value for the other stages, not a stage name".to_string()
    } else {
        format!("`{name}` is not a usable stage name")
    };
    Err((
        why,
        "stage names are 1 to 16 letters, digits and hyphens, starting with a letter (they prefix stack and role names)"
            .into(),
    ))
}

/// The `by_stage(...)` call a value is, if it is one.
fn by_stage(v: &Value) -> Option<&crate::value::Call> {
    v.call().filter(|c| c.name == BY_STAGE)
}

/// Checks every `by_stage` in an object (at any depth) and returns the stages they name, in
/// source order, each once per call.
pub fn keys(obj: &Object, diags: &mut Diags) -> Vec<StageKey> {
    let mut out = Vec::new();
    for e in &obj.entries {
        keys_of(&e.value, false, diags, &mut out);
    }
    out
}

fn keys_of(v: &Value, inside: bool, diags: &mut Diags, out: &mut Vec<StageKey>) {
    if let Some(call) = by_stage(v) {
        if inside {
            diags.error_help(
                call.name_span,
                "`by_stage` inside `by_stage`",
                "write one `by_stage` with a value for each stage",
            );
            return;
        }
        let branches = match call.args.as_slice() {
            [Value {
                kind: ValueKind::Object(o),
                ..
            }] => o,
            _ => {
                diags.error_help(
                    call.name_span,
                    "`by_stage` takes one object of stage names and values",
                    "e.g. `by_stage({ prod: \"cron(0 2 * * ? *)\", default: \"rate(7 days)\" })`",
                );
                return;
            }
        };
        if branches.entries.is_empty() {
            diags.error_help(
                branches.span,
                "this `by_stage` has no values",
                "give a value for a stage, e.g. `{ prod: 4, default: 1 }`",
            );
        }
        let mut seen: Vec<&str> = Vec::new();
        for b in &branches.entries {
            if seen.contains(&b.key.as_str()) {
                diags.error_help(
                    b.key_span,
                    format!("`{}` appears twice in this `by_stage`", b.key),
                    "give each stage one value",
                );
                continue;
            }
            seen.push(&b.key);
            if b.key != DEFAULT {
                match check_stage_name(&b.key) {
                    Ok(()) => out.push(StageKey {
                        name: b.key.clone(),
                        span: b.key_span,
                    }),
                    Err((m, h)) => diags.error_help(b.key_span, m, h),
                }
            }
            keys_of(&b.value, true, diags, out);
        }
        return;
    }
    match &v.kind {
        ValueKind::List(items) => items.iter().for_each(|i| keys_of(i, inside, diags, out)),
        ValueKind::Object(o) => o.entries.iter().for_each(|e| keys_of(&e.value, inside, diags, out)),
        ValueKind::Call(c) => c.args.iter().for_each(|a| keys_of(a, inside, diags, out)),
        _ => {}
    }
}

/// The first `by_stage` of the object, at any depth.
pub fn first_call(obj: &Object) -> Option<Span> {
    obj.entries.iter().find_map(|e| first_in(&e.value))
}

fn first_in(v: &Value) -> Option<Span> {
    if let Some(c) = by_stage(v) {
        return Some(c.name_span);
    }
    match &v.kind {
        ValueKind::List(items) => items.iter().find_map(first_in),
        ValueKind::Object(o) => first_call(o),
        ValueKind::Call(c) => c.args.iter().find_map(first_in),
        _ => None,
    }
}

/// A stack's name in a stage: `staging-<stack>`, so the stages of one account never collide.
pub fn stage_stack(stage: &str, stack: &str) -> String {
    format!("{stage}-{stack}")
}

/// The object as `stage` sees it (`None`: the app without stages, which takes `default`).
/// A `by_stage` without a value for the stage, nor a `default`, removes its field (or its
/// list item). A malformed `by_stage` is left as it is: `keys` reports it.
pub fn resolve(obj: &Object, stage: Option<&str>) -> Object {
    Object {
        entries: obj
            .entries
            .iter()
            .filter_map(|e| {
                resolve_value(&e.value, stage).map(|value| Entry {
                    key: e.key.clone(),
                    key_span: e.key_span,
                    value,
                })
            })
            .collect(),
        span: obj.span,
    }
}

fn resolve_value(v: &Value, stage: Option<&str>) -> Option<Value> {
    if let Some(call) = by_stage(v) {
        if let [Value {
            kind: ValueKind::Object(branches),
            ..
        }] = call.args.as_slice()
        {
            let pick = |key: &str| branches.entries.iter().find(|b| b.key == key);
            let chosen = stage.and_then(pick).or_else(|| pick(DEFAULT))?;
            return Some(chosen.value.clone());
        }
        return Some(v.clone());
    }
    let kind = match &v.kind {
        ValueKind::List(items) => ValueKind::List(items.iter().filter_map(|i| resolve_value(i, stage)).collect()),
        ValueKind::Object(o) => ValueKind::Object(resolve(o, stage)),
        ValueKind::Call(c) => ValueKind::Call(crate::value::Call {
            name: c.name.clone(),
            name_span: c.name_span,
            args: c.args.iter().filter_map(|a| resolve_value(a, stage)).collect(),
        }),
        other => other.clone(),
    };
    Some(Value { kind, span: v.span })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::parse_declaration;

    fn body(src: &str) -> Object {
        parse_declaration(src.parse().unwrap()).unwrap().body
    }

    fn schedule(o: &Object) -> Option<String> {
        o.entries
            .iter()
            .find(|e| e.key == "schedule")
            .and_then(|e| match &e.value.kind {
                ValueKind::Str(s) => Some(s.clone()),
                _ => None,
            })
    }

    #[test]
    fn a_stage_takes_its_value_then_default_then_nothing() {
        let o = body(r#"J { name: "x", schedule: by_stage({ prod: "cron(0 2 * * ? *)", default: "rate(7 days)" }) }"#);
        assert_eq!(
            schedule(&resolve(&o, Some("prod"))).as_deref(),
            Some("cron(0 2 * * ? *)")
        );
        assert_eq!(schedule(&resolve(&o, Some("staging"))).as_deref(), Some("rate(7 days)"));
        assert_eq!(schedule(&resolve(&o, None)).as_deref(), Some("rate(7 days)"));
        let o = body(r#"J { name: "x", schedule: by_stage({ prod: "cron(0 2 * * ? *)" }) }"#);
        assert_eq!(schedule(&resolve(&o, Some("staging"))), None);
        assert_eq!(resolve(&o, Some("staging")).entries.len(), 1, "the field is left out");
        let mut d = Diags::default();
        let k = keys(&o, &mut d);
        assert!(d.is_empty());
        assert_eq!(k.iter().map(|k| k.name.as_str()).collect::<Vec<_>>(), ["prod"]);
    }

    #[test]
    fn nested_values_and_list_items_resolve() {
        let o = body(r#"R { c: { workers: by_stage({ prod: 8, default: 1 }) }, l: ["a", by_stage({ prod: "b" })] }"#);
        let prod = format!("{:?}", resolve(&o, Some("prod")));
        assert!(prod.contains("Int(8)") && prod.contains("Str(\"b\")"), "{prod}");
        let other = format!("{:?}", resolve(&o, Some("dev")));
        assert!(other.contains("Int(1)") && !other.contains("Str(\"b\")"), "{other}");
    }

    #[test]
    fn malformed_calls_are_reported() {
        for (src, expected) in [
            (r#"J { a: by_stage("x") }"#, "takes one object"),
            (r#"J { a: by_stage({ prod: 1, prod: 2 }) }"#, "appears twice"),
            (
                r#"J { a: by_stage({ prod: by_stage({ x: 1 }) }) }"#,
                "inside `by_stage`",
            ),
            (r#"J { a: by_stage({ "us east": 1 }) }"#, "not a usable stage name"),
            (r#"J { a: by_stage({}) }"#, "has no values"),
        ] {
            let mut d = Diags::default();
            keys(&body(src), &mut d);
            let text = format!("{:?}", d.into_errors());
            assert!(text.contains(expected), "{src}: {text}");
        }
    }
}
