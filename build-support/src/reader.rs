//! Typed access to an object's fields, reporting duplicates, unknown keys (with "did you
//! mean") and wrong value kinds on the offending token. Every checker reads through this.

use crate::diag::{suggestion, Diags};
use crate::value::{Call, Object, PathValue, Value, ValueKind};
use proc_macro2::Span;
use std::collections::BTreeMap;

/// Reads one object. Call `finish` once every known key has been asked for.
pub struct Fields<'a> {
    obj: &'a Object,
    what: &'static str,
    asked: Vec<&'static str>,
    /// The fields the object may have, when a table declares them (else: those asked for).
    known: Option<&'static [&'static str]>,
    /// The construct table row, for a macro body.
    def: Option<&'static crate::constructs::ConstructDef>,
    /// Fields asked for that `known` lacks (reported by `finish`).
    unlisted: Vec<&'static str>,
    used: Vec<bool>,
}

impl<'a> Fields<'a> {
    /// `what` names the object in messages, e.g. "spark_serverless_runtime!".
    pub fn new(obj: &'a Object, what: &'static str, diags: &mut Diags) -> Self {
        let mut seen: BTreeMap<&str, Span> = BTreeMap::new();
        for e in &obj.entries {
            if seen.insert(e.key.as_str(), e.key_span).is_some() {
                diags.error_help(
                    e.key_span,
                    format!("duplicate field `{}` in {what}", e.key),
                    "each field may appear once; remove one of them",
                );
            }
        }
        Fields {
            obj,
            what,
            asked: Vec::new(),
            known: None,
            def: None,
            unlisted: Vec::new(),
            used: vec![false; obj.entries.len()],
        }
    }

    /// The body of a macro: its fields are the construct table's, so "did you mean" and the
    /// list of fields are complete even when the checker stops early.
    pub fn top(obj: &'a Object, def: &'static crate::constructs::ConstructDef, diags: &mut Diags) -> Self {
        let mut f = Fields::new(obj, def.what, diags);
        f.known = Some(def.fields);
        f.def = Some(def);
        f
    }

