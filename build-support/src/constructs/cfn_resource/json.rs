//! DSL values to CloudFormation JSON, with references resolved: `HANDLE` (a raw resource's
//! `Ref`), `HANDLE.Attr` (an attribute: `Fn::GetAtt` in the same stack, an import from
//! another), `"...${HANDLE.Attr}..."` (`Fn::Sub` with the values as variables). Shared by
//! raw resources and overrides; the references were checked before synthesis.

use crate::checks::cfn_schema::sub_refs;
use crate::constructs::attributes::import;
use crate::constructs::Index;
use crate::synth::Linker;
use crate::value::{Value, ValueKind};
use serde_json::{json, Map, Value as Json};

/// What a reference is in stack `from`; `Null` only for references the checks refused.
pub fn reference(index: &Index, handle: &str, attr: Option<&str>, from: &str, link: &mut Linker) -> Json {
    let Some(Some(c)) = index.slot(handle) else {
        return Json::Null;
    };
    import(c, attr.unwrap_or("Ref"), from, link).unwrap_or(Json::Null)
}

/// The JSON of `v` as a property value in stack `from`.
pub fn to_json(v: &Value, index: &Index, from: &str, link: &mut Linker) -> Json {
    match &v.kind {
        ValueKind::Str(s) => string(s, index, from, link),
        ValueKind::Int(n) => i64::try_from(*n)
            .map(Json::from)
            .unwrap_or_else(|_| json!(n.to_string())),
        ValueKind::Float(x) => serde_json::Number::from_f64(*x).map(Json::Number).unwrap_or(Json::Null),
        ValueKind::Bool(b) => json!(b),
        ValueKind::Path(p) => {
            let attr = p.attribute().map(|(a, _)| a);
            reference(
                index,
                crate::constructs::index::ident_of(p),
                attr.as_deref(),
                from,
                link,
            )
        }
        ValueKind::List(items) => Json::Array(items.iter().map(|i| to_json(i, index, from, link)).collect()),
        ValueKind::Object(o) => {
            let mut m = Map::new();
            for e in &o.entries {
                m.insert(e.key.clone(), to_json(&e.value, index, from, link));
            }
            Json::Object(m)
        }
        ValueKind::Call(_) => Json::Null,
    }
}

/// A string: itself, or `Fn::Sub` when it holds `${...}` (handle references become
/// variables; pseudo parameters such as `${AWS::Region}` stay as they are).
fn string(s: &str, index: &Index, from: &str, link: &mut Linker) -> Json {
    let refs = sub_refs(s);
    if refs.is_empty() {
        return if s.contains("${") {
            json!({ "Fn::Sub": s })
        } else {
            json!(s)
        };
    }
    let mut text = s.to_string();
    let mut vars = Map::new();
    for r in refs {
        let name: String = format!("{}{}", r.handle, r.attr.unwrap_or(""))
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect();
        let written = match r.attr {
            Some(a) => format!("${{{}.{a}}}", r.handle),
            None => format!("${{{}}}", r.handle),
        };
        text = text.replace(&written, &format!("${{{name}}}"));
        vars.insert(name, reference(index, r.handle, r.attr, from, link));
    }
    json!({ "Fn::Sub": [text, vars] })
}
