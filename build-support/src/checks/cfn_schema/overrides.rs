//! Overrides (CDK's `addOverride` / `addPropertyOverride` / `addDeletionOverride`): a path
//! into one resource a construct creates, e.g. `Properties.MonitoringConfiguration.X`,
//! `Properties.Tags.0.Value`, `DeletionPolicy`, `Metadata.Anything`. The path must exist in
//! the resource's schema, and the value it sets is checked like any property value (except
//! for required properties: an override merges into what the construct writes).

use super::catalog::{Record, Rules, Shape};
use super::properties::{closest, hint, list_names, Checker, Path};
use crate::diag::Diags;
use crate::value::{Value, ValueKind};
use proc_macro2::Span;

/// The top-level keys of a CloudFormation resource that an override may set.
const RESOURCE_KEYS: &[&str] = &[
    "Properties",
    "DeletionPolicy",
    "UpdateReplacePolicy",
    "DependsOn",
    "Metadata",
    "Condition",
    "UpdatePolicy",
    "CreationPolicy",
];

const DELETION_POLICIES: &[&str] = &["Delete", "Retain", "RetainExceptOnCreate", "Snapshot"];
const REPLACE_POLICIES: &[&str] = &["Delete", "Retain", "Snapshot"];

/// The path's segments: `.` separates them, `\.` is a literal dot (a map key such as
/// `spark.executor.memory`).
pub fn segments(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = path.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'.') => {
                chars.next();
                cur.push('.');
            }
            '.' => out.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    out.push(cur);
    out
}