    /// The construct table row of a macro body (see [`Fields::top`]).
    pub fn def(&self) -> Option<&'static crate::constructs::ConstructDef> {
        self.def
    }

    pub fn span(&self) -> Span {
        self.obj.span
    }

    /// The value of `key` if present (the first one, when duplicated).
    pub fn get(&mut self, key: &'static str) -> Option<&'a Value> {
        if self.known.is_some_and(|k| !k.contains(&key)) && !self.asked.contains(&key) {
            // A field the table does not list would be missing from "did you mean": a bug in
            // sparkform that the construct-table test catches; never a panic in a macro.
            self.unlisted.push(key);
        }
        self.asked.push(key);
        let mut found = None;
        for (i, e) in self.obj.entries.iter().enumerate() {
            if e.key == key {
                self.used[i] = true;
                if found.is_none() {
                    found = Some(&e.value);
                }
            }
        }
        found
    }

    /// The key's token span, for errors about the field as a whole.
    pub fn key_span(&self, key: &str) -> Option<Span> {
        self.obj.entries.iter().find(|e| e.key == key).map(|e| e.key_span)
    }

    /// Like `get`, but reports a missing required field at the object.
    pub fn require(&mut self, key: &'static str, diags: &mut Diags, example: &str) -> Option<&'a Value> {
        let v = self.get(key);
        if v.is_none() {
            diags.error_help(
                self.obj.span,
                format!("{} is missing the required field `{key}`", self.what),
                format!("add `{key}: {example}`"),
            );
        }
        v
    }

    pub fn str(&mut self, key: &'static str, diags: &mut Diags) -> Option<Spanned<String>> {
        self.get(key).and_then(|v| v.string(diags))
    }

    pub fn bool(&mut self, key: &'static str, diags: &mut Diags) -> Option<bool> {
        self.get(key).and_then(|v| v.boolean(diags))
    }

    pub fn int(&mut self, key: &'static str, diags: &mut Diags, min: i128, max: i128) -> Option<Spanned<i128>> {
        let v = self.get(key)?;
        match &v.kind {
            // Out of range: name the field, since a bare number says little on its own.
            ValueKind::Int(n) if !(min..=max).contains(n) => {
                diags.error_help(
                    v.span,
                    format!("`{key}` is {n}, out of range"),
                    format!("use a value from {min} to {max}"),
                );
                None
            }
            _ => v.int_in(diags, min, max),
        }
    }

    pub fn object(&mut self, key: &'static str, diags: &mut Diags) -> Option<&'a Object> {
        self.get(key).and_then(|v| v.object(diags))
    }

    pub fn list(&mut self, key: &'static str, diags: &mut Diags) -> Option<&'a [Value]> {
        self.get(key).and_then(|v| v.list(diags))
    }

    /// A list of strings.
    pub fn strings(&mut self, key: &'static str, diags: &mut Diags) -> Option<Vec<Spanned<String>>> {
        self.list(key, diags)
            .map(|items| items.iter().filter_map(|v| v.string(diags)).collect())
    }

    /// A `{ "key": "value" }` map of strings (tags, Spark properties).
    pub fn string_map(
        &mut self,
        key: &'static str,
        diags: &mut Diags,
    ) -> Option<Vec<(Spanned<String>, Spanned<String>)>> {
        self.object(key, diags).map(|o| string_map(o, diags))
    }

    /// One of a fixed set of words, written bare (`ARM64`) or as a string.
    pub fn word(
        &mut self,
        key: &'static str,
        diags: &mut Diags,
        choices: &[&'static str],
    ) -> Option<Spanned<&'static str>> {
        self.get(key).and_then(|v| v.word(diags, choices))
    }

    /// Reports every key that no accessor asked for.
    pub fn finish(self, diags: &mut Diags) {
        for key in &self.unlisted {
            diags.error(
                self.obj.span,
                format!(
                    "sparkform bug: {} reads `{key}`, which its row of the construct table does not list",
                    self.what
                ),
            );
        }
        for (i, e) in self.obj.entries.iter().enumerate() {
            if !self.used[i] {
                let known: &[&str] = self.known.unwrap_or(&self.asked);
                let hint = suggestion(&e.key, known.iter().copied());
                let known = known.join(", ");
                diags.error_help(
                    e.key_span,
                    format!("unknown field `{}` in {}{hint}", e.key, self.what),
                    format!("the fields are: {known}"),
                );
            }
        }
    }
}

/// A checked value with the span it came from, so later checks can still point at it.
#[derive(Clone, Debug)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(value: T, span: Span) -> Self {
        Spanned { value, span }
    }
}

fn wrong_kind(diags: &mut Diags, v: &Value, expected: &str) {
    let message = format!("expected {expected}, found {}", v.kind.describe());
    match kind_hint(v, expected) {
        Some(help) => diags.error_help(v.span, message, help),
        None => diags.error(v.span, message),
    }
}

/// How to write the value as the kind that was expected, when that is clear.
fn kind_hint(v: &Value, expected: &str) -> Option<String> {
    let short = |s: &str| s.chars().count() <= 40;
    match (expected, &v.kind) {
        ("a string", ValueKind::Path(p)) if short(&p.text) => {
            Some(format!("strings are written in double quotes: `\"{}\"`", p.text))
        }
        ("a string", ValueKind::Int(n)) => Some(format!("strings are written in double quotes: `\"{n}\"`")),
        ("a string", _) => Some("write a string in double quotes, e.g. `\"...\"`".into()),
        ("an integer", ValueKind::Str(s)) if s.trim().parse::<i128>().is_ok() => {
            Some(format!("write the number without quotes: `{}`", s.trim()))
        }
        ("an integer", ValueKind::Float(_)) => Some("write a whole number".into()),
        ("`true` or `false`", ValueKind::Str(s)) if s == "true" || s == "false" => {
            Some(format!("write it without quotes: `{s}`"))
        }
        ("`true` or `false`", _) => Some("write `true` or `false`".into()),
        (e, _) if e.starts_with("a list") => Some("put the items in brackets: `[a, b]`".into()),
        (e, _) if e.starts_with("an object") => Some("write the settings in braces: `{ key: value, ... }`".into()),
        _ => None,
    }
}

impl Value {
    pub fn string(&self, diags: &mut Diags) -> Option<Spanned<String>> {
        match &self.kind {
            ValueKind::Str(s) => Some(Spanned::new(s.clone(), self.span)),
            _ => {
                wrong_kind(diags, self, "a string");
                None
            }
        }
    }

    pub fn boolean(&self, diags: &mut Diags) -> Option<bool> {
        match &self.kind {
            ValueKind::Bool(b) => Some(*b),
            _ => {
                wrong_kind(diags, self, "`true` or `false`");
                None
            }
        }
    }

    pub fn int_in(&self, diags: &mut Diags, min: i128, max: i128) -> Option<Spanned<i128>> {
        match &self.kind {
            ValueKind::Int(n) if (min..=max).contains(n) => Some(Spanned::new(*n, self.span)),
            ValueKind::Int(n) => {
                diags.error(self.span, format!("{n} is out of range: expected {min} to {max}"));
                None
            }
            _ => {
                wrong_kind(diags, self, "an integer");
                None
            }
        }
    }

    pub fn object(&self, diags: &mut Diags) -> Option<&Object> {
        match &self.kind {
            ValueKind::Object(o) => Some(o),
            _ => {
                wrong_kind(diags, self, "an object `{ ... }`");
                None
            }
        }
    }

    pub fn list(&self, diags: &mut Diags) -> Option<&[Value]> {
        match &self.kind {
            ValueKind::List(l) => Some(l),
            _ => {
                wrong_kind(diags, self, "a list `[ ... ]`");
                None
            }
        }
    }

    pub fn path(&self) -> Option<&PathValue> {
        match &self.kind {
            ValueKind::Path(p) => Some(p),
            _ => None,
        }
    }

    /// A handle written alone (`RUNTIME`, not `RUNTIME.part`); `None` if it is not a path.
    pub fn handle(&self, diags: &mut Diags) -> Option<&PathValue> {
        let p = self.path()?;
        if let Some(m) = p.members.first() {
            diags.error_help(
                m.span,
                format!("`.{}` does not apply here", m.name),
                format!("write the handle alone: `{}`", p.text),
            );
        }
        Some(p)
    }

    pub fn call(&self) -> Option<&Call> {
        match &self.kind {
            ValueKind::Call(c) => Some(c),
            _ => None,
        }
    }

    /// A name written bare (`vpc_id`) or as a string.
    pub fn word_any(&self, diags: &mut Diags) -> Option<Spanned<String>> {
        match &self.kind {
            ValueKind::Str(s) => Some(Spanned::new(s.clone(), self.span)),
            ValueKind::Path(p) if p.members.is_empty() && !p.text.contains("::") => {
                Some(Spanned::new(p.text.clone(), self.span))
            }
            _ => {
                wrong_kind(diags, self, "a name");
                None
            }
        }
    }

    /// One of `choices`, compared without case; bare words and strings are both accepted.
    pub fn word(&self, diags: &mut Diags, choices: &[&'static str]) -> Option<Spanned<&'static str>> {
        let text = match &self.kind {
            ValueKind::Str(s) => s.as_str(),
            ValueKind::Path(p) if p.members.is_empty() => p.text.as_str(),
            _ => {
                wrong_kind(diags, self, &format!("one of {}", choices.join(", ")));
                return None;
            }
        };
        if let Some(c) = choices.iter().find(|c| c.eq_ignore_ascii_case(text)) {
            return Some(Spanned::new(*c, self.span));
        }
        diags.error_help(
            self.span,
            format!(
                "`{text}` is not allowed here{}",
                suggestion(text, choices.iter().copied())
            ),
            format!("use one of: {}", choices.join(", ")),
        );
        None
    }
}

/// Reads `{ "k": "v", ... }`; keys keep their case exactly (DSF capitalised them: defect 4).
pub fn string_map(o: &Object, diags: &mut Diags) -> Vec<(Spanned<String>, Spanned<String>)> {
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for e in &o.entries {
        if !seen.insert(e.key.as_str()) {
            diags.error(e.key_span, format!("duplicate key `{}`", e.key));
            continue;
        }
        let value = match &e.value.kind {
            ValueKind::Str(s) => s.clone(),
            ValueKind::Int(n) => n.to_string(),
            ValueKind::Bool(b) => b.to_string(),
            _ => {
                wrong_kind(diags, &e.value, "a string");
                continue;
            }
        };
        out.push((
            Spanned::new(e.key.clone(), e.key_span),
            Spanned::new(value, e.value.span),
        ));
    }
    out
}

/// A value checked against one of sparkform's dated tables (EMR releases, EKS versions), or
/// `unlisted("...")` for one newer than the table, checked by `check_unlisted` instead.
/// `noun` names the value in messages ("release label").
pub struct Tabled {
    pub noun: &'static str,
    pub unlisted_example: &'static str,
    pub check: Check,
    pub check_unlisted: Check,
}

/// A check of one of the tables.
pub type Check = fn(&str) -> Result<(), crate::checks::Problem>;

impl Tabled {
    /// Reads the value, reporting every problem on its token; `None` when nothing usable.
    pub fn read(&self, v: &Value, diags: &mut Diags) -> Option<String> {
        let (checked, check): (Spanned<String>, Check) = match v.call() {
            Some(call) => {
                let help = format!(
                    "write a {} string, or `unlisted(\"{}\")` for one newer than sparkform's table",
                    self.noun, self.unlisted_example
                );
                if call.name != "unlisted" {
                    let hint = suggestion(&call.name, ["unlisted"]);
                    diags.error_help(
                        call.name_span,
                        format!("`{}(...)` is not allowed here{hint}", call.name),
                        help,
                    );
                    return None;
                }
                if call.args.len() != 1 {
                    let n = call.args.len();
                    diags.error_help(
                        call.name_span,
                        format!("`unlisted` takes one {}, found {n} arguments", self.noun),
                        help,
                    );
                    return None;
                }
                (call.args[0].string(diags)?, self.check_unlisted)
            }
            None => (v.string(diags)?, self.check),
        };
        if let Err((m, h)) = check(&checked.value) {
            diags.error_help(checked.span, m, h);
        }
        Some(checked.value)
    }
}
