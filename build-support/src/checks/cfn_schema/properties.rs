//! A property tree written in the DSL, checked against a resource type's schema: unknown
//! and duplicate properties, missing required ones, value kinds, enums, patterns, lengths,
//! ranges, and read-only properties. Every problem is reported on its token.
//!
//! Kinds follow CloudFormation's (and cfn-lint's) conversions: a number or boolean is
//! accepted where a string is expected, a numeric string where a number is, `"true"` where
//! a boolean is. References (`HANDLE`, `HANDLE.Attr`, strings with `${...}`, and objects
//! with a single `Ref` or `Fn::*` key) are values known only at deploy time: they are not
//! kind-checked, but the references in them are checked through [`References`].

use super::catalog::{Record, ResourceType, Rules, Shape};
use super::refs::{is_substitution, sub_refs, RefProblem, References};
use crate::diag::{did_you_mean, Diags};
use crate::value::{Object, Value, ValueKind};
use proc_macro2::Span;
use std::borrow::Cow;
use std::collections::BTreeSet;

/// One check run over one resource.
pub struct Checker<'a> {
    pub ty: &'static ResourceType,
    /// The `cfn_resource!` handle the resource is declared as, to say how to read an
    /// attribute instead; empty for a construct's resource (its attributes are its own).
    pub handle: &'a str,
    pub refs: &'a dyn References,
}

/// Where a value sits, as written: property names and list item numbers.
#[derive(Default, Clone)]
pub(super) struct Path(Vec<Seg>);

#[derive(Clone)]
enum Seg {
    Key(String),
    Item(usize),
}

impl Path {
    pub(super) fn key(&mut self, k: &str) {
        self.0.push(Seg::Key(k.to_string()));
    }

    pub(super) fn item(&mut self, i: usize) {
        self.0.push(Seg::Item(i));
    }

    pub(super) fn pop(&mut self) {
        self.0.pop();
    }

    /// `A.B[0].C`, for messages.
    pub(super) fn display(&self) -> String {
        let mut s = String::new();
        for seg in &self.0 {
            match seg {
                Seg::Key(k) if s.is_empty() => s.push_str(k),
                Seg::Key(k) => {
                    s.push('.');
                    s.push_str(k);
                }
                Seg::Item(i) => s.push_str(&format!("[{i}]")),
            }
        }
        s
    }

    /// `A/B/*/C`, as the schema's read-only and create-only lists write it.
    pub(super) fn schema_path(&self) -> String {
        let parts: Vec<&str> = self
            .0
            .iter()
            .map(|seg| match seg {
                Seg::Key(k) => k.as_str(),
                Seg::Item(_) => "*",
            })
            .collect();
        parts.join("/")
    }
}

const LISTED_NAMES: usize = 40;

/// "A, B, C" — at most `LISTED_NAMES` of them.
pub(super) fn list_names<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let names: Vec<&str> = names.collect();
    let mut s = names.iter().take(LISTED_NAMES).copied().collect::<Vec<_>>().join(", ");
    if names.len() > LISTED_NAMES {
        s.push_str(&format!(" and {} more", names.len() - LISTED_NAMES));
    }
    s
}

/// The closest name (see [`did_you_mean`]), or else the one name the input begins
/// (`S3MonitoringConfig` for `S3MonitoringConfiguration`).
pub(super) fn closest<'a>(input: &str, candidates: impl Iterator<Item = &'a str> + Clone) -> Option<&'a str> {
    did_you_mean(input, candidates.clone()).or_else(|| {
        let lower = input.to_ascii_lowercase();
        let mut starting = candidates.filter(|c| input.len() >= 4 && c.to_ascii_lowercase().starts_with(&lower));
        match (starting.next(), starting.next()) {
            (Some(only), None) => Some(only),
            _ => None,
        }
    })
}

/// "; did you mean `x`?" or "".
pub(super) fn hint(candidate: Option<&str>) -> String {
    candidate.map(|c| format!("; did you mean `{c}`?")).unwrap_or_default()
}

