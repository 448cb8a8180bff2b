//! Every resource a construct creates, in every example and scenario, is one its row lets
//! `overrides` target, with the same CloudFormation type: the target lists cannot fall
//! behind the synthesis.

use serde_json::Value;
use sparkform_build::checks::names::pascal_case;
use sparkform_build::constructs::{self, ConstructDef};
use sparkform_tests::all_apps;

/// The construct of `stack` whose logical-id prefix is the longest start of `id`.
fn owner<'a>(id: &str, rows: &'a [(String, &'static ConstructDef)]) -> Option<&'a (String, &'static ConstructDef)> {
    rows.iter()
        .filter(|(prefix, _)| id.starts_with(prefix.as_str()))
        .max_by_key(|(prefix, _)| prefix.len())
}

#[test]
fn every_created_resource_is_a_target_of_its_row() {
    let mut missing = Vec::new();
    let mut checked = 0;
    for app in all_apps() {
        let s = app.synthesize();
        for stack in &s.assembly.manifest.stacks {
            let rows: Vec<(String, &'static ConstructDef)> = stack
                .constructs
                .iter()
                .filter_map(|c| Some((pascal_case(&c.handle), constructs::find(&c.kind)?)))
                .collect();
            let t: Value = serde_json::from_str(&s.assembly.templates[&stack.template]).unwrap();
            for (id, r) in t["Resources"].as_object().unwrap() {
                // Resources named by the user (`start_job_roles` ids) belong to no prefix.
                let Some((prefix, def)) = owner(id, &rows) else {
                    continue;
                };
                if !def.has_targets() {
                    continue;
                }
                let rest = &id[prefix.len()..];
                let ty = r["Type"].as_str().unwrap();
                let found = def
                    .targets()
                    .find(|t| if t.own { rest.is_empty() } else { t.matches(rest) });
                checked += 1;
                match found {
                    Some(t) if t.ty == ty => {}
                    Some(t) => missing.push(format!("{}: {id} is a {ty}, and its target says {}", app.name, t.ty)),
                    None => missing.push(format!("{}: {id} ({ty}) is no target of {}", app.name, def.what)),
                }
            }
        }
    }
    assert!(checked > 100, "only {checked} resources checked");
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}
