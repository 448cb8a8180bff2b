//! Overrides, the escape hatch CDK users know as `addOverride` / `addPropertyOverride` /
//! `addDeletionOverride`: a path into one resource a construct creates, set to a value or
//! deleted, for what sparkform does not model.
//!
//! ```text
//! overrides: {
//!     Application: { "Properties.MonitoringConfiguration.S3MonitoringConfiguration.LogUri": "s3://logs/" },
//!     ExecutionRole: { "Properties.MaxSessionDuration": 7200, "Properties.Tags": delete },
//! }
//! ```
//!
//! The macro checks the target against the row's [`Target`]s and the path and value against
//! the target's resource schema (`checks::cfn_schema`); build.rs checks that this
//! declaration creates the target (some resources are conditional) and that the handles a
//! value names exist, then applies the overrides after synthesis.

use super::attributes::IndexRefs;
use super::{AppProblem, Construct, ConstructDef, Index};
use crate::checks::cfn_schema::{self, AnyReference, Checker};
use crate::diag::{suggestion, Diags};
use crate::model::common::OPT_IN_KEY;
use crate::reader::Fields;
use crate::synth::{Created, Linker};
use crate::value::{Value, ValueKind};
use proc_macro2::Span;
use serde_json::{Map, Value as Json};

/// A resource a construct creates that overrides may target. `#` in a name stands for a
/// number (`PrivateSubnet#`: `PrivateSubnet1`, `PrivateSubnet2`, ...), `*` for a name the
/// declaration gives, in PascalCase (`ExecutionRole*`: `ExecutionRoleS3ReadExecRole`).
#[derive(Clone, Copy, Debug)]
pub struct Target {
    pub name: &'static str,
    /// The CloudFormation type.
    pub ty: &'static str,
    /// Its logical id is the handle's prefix alone (e.g. an `execution_role!`'s role).
    pub own: bool,
}

/// A target whose logical id is the handle's prefix followed by its name.
pub const fn target(name: &'static str, ty: &'static str) -> Target {
    Target { name, ty, own: false }
}

/// The target whose logical id is the handle's prefix itself.
pub const fn own(name: &'static str, ty: &'static str) -> Target {
    Target { name, ty, own: true }
}

impl Target {
    /// Whether `name` names this target (a number in place of `#`).
    pub fn matches(&self, name: &str) -> bool {
        let hole = |pattern: &str, mark: char, ok: &dyn Fn(&str) -> bool| {
            pattern.split_once(mark).map(|(before, after)| {
                name.strip_prefix(before)
                    .and_then(|rest| rest.strip_suffix(after))
                    .is_some_and(|n| !n.is_empty() && ok(n))
            })
        };
        let digits = |n: &str| n.bytes().all(|b| b.is_ascii_digit());
        let word = |n: &str| n.bytes().all(|b| b.is_ascii_alphanumeric());
        hole(self.name, '#', &digits)
            .or_else(|| hole(self.name, '*', &word))
            .unwrap_or(self.name == name)
    }

    /// How messages show it: `PrivateSubnet<n>`, `ExecutionRole<Name>`.
    fn shown(&self) -> String {
        self.name.replace('#', "<n>").replace('*', "<Name>")
    }
}

/// One path of one target.
#[derive(Clone, Debug)]
pub struct Override {
    pub target: String,
    pub target_span: Span,
    pub path: String,
    pub path_span: Span,
    /// `None`: delete the path.
    pub value: Option<Value>,
}