impl Checker<'_> {
    /// Checks a resource's `Properties`.
    pub fn check_properties(&self, props: &Object, diags: &mut Diags) {
        self.record(0, props, &mut Path::default(), true, diags);
    }

    /// Whether the property at `path` (`A/B`, `*` for any list item) is create-only: changing
    /// it replaces the resource.
    pub fn is_create_only(&self, path: &str) -> bool {
        self.ty.create_only.contains(&path)
    }

    /// "AWS::SNS::Topic" at the top, "`A.B` in AWS::SNS::Topic" below it.
    pub(super) fn place(&self, path: &Path) -> String {
        if path.0.is_empty() {
            self.ty.name.to_string()
        } else {
            format!("`{}` in {}", path.display(), self.ty.name)
        }
    }

    pub(super) fn is_read_only(&self, path: &Path) -> bool {
        self.ty.read_only.contains(&path.schema_path().as_str())
    }

    pub(super) fn read_only_error(&self, path: &Path, span: Span, diags: &mut Diags) {
        let shown = path.display();
        let attr = path.schema_path().replace('/', ".");
        let message = format!("`{shown}` is read-only: CloudFormation sets it");
        if !self.handle.is_empty() && !attr.contains('*') && self.ty.check_attribute(&attr).is_ok() {
            diags.error_help(
                span,
                format!("{message}; read it with `{}.{attr}`", self.handle),
                format!(
                    "remove `{shown}` here, and write `{}.{attr}` where you need its value",
                    self.handle
                ),
            );
        } else {
            diags.error_help(span, message, format!("remove `{shown}`"));
        }
    }

    /// `required` is false for overrides: they merge into properties the construct writes.
    pub(super) fn record(&self, n: usize, obj: &Object, path: &mut Path, required: bool, diags: &mut Diags) {
        let Some(rec) = self.ty.record(n) else { return };
        let mut seen = BTreeSet::new();
        for e in &obj.entries {
            if !seen.insert(e.key.as_str()) {
                diags.error_help(
                    e.key_span,
                    format!("duplicate property `{}`", e.key),
                    "each property may appear once; remove one of them",
                );
                continue;
            }
            path.key(&e.key);
            match rec.get(&e.key) {
                Some(_) if self.is_read_only(path) => self.read_only_error(path, e.key_span, diags),
                Some(p) => self.value(&p.shape, &p.rules, &e.value, path, required, diags),
                None if rec.open => self.refs_only(&e.value, diags),
                None => {
                    path.pop();
                    self.unknown_property(rec, &e.key, e.key_span, path, diags);
                    continue;
                }
            }
            path.pop();
        }
        if required {
            for p in rec.props.iter().filter(|p| p.required && !seen.contains(p.name)) {
                diags.error_help(
                    obj.span,
                    format!("{} is missing the required property `{}`", self.place(path), p.name),
                    format!("add `{}: {}`", p.name, example(&p.shape, &p.rules)),
                );
            }
        }
    }

    /// The names of `rec` (at `path`) that may be written: read-only ones are left out.
    pub(super) fn writable(&self, rec: &Record, path: &Path) -> Vec<&'static str> {
        let mut p = path.clone();
        rec.names()
            .filter(|n| {
                p.key(n);
                let ro = self.is_read_only(&p);
                p.pop();
                !ro
            })
            .collect()
    }

    pub(super) fn unknown_property(&self, rec: &Record, key: &str, span: Span, path: &Path, diags: &mut Diags) {
        let names = self.writable(rec, path);
        diags.error_help(
            span,
            format!(
                "unknown property `{key}` in {}{}",
                self.place(path),
                hint(closest(key, names.iter().copied()))
            ),
            format!("the properties are: {}", list_names(names.into_iter())),
        );
    }

    pub(super) fn value(
        &self,
        shape: &Shape,
        rules: &Rules,
        v: &Value,
        path: &mut Path,
        required: bool,
        diags: &mut Diags,
    ) {
        if self.reference(v, Some(rules), diags) {
            return;
        }
        let chosen = match shape {
            Shape::Union(alts) => alts
                .iter()
                .find(|a| exact(a, v))
                .or_else(|| alts.iter().find(|a| converts(a, v))),
            s => (exact(s, v) || converts(s, v)).then_some(s),
        };
        let Some(shape) = chosen else {
            self.wrong_kind(shape, rules, v, path, diags);
            return;
        };
        match (shape, &v.kind) {
            (Shape::List(item), ValueKind::List(items)) => {
                for (i, it) in items.iter().enumerate() {
                    path.item(i);
                    self.value(item, rules, it, path, required, diags);
                    path.pop();
                }
            }
            (Shape::Map(val), ValueKind::Object(o)) => {
                let mut seen = BTreeSet::new();
                for e in &o.entries {
                    if !seen.insert(e.key.as_str()) {
                        diags.error(e.key_span, format!("duplicate key `{}`", e.key));
                        continue;
                    }
                    path.key(&e.key);
                    self.value(val, rules, &e.value, path, required, diags);
                    path.pop();
                }
            }
            (Shape::Record(n), ValueKind::Object(o)) => self.record(*n, o, path, required, diags),
            (Shape::Str | Shape::Int | Shape::Num | Shape::Bool, _) => self.scalar(rules, v, path, diags),
            _ => self.refs_only(v, diags),
        }
    }

    /// If `v` is a reference or an intrinsic function, checks the references in it and
    /// returns true: its value is not known until deploy time.
    pub(super) fn reference(&self, v: &Value, rules: Option<&Rules>, diags: &mut Diags) -> bool {
        match &v.kind {
            ValueKind::Path(p) if p.attribute().is_some() => {
                let (attr, attr_span) = p.attribute().expect("checked");
                self.check_ref(&p.text, Some(&attr), p.span(), attr_span, None, diags);
                true
            }
            ValueKind::Path(p) => {
                let word = rules.and_then(|r| r.enum_values.iter().find(|e| e.eq_ignore_ascii_case(&p.text)));
                self.check_ref(&p.text, None, v.span, v.span, word.copied(), diags);
                true
            }
            ValueKind::Str(s) if is_substitution(s) => {
                for r in sub_refs(s) {
                    self.check_ref(r.handle, r.attr, v.span, v.span, None, diags);
                }
                true
            }
            ValueKind::Object(o) if o.entries.len() == 1 && is_intrinsic(&o.entries[0].key) => {
                self.refs_only(&o.entries[0].value, diags);
                true
            }
            _ => false,
        }
    }

    fn check_ref(
        &self,
        handle: &str,
        attr: Option<&str>,
        handle_span: Span,
        attr_span: Span,
        word: Option<&str>,
        diags: &mut Diags,
    ) {
        match self.refs.check(handle, attr) {
            Ok(()) => {}
            Err(RefProblem::UnknownHandle((message, help))) => match word {
                Some(w) => diags.error_help(
                    handle_span,
                    message,
                    format!("a value is a string in double quotes: `\"{w}\"`"),
                ),
                None => diags.error_help(handle_span, message, help),
            },
            Err(RefProblem::UnknownAttribute((message, help))) => diags.error_help(attr_span, message, help),
        }
    }

    /// Walks a value that is not checked against a schema, checking only its references.
    pub(super) fn refs_only(&self, v: &Value, diags: &mut Diags) {
        if self.reference(v, None, diags) {
            return;
        }
        match &v.kind {
            ValueKind::List(items) => items.iter().for_each(|i| self.refs_only(i, diags)),
            ValueKind::Object(o) => o.entries.iter().for_each(|e| self.refs_only(&e.value, diags)),
            ValueKind::Call(c) => c.args.iter().for_each(|a| self.refs_only(a, diags)),
            _ => {}
        }
    }

    fn scalar(&self, rules: &Rules, v: &Value, path: &Path, diags: &mut Diags) {
        let text: Cow<str> = match &v.kind {
            ValueKind::Str(s) => Cow::Borrowed(s),
            ValueKind::Int(n) => Cow::Owned(n.to_string()),
            ValueKind::Float(x) => Cow::Owned(x.to_string()),
            ValueKind::Bool(b) => Cow::Owned(b.to_string()),
            _ => return,
        };
        let name = path.display();
        if !rules.enum_values.is_empty() && !rules.enum_values.iter().any(|e| enum_eq(e, &text, rules)) {
            let candidates = rules.enum_values.iter().copied();
            diags.error_help(
                v.span,
                format!(
                    "`{name}` cannot be `{text}`{}",
                    hint(did_you_mean(&text, candidates.clone()))
                ),
                format!("use one of: {}", list_names(candidates)),
            );
        }
        if let Some(p) = rules.pattern {
            if !pattern_matches(p, &text) {
                diags.error_help(
                    v.span,
                    format!("`{name}` must match the pattern `{p}`; `{text}` does not"),
                    "write a value of the form the pattern describes",
                );
            }
        }
        if let ValueKind::Str(s) = &v.kind {
            let len = s.chars().count() as u64;
            let (lo, hi) = (rules.min_length, rules.max_length);
            let range = match (lo, hi) {
                (Some(l), Some(h)) => format!("from {l} to {h} characters"),
                (Some(l), None) => format!("at least {l} characters"),
                (None, Some(h)) => format!("at most {h} characters"),
                (None, None) => String::new(),
            };
            if lo.is_some_and(|l| len < l) || hi.is_some_and(|h| len > h) {
                diags.error_help(
                    v.span,
                    format!("`{name}` is {len} characters long"),
                    format!("CloudFormation allows {range}"),
                );
            }
        }
        let number = match &v.kind {
            ValueKind::Int(n) => Some(*n as f64),
            ValueKind::Float(x) => Some(*x),
            ValueKind::Str(s) => s.trim().parse::<f64>().ok(),
            _ => None,
        };
        if let Some(x) = number {
            let (lo, hi) = (rules.minimum, rules.maximum);
            if lo.is_some_and(|l| x < l) || hi.is_some_and(|h| x > h) {
                let range = match (lo, hi) {
                    (Some(l), Some(h)) => format!("from {l} to {h}"),
                    (Some(l), None) => format!("{l} or more"),
                    (None, Some(h)) => format!("{h} or less"),
                    (None, None) => String::new(),
                };
                diags.error_help(
                    v.span,
                    format!("`{name}` is {text}, out of range"),
                    format!("use a value {range}"),
                );
            }
        }
    }

    fn wrong_kind(&self, shape: &Shape, rules: &Rules, v: &Value, path: &Path, diags: &mut Diags) {
        diags.error_help(
            v.span,
            format!(
                "`{}` expects {}, found {}",
                path.display(),
                expected(shape),
                v.kind.describe()
            ),
            format!("write {}", example_phrase(shape, rules)),
        );
    }
}

