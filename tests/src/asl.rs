//! A structural checker for Amazon States Language definitions: what cfn-lint's schema
//! check does not cover (every transition target exists, every state is reachable, every
//! path ends), used on every state machine sparkform synthesizes.

use serde_json::Value;
use std::collections::{BTreeSet, VecDeque};

/// The states a state can go to next.
fn targets(state: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let mut push = |v: Option<&Value>| {
        if let Some(s) = v.and_then(Value::as_str) {
            out.push(s.to_string());
        }
    };
    push(state.get("Next"));
    push(state.get("Default"));
    for key in ["Catch", "Choices"] {
        for c in state.get(key).and_then(Value::as_array).into_iter().flatten() {
            push(c.get("Next"));
        }
    }
    out
}

/// Problems with a definition; empty when it is well-formed.
pub fn problems(def: &Value) -> Vec<String> {
    let mut p = Vec::new();
    let Some(states) = def.get("States").and_then(Value::as_object) else {
        return vec!["no States".into()];
    };
    let Some(start) = def.get("StartAt").and_then(Value::as_str) else {
        return vec!["no StartAt".into()];
    };
    if !states.contains_key(start) {
        p.push(format!("StartAt `{start}` is not a state"));
    }
    for (name, s) in states {
        let ty = s.get("Type").and_then(Value::as_str).unwrap_or("");
        let terminal = matches!(ty, "Succeed" | "Fail") || s.get("End") == Some(&Value::Bool(true));
        let has_next = s.get("Next").is_some() || ty == "Choice";
        if terminal == has_next {
            p.push(format!("state `{name}` must either end or have a next state"));
        }
        if ty == "Choice" && s.get("Choices").and_then(Value::as_array).is_none_or(|c| c.is_empty()) {
            p.push(format!("choice `{name}` has no choices"));
        }
        if ty == "Fail" && s.get("Error").is_some() && s.get("ErrorPath").is_some() {
            p.push(format!("fail state `{name}` has both Error and ErrorPath"));
        }
        for t in targets(s) {
            if !states.contains_key(&t) {
                p.push(format!("state `{name}` goes to `{t}`, which does not exist"));
            }
        }
    }
    // Every state is reachable from StartAt.
    let mut seen = BTreeSet::new();
    let mut queue = VecDeque::from([start.to_string()]);
    while let Some(s) = queue.pop_front() {
        if !seen.insert(s.clone()) {
            continue;
        }
        if let Some(state) = states.get(&s) {
            queue.extend(targets(state));
        }
    }
    for name in states.keys() {
        if !seen.contains(name) {
            p.push(format!("state `{name}` is unreachable"));
        }
    }
    p
}

/// The definition inside a `DefinitionString` (a plain string or `Fn::Sub`), with each
/// `${Name}` placeholder replaced by `value(Name)`.
pub fn definition_of(definition_string: &Value, value: impl Fn(&str) -> String) -> Value {
    let text = match definition_string {
        Value::String(s) => s.clone(),
        Value::Object(o) => match o.get("Fn::Sub") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Array(a)) => a[0].as_str().unwrap_or_default().to_string(),
            _ => panic!("unexpected DefinitionString {definition_string}"),
        },
        _ => panic!("unexpected DefinitionString {definition_string}"),
    };
    let mut out = String::new();
    let mut rest = text.as_str();
    while let Some(i) = rest.find("${") {
        out.push_str(&rest[..i]);
        let end = rest[i..].find('}').expect("closed placeholder") + i;
        out.push_str(&value(&rest[i + 2..end]));
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    serde_json::from_str(&out).expect("the definition is JSON")
}