/// Reads and checks `overrides` (a field of every row with targets). `opted_in`: the crate
/// allows data removal, which an override of a data resource's policies may amount to.
pub fn read(fields: &mut Fields, def: &'static ConstructDef, opted_in: bool, diags: &mut Diags) -> Vec<Override> {
    let mut out = Vec::new();
    let Some(o) = fields.object("overrides", diags) else {
        return out;
    };
    for t in &o.entries {
        let Some(target) = find(def, &t.key, t.key_span, diags) else {
            continue;
        };
        let ValueKind::Object(paths) = &t.value.kind else {
            diags.error_help(
                t.value.span,
                format!(
                    "expected `{{ \"Properties.Name\": value }}`, found {}",
                    t.value.kind.describe()
                ),
                "give each path to set (or `delete`) inside braces",
            );
            continue;
        };
        if paths.entries.is_empty() {
            diags.error_help(
                t.value.span,
                "no paths to override",
                "remove the target, or name a path",
            );
        }
        let ty = match cfn_schema::lookup(target.ty) {
            Ok(ty) => ty,
            Err((m, h)) => {
                diags.error_help(t.key_span, m, h);
                continue;
            }
        };
        let checker = Checker {
            ty,
            handle: "",
            refs: &AnyReference,
        };
        for p in &paths.entries {
            let value = (!is_delete(&p.value)).then(|| p.value.clone());
            checker.check_override(&p.key, p.key_span, value.as_ref(), diags);
            if !opted_in && removes_data(target.ty, &p.key, value.as_ref()) {
                diags.error_help(
                    p.value.span,
                    format!(
                        "this override lets CloudFormation delete the {} `{}` and its data, and this crate has not opted in to data removal",
                        target.ty, t.key
                    ),
                    format!("opt in once for the whole crate in Cargo.toml: `[package.metadata.sparkform]` `{OPT_IN_KEY} = true`; or set `\"Retain\"`"),
                );
            }
            out.push(Override {
                target: t.key.clone(),
                target_span: t.key_span,
                path: p.key.clone(),
                path_span: p.key_span,
                value,
            });
        }
    }
    out
}

/// Whether overriding `path` of a resource of type `ty` with `value` (`None`: deleted)
/// would delete data: a data resource's `DeletionPolicy` or `UpdateReplacePolicy` set to
/// `Delete`, or removed (CloudFormation's default is to delete).
fn removes_data(ty: &str, path: &str, value: Option<&Value>) -> bool {
    let policy = matches!(path, "DeletionPolicy" | "UpdateReplacePolicy");
    let deletes = match value.map(|v| &v.kind) {
        None => true,
        Some(ValueKind::Str(s)) => s == "Delete",
        Some(_) => false,
    };
    policy && deletes && super::cfn_resource::DATA_TYPES.contains(&ty)
}

/// The bare word `delete`: a deletion override.
fn is_delete(v: &Value) -> bool {
    matches!(&v.kind, ValueKind::Path(p) if p.text == "delete" && p.members.is_empty())
}