impl Checker<'_> {
    /// Checks an override `path` (reported on `span`, the path's token) and, when given,
    /// the value it sets (reported inside the value). `None` is a deletion override.
    pub fn check_override(&self, path: &str, span: Span, value: Option<&Value>, diags: &mut Diags) {
        let segs = segments(path);
        if segs.iter().any(String::is_empty) {
            diags.error_help(
                span,
                format!("`{path}` has an empty segment"),
                "write the path as names separated by single dots, e.g. `Properties.Name`",
            );
            return;
        }
        let top = segs[0].as_str();
        let rest = &segs[1..];
        match top {
            "Properties" => self.property_override(path, rest, span, value, diags),
            "DeletionPolicy" | "UpdateReplacePolicy" | "Condition" if !rest.is_empty() => {
                diags.error_help(
                    span,
                    format!("`{top}` is a single value; `{path}` goes inside it"),
                    format!("override `{top}` itself"),
                );
            }
            "DeletionPolicy" | "UpdateReplacePolicy" => {
                let choices = if top == "DeletionPolicy" {
                    DELETION_POLICIES
                } else {
                    REPLACE_POLICIES
                };
                if let Some(v) = value {
                    self.policy_value(top, choices, v, diags);
                }
            }
            "Condition" => {
                if let Some(v) = value {
                    self.string_value(top, v, diags);
                }
            }
            "DependsOn" => self.depends_on(rest, span, value, diags),
            "Metadata" | "UpdatePolicy" | "CreationPolicy" => {
                if let Some(v) = value {
                    self.refs_only(v, diags);
                }
            }
            "Type" => diags.error_help(
                span,
                "a resource's `Type` cannot be overridden",
                "declare the resource you want with `cfn_resource!` instead",
            ),
            _ => diags.error_help(
                span,
                format!(
                    "`{top}` is not part of a CloudFormation resource{}",
                    hint(closest(top, RESOURCE_KEYS.iter().copied()))
                ),
                format!("an override path starts with one of: {}", RESOURCE_KEYS.join(", ")),
            ),
        }
    }

    fn property_override(&self, full: &str, segs: &[String], span: Span, value: Option<&Value>, diags: &mut Diags) {
        let mut path = Path::default();
        let none = Rules::default();
        let mut shape = &Shape::Record(0);
        let mut rules = &none;
        for seg in segs {
            let step = self.step(shape, seg);
            match step {
                Step::Into(s, r, item) => {
                    match seg.parse::<usize>() {
                        Ok(i) if item => path.item(i),
                        _ => path.key(seg),
                    }
                    if self.is_read_only(&path) {
                        self.read_only_error(&path, span, diags);
                        return;
                    }
                    shape = s;
                    rules = r.unwrap_or(rules);
                }
                Step::Free => {
                    if let Some(v) = value {
                        self.refs_only(v, diags);
                    }
                    return;
                }
                Step::NoProperty(rec) => {
                    let names = self.writable(rec, &path);
                    diags.error_help(
                        span,
                        format!(
                            "`{full}`: {} has no property `{seg}`{}",
                            self.place(&path),
                            hint(closest(seg, names.iter().copied()))
                        ),
                        format!("the properties there are: {}", list_names(names.into_iter())),
                    );
                    return;
                }
                Step::NotAnItem => {
                    diags.error_help(
                        span,
                        format!(
                            "`{full}`: `{}` is a list, so `{seg}` must be an item number",
                            path.display()
                        ),
                        format!("write `{}.0` for the first item", path.display()),
                    );
                    return;
                }
                Step::Scalar => {
                    diags.error_help(
                        span,
                        format!("`{full}`: `{}` is a single value with nothing inside", path.display()),
                        format!("override `Properties.{}` itself", path.display()),
                    );
                    return;
                }
            }
        }
        if let Some(v) = value {
            if segs.is_empty() {
                if let ValueKind::Object(o) = &v.kind {
                    self.record(0, o, &mut path, false, diags);
                    return;
                }
            }
            self.value(shape, rules, v, &mut path, false, diags);
        }
    }

    /// One segment down from `shape`.
    fn step<'s>(&'s self, shape: &'s Shape, seg: &str) -> Step<'s> {
        let is_item = !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_digit());
        match shape {
            Shape::Record(n) => {
                let Some(rec) = self.ty.record(*n) else {
                    return Step::Free;
                };
                match rec.get(seg) {
                    Some(p) => Step::Into(&p.shape, Some(&p.rules), false),
                    None if rec.open => Step::Free,
                    None => Step::NoProperty(rec),
                }
            }
            Shape::List(item) if is_item => Step::Into(item, None, true),
            Shape::List(_) => Step::NotAnItem,
            Shape::Map(v) => Step::Into(v, None, false),
            Shape::Json | Shape::Any => Step::Free,
            Shape::Str | Shape::Int | Shape::Num | Shape::Bool => Step::Scalar,
            Shape::Union(alts) => {
                let steps: Vec<Step> = alts.iter().map(|a| self.step(a, seg)).collect();
                let mut fallback = Step::Scalar;
                for s in steps {
                    match s {
                        Step::Into(..) | Step::Free => return s,
                        Step::NoProperty(_) | Step::NotAnItem => fallback = s,
                        Step::Scalar => {}
                    }
                }
                fallback
            }
        }
    }

    fn policy_value(&self, key: &str, choices: &[&str], v: &Value, diags: &mut Diags) {
        match &v.kind {
            ValueKind::Str(s) if choices.contains(&s.as_str()) => {}
            ValueKind::Str(s) => diags.error_help(
                v.span,
                format!("`{key}` cannot be `{s}`{}", hint(closest(s, choices.iter().copied()))),
                format!("use one of: {}", choices.join(", ")),
            ),
            _ => diags.error_help(
                v.span,
                format!("`{key}` expects a string, found {}", v.kind.describe()),
                format!("use one of: {}", choices.join(", ")),
            ),
        }
    }

    fn string_value(&self, key: &str, v: &Value, diags: &mut Diags) {
        if !matches!(v.kind, ValueKind::Str(_)) {
            diags.error_help(
                v.span,
                format!("`{key}` expects a string, found {}", v.kind.describe()),
                "write the name in double quotes",
            );
        }
    }

    fn depends_on(&self, rest: &[String], span: Span, value: Option<&Value>, diags: &mut Diags) {
        match rest {
            [] => {}
            [i] if i.bytes().all(|b| b.is_ascii_digit()) => {}
            _ => {
                diags.error_help(
                    span,
                    "`DependsOn` is a list of resources; only an item number may follow it",
                    "write `DependsOn` or `DependsOn.0`",
                );
                return;
            }
        }
        let Some(v) = value else { return };
        let items: Vec<&Value> = match (&v.kind, rest.is_empty()) {
            (ValueKind::List(items), true) => items.iter().collect(),
            _ => vec![v],
        };
        for item in items {
            match &item.kind {
                ValueKind::Str(_) => {}
                ValueKind::Path(_) => {
                    self.reference(item, None, diags);
                }
                _ => diags.error_help(
                    item.span,
                    format!("`DependsOn` names resources, found {}", item.kind.describe()),
                    "write a handle, e.g. `DependsOn: [ALERTS]`, or a logical id in double quotes",
                ),
            }
        }
    }
}

enum Step<'s> {
    /// The segment leads to this shape (with the rules that apply there, if new; and
    /// whether the segment was a list item number).
    Into(&'s Shape, Option<&'s Rules>, bool),
    /// Below here the schema says nothing: any path and value.
    Free,
    /// This record has no such property.
    NoProperty(&'s Record),
    /// A list needs an item number.
    NotAnItem,
    /// A scalar has nothing inside.
    Scalar,
}

#[cfg(test)]
mod tests {
    use super::segments;

    #[test]
    fn splits_on_unescaped_dots() {
        assert_eq!(segments("Properties.A.0.B"), ["Properties", "A", "0", "B"]);
        assert_eq!(
            segments(r"Properties.Map.spark\.executor\.memory"),
            ["Properties", "Map", "spark.executor.memory"]
        );
        assert_eq!(segments("A..B"), ["A", "", "B"]);
    }
}