fn is_intrinsic(key: &str) -> bool {
    key == "Ref" || key.starts_with("Fn::")
}

/// The kind as written is the kind the schema names.
fn exact(shape: &Shape, v: &Value) -> bool {
    matches!(
        (shape, &v.kind),
        (Shape::Any, _)
            | (Shape::Str, ValueKind::Str(_))
            | (Shape::Int, ValueKind::Int(_))
            | (Shape::Num, ValueKind::Int(_) | ValueKind::Float(_))
            | (Shape::Bool, ValueKind::Bool(_))
            | (Shape::List(_), ValueKind::List(_))
            | (Shape::Json | Shape::Map(_) | Shape::Record(_), ValueKind::Object(_))
    )
}

const BOOLEAN_STRINGS: [&str; 6] = ["true", "True", "TRUE", "false", "False", "FALSE"];

/// CloudFormation converts the value to the kind the schema names (cfn-lint agrees).
/// Stricter than cfn-lint in one place: a number with a fraction is not an integer.
fn converts(shape: &Shape, v: &Value) -> bool {
    match (shape, &v.kind) {
        (Shape::Str, ValueKind::Int(_) | ValueKind::Float(_) | ValueKind::Bool(_)) => true,
        (Shape::Int, ValueKind::Str(s)) => s.trim().parse::<i128>().is_ok(),
        (Shape::Int, ValueKind::Float(x)) => x.fract() == 0.0,
        (Shape::Num, ValueKind::Str(s)) => s.trim().parse::<f64>().is_ok(),
        (Shape::Bool, ValueKind::Str(s)) => BOOLEAN_STRINGS.contains(&s.as_str()),
        _ => false,
    }
}