fn find(def: &'static ConstructDef, name: &str, span: Span, diags: &mut Diags) -> Option<&'static Target> {
    if let Some(t) = def.targets().find(|t| t.matches(name)) {
        return Some(t);
    }
    let names: Vec<String> = def.targets().map(Target::shown).collect();
    diags.error_help(
        span,
        format!(
            "`{name}` is not a resource {} creates{}",
            def.what,
            suggestion(name, names.iter().map(String::as_str))
        ),
        format!("overrides can target: {}", names.join(", ")),
    );
    None
}

/// The logical id an override's target has in this declaration.
fn logical_id(c: &dyn Construct, o: &Override) -> String {
    let own = c.def().targets().any(|t| t.own && t.matches(&o.target));
    if own {
        c.handle().prefix.clone()
    } else {
        c.handle().id(&o.target)
    }
}

/// What build.rs checks: the declaration created the target (`created`: the logical ids
/// and types its synthesis wrote, in `stack` order), and the handles the values name exist.
pub fn check_app(c: &dyn Construct, index: &Index, created: &[Created]) -> Vec<AppProblem> {
    let mut problems = Vec::new();
    let mut diags = Diags::default();
    for o in &c.handle().overrides {
        let id = logical_id(c, o);
        let Some((stack, _, ty)) = created.iter().find(|(_, i, _)| *i == id) else {
            let mine: Vec<String> = created.iter().filter_map(|(_, i, _)| target_name(c, i)).collect();
            let hint = match suggestion(&o.target, mine.iter().map(String::as_str)) {
                h if h.is_empty() => ".".to_string(),
                h => h,
            };
            problems.push(AppProblem {
                span: Some(o.target_span),
                message: format!(
                    "`{}` creates no `{}` with this configuration{hint} It creates: {}",
                    c.handle().ident,
                    o.target,
                    mine.join(", ")
                ),
            });
            continue;
        };
        if let (Some(v), Ok(ty)) = (&o.value, cfn_schema::lookup(ty)) {
            let refs = IndexRefs(index);
            let checker = Checker {
                ty,
                handle: "",
                refs: &refs,
            };
            let before = diags.len();
            checker.check_override(&o.path, o.path_span, Some(v), &mut diags);
            if diags.len() == before && o.path.starts_with("DependsOn") {
                depends_on_stack(v, index, stack, &mut diags);
            }
        }
    }
    problems.extend(diags.into_errors().into_iter().map(|e| AppProblem {
        span: Some(e.span()),
        message: e.to_string(),
    }));
    problems
}

/// A `DependsOn` orders resources of one stack: a handle of another stack is refused (a
/// reference to it already deploys that stack first).
fn depends_on_stack(v: &Value, index: &Index, stack: &str, diags: &mut Diags) {
    let items: Vec<&Value> = match &v.kind {
        ValueKind::List(items) => items.iter().collect(),
        _ => vec![v],
    };
    for item in items {
        let ValueKind::Path(p) = &item.kind else { continue };
        if let Some(Some(other)) = index.slot(super::index::ident_of(p)) {
            if other.handle().stack != stack {
                diags.error_help(
                    item.span,
                    format!(
                        "`{}` is in stack `{}`, and `DependsOn` orders resources of one stack (`{stack}`)",
                        p.text,
                        other.handle().stack
                    ),
                    "a reference to another stack's resource (`HANDLE.attribute`) already deploys that stack first",
                );
            }
        }
    }
}

/// The target name of a logical id this construct created, if overrides can target it.
fn target_name(c: &dyn Construct, id: &str) -> Option<String> {
    let h = c.handle();
    if id == h.prefix {
        return c.def().targets().find(|t| t.own).map(|t| t.name.to_string());
    }
    let rest = id.strip_prefix(&h.prefix)?;
    c.def()
        .targets()
        .any(|t| !t.own && t.matches(rest))
        .then(|| rest.to_string())
}

/// Applies the construct's overrides to the resources it created, in the order written.
/// Returns what could not be applied: a list item that does not exist, a `DependsOn` on a
/// logical id the stack does not have.
pub fn apply(c: &dyn Construct, index: &Index, created: &[Created], link: &mut Linker) -> Vec<AppProblem> {
    let mut problems = Vec::new();
    for o in &c.handle().overrides {
        let id = logical_id(c, o);
        let Some((stack, _, _)) = created.iter().find(|(_, i, _)| *i == id) else {
            continue;
        };
        let segs = cfn_schema::override_segments(&o.path);
        let value = o.value.as_ref().map(|v| value_json(&segs, v, index, stack, link));
        let t = link.template(stack);
        if let (Some("DependsOn"), Some(v)) = (segs.first().map(String::as_str), &value) {
            let ids: Vec<&Json> = v.as_array().map(|a| a.iter().collect()).unwrap_or_else(|| vec![v]);
            if let Some(missing) = ids
                .iter()
                .filter_map(|i| i.as_str())
                .find(|i| !t.resources.contains_key(*i))
            {
                let known: Vec<&str> = t.resources.keys().map(String::as_str).collect();
                problems.push(AppProblem {
                    span: o.value.as_ref().map(|v| v.span),
                    message: format!(
                        "`DependsOn` names `{missing}`, which is not a resource of stack `{stack}`{}",
                        suggestion(missing, known.iter().copied())
                    ),
                });
                continue;
            }
        }
        let Some(resource) = t.resources.get_mut(&id) else {
            continue;
        };
        if let Err(message) = set(resource, &segs, value) {
            problems.push(AppProblem {
                span: Some(o.path_span),
                message: format!("`{}` cannot be applied to {id}: {message}", o.path),
            });
        }
    }
    problems
}

/// The JSON an override writes: handles in `DependsOn` are logical ids, elsewhere references.
fn value_json(segs: &[String], v: &Value, index: &Index, stack: &str, link: &mut Linker) -> Json {
    if segs.first().map(String::as_str) == Some("DependsOn") {
        let mut id = |v: &Value| match &v.kind {
            ValueKind::Path(p) => index
                .construct(p)
                .map(|c| Json::from(c.handle().prefix.clone()))
                .unwrap_or(Json::Null),
            _ => super::cfn_resource::json::to_json(v, index, stack, link),
        };
        return match &v.kind {
            ValueKind::List(items) => Json::Array(items.iter().map(id).collect()),
            _ => id(v),
        };
    }
    super::cfn_resource::json::to_json(v, index, stack, link)
}

/// Sets (or, with `None`, deletes) `segs` inside `root`, creating objects on the way like
/// CDK's `addOverride`; a number indexes an existing list.
fn set(root: &mut Json, segs: &[String], value: Option<Json>) -> Result<(), String> {
    let Some((last, parents)) = segs.split_last() else {
        return Ok(());
    };
    let mut cur = root;
    for (i, seg) in parents.iter().enumerate() {
        cur = match cur {
            Json::Array(items) => {
                let len = items.len();
                let n = seg
                    .parse::<usize>()
                    .map_err(|_| format!("`{seg}` is not an item number"))?;
                items.get_mut(n).ok_or_else(|| {
                    format!(
                        "`{}` has {}, so there is no item {n}",
                        segs[..i].join("."),
                        items_text(len)
                    )
                })?
            }
            Json::Object(m) => m.entry(seg.clone()).or_insert_with(|| Json::Object(Map::new())),
            other => {
                // A scalar (or an intrinsic function) where the path goes on: replaced by an
                // object, as CDK does.
                *other = Json::Object(Map::new());
                other
                    .as_object_mut()
                    .expect("just set")
                    .entry(seg.clone())
                    .or_insert_with(|| Json::Object(Map::new()))
            }
        };
    }
    match (cur, value) {
        (Json::Array(items), v) => {
            let len = items.len();
            let n = last
                .parse::<usize>()
                .map_err(|_| format!("`{last}` is not an item number"))?;
            match v {
                Some(v) if n < len => items[n] = v,
                Some(v) if n == len => items.push(v),
                None if n < len => {
                    items.remove(n);
                }
                _ => return Err(format!("the list has {}, so there is no item {n}", items_text(len))),
            }
        }
        (Json::Object(m), Some(v)) => {
            m.insert(last.clone(), v);
        }
        (Json::Object(m), None) => {
            m.remove(last);
        }
        (other, v) => {
            let mut m = Map::new();
            if let Some(v) = v {
                m.insert(last.clone(), v);
            }
            *other = Json::Object(m);
        }
    }
    Ok(())
}

fn items_text(n: usize) -> String {
    if n == 1 {
        "1 item".into()
    } else {
        format!("{n} items")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn segs(p: &str) -> Vec<String> {
        cfn_schema::override_segments(p)
    }

    #[test]
    fn numbered_targets_match_numbers_only() {
        let t = target(
            "PrivateSubnet#RouteTableAssociation",
            "AWS::EC2::SubnetRouteTableAssociation",
        );
        assert!(t.matches("PrivateSubnet2RouteTableAssociation"));
        assert!(!t.matches("PrivateSubnetRouteTableAssociation"));
        assert!(!t.matches("PrivateSubnetXRouteTableAssociation"));
        assert!(target("Vpc", "AWS::EC2::VPC").matches("Vpc"));
        let named = target("ExecutionRole*DriverAssociation", "AWS::EKS::PodIdentityAssociation");
        assert!(named.matches("ExecutionRoleS3ReadExecRoleDriverAssociation"));
        assert!(!named.matches("ExecutionRoleDriverAssociation"));
        assert!(!named.matches("ExecutionRoleS3-ReadDriverAssociation"));
        assert_eq!(named.shown(), "ExecutionRole<Name>DriverAssociation");
        assert!(!target("Vpc", "AWS::EC2::VPC").matches("Vpc1"));
    }

    #[test]
    fn set_creates_objects_indexes_lists_and_deletes() {
        let mut r = json!({ "Type": "T", "Properties": { "Tags": [{ "Key": "a", "Value": "1" }] } });
        set(&mut r, &segs("Properties.A.B"), Some(json!(1))).unwrap();
        set(&mut r, &segs("Properties.Tags.0.Value"), Some(json!("2"))).unwrap();
        set(
            &mut r,
            &segs("Properties.Tags.1"),
            Some(json!({ "Key": "b", "Value": "3" })),
        )
        .unwrap();
        set(&mut r, &segs(r"Metadata.spark\.conf"), Some(json!("x"))).unwrap();
        assert_eq!(
            r,
            json!({ "Type": "T", "Metadata": { "spark.conf": "x" }, "Properties": { "A": { "B": 1 },
                "Tags": [{ "Key": "a", "Value": "2" }, { "Key": "b", "Value": "3" }] } })
        );
        set(&mut r, &segs("Properties.Tags.0"), None).unwrap();
        set(&mut r, &segs("Properties.A"), None).unwrap();
        assert_eq!(r["Properties"], json!({ "Tags": [{ "Key": "b", "Value": "3" }] }));
        let e = set(&mut r, &segs("Properties.Tags.5.Value"), Some(json!("x"))).unwrap_err();
        assert_eq!(e, "`Properties.Tags` has 1 item, so there is no item 5");
    }
}