fn as_bool(s: &str) -> Option<bool> {
    match s {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

/// cfn-lint's enum equality: booleans by truth, numbers by value, the rest as text.
fn enum_eq(allowed: &str, text: &str, rules: &Rules) -> bool {
    if rules.enum_case_insensitive {
        return allowed.to_lowercase() == text.to_lowercase();
    }
    if allowed == text {
        return true;
    }
    if let (Some(a), Some(b)) = (as_bool(allowed), as_bool(text)) {
        return a == b;
    }
    matches!((allowed.parse::<f64>(), text.parse::<f64>()), (Ok(a), Ok(b)) if a == b)
}

/// Whether `text` matches, as cfn-lint's `re.search` would. Skipped (true) where the
/// small engine could disagree: a pattern it cannot compile (Unicode classes), or text that
/// is not ASCII (its `\w`, `\d`, `\s` are ASCII-only). Python's `$` also matches before a
/// final newline.
pub(super) fn pattern_matches(pattern: &str, text: &str) -> bool {
    if !text.is_ascii() {
        return true;
    }
    let Ok(re) = regex_lite::Regex::new(pattern) else {
        return true;
    };
    re.is_match(text) || text.strip_suffix('\n').is_some_and(|t| re.is_match(t))
}

fn expected(shape: &Shape) -> String {
    match shape {
        Shape::Str => "a string".into(),
        Shape::Int => "an integer".into(),
        Shape::Num => "a number".into(),
        Shape::Bool => "`true` or `false`".into(),
        Shape::Json | Shape::Record(_) | Shape::Map(_) => "an object `{ ... }`".into(),
        Shape::Any => "a value".into(),
        Shape::List(item) => format!("a list of {}", plural(item)),
        Shape::Union(alts) => {
            let mut names: Vec<String> = Vec::new();
            for a in alts {
                let n = expected(a);
                if !names.contains(&n) {
                    names.push(n);
                }
            }
            names.join(" or ")
        }
    }
}

fn plural(shape: &Shape) -> String {
    match shape {
        Shape::Str => "strings".into(),
        Shape::Int => "integers".into(),
        Shape::Num => "numbers".into(),
        Shape::Bool => "booleans".into(),
        Shape::Json | Shape::Record(_) | Shape::Map(_) => "objects".into(),
        Shape::List(_) => "lists".into(),
        Shape::Any | Shape::Union(_) => "values".into(),
    }
}

/// A value of the shape, as the user would write it.
pub(super) fn example(shape: &Shape, rules: &Rules) -> String {
    match shape {
        Shape::Str => match rules.enum_values.first() {
            Some(e) => format!("\"{e}\""),
            None => "\"...\"".into(),
        },
        Shape::Int | Shape::Num => match (rules.enum_values.first(), rules.minimum) {
            (Some(e), _) => e.to_string(),
            (None, Some(m)) => m.to_string(),
            (None, None) => "1".into(),
        },
        Shape::Bool => "true".into(),
        Shape::Json | Shape::Record(_) | Shape::Map(_) => "{ ... }".into(),
        Shape::List(item) => format!("[{}]", example(item, rules)),
        Shape::Any => "...".into(),
        Shape::Union(alts) => alts.first().map_or("...".into(), |a| example(a, rules)),
    }
}

fn example_phrase(shape: &Shape, rules: &Rules) -> String {
    match shape {
        Shape::Str => format!("a string in double quotes, e.g. `{}`", example(shape, rules)),
        Shape::List(_) => format!("the items in brackets, e.g. `{}`", example(shape, rules)),
        Shape::Json | Shape::Record(_) | Shape::Map(_) => "the settings in braces: `{ Name: value, ... }`".into(),
        _ => format!("e.g. `{}`", example(shape, rules)),
    }
}
