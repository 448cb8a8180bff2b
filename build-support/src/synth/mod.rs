//! CloudFormation synthesis: one `Template` per stack, built from checked constructs.
//! Output is deterministic: maps are sorted, nothing depends on time or machine.

pub mod bucket;
pub mod iam;
pub mod logs;
pub mod vpc;

use crate::model::Removal;
use serde_json::{json, Map, Value as Json};
use std::collections::BTreeMap;

/// One stack's template under construction.
#[derive(Debug, Default)]
pub struct Template {
    pub stack: String,
    pub resources: BTreeMap<String, Json>,
    pub outputs: BTreeMap<String, Json>,
    /// Construct kinds in this stack, for the description.
    pub kinds: std::collections::BTreeSet<&'static str>,
    /// Logical IDs defined twice (reported by the app check).
    pub duplicates: Vec<String>,
    /// Logical IDs in the order they were added, so the app knows which construct created
    /// which resources (see [`Linker::mark`]).
    pub added: Vec<String>,
    /// Stacks whose exports this one imports: they deploy first.
    pub depends_on: std::collections::BTreeSet<String>,
    /// The `Parameters` and `Rules` sections (written only when not empty).
    pub parameters: BTreeMap<String, Json>,
    pub rules: BTreeMap<String, Json>,
}

impl Template {
    pub fn new(stack: &str) -> Self {
        Template {
            stack: stack.to_string(),
            ..Default::default()
        }
    }

    /// Adds a resource; returns its entry so callers can set policies or DependsOn.
    pub fn resource(&mut self, id: &str, kind: &str, properties: Json) -> &mut Map<String, Json> {
        let mut body = Map::new();
        body.insert("Type".into(), json!(kind));
        if properties.as_object().is_some_and(|m| !m.is_empty()) {
            body.insert("Properties".into(), properties);
        }
        if self.resources.insert(id.to_string(), Json::Object(body)).is_some() {
            self.duplicates.push(id.to_string());
        }
        self.added.push(id.to_string());
        self.resources
            .get_mut(id)
            .and_then(Json::as_object_mut)
            .expect("just inserted")
    }

    /// A resource that holds data: kept on stack deletion and replacement unless `Destroy`.
    pub fn data_resource(
        &mut self,
        id: &str,
        kind: &str,
        properties: Json,
        removal: Removal,
    ) -> &mut Map<String, Json> {
        let policy = match removal {
            Removal::Retain => "Retain",
            Removal::Destroy => "Delete",
        };
        let r = self.resource(id, kind, properties);
        r.insert("DeletionPolicy".into(), json!(policy));
        r.insert("UpdateReplacePolicy".into(), json!(policy));
        r
    }

    /// Records on resource `id` why it deliberately fails an outside scanner's check, in
    /// checkov's suppression format, so users' own scans show the reason.
    pub fn skip_check(&mut self, id: &str, check: &str, reason: &str) {
        let Some(r) = self.resources.get_mut(id).and_then(Json::as_object_mut) else {
            return;
        };
        let meta = r.entry("Metadata").or_insert_with(|| json!({}));
        let skips = &mut meta["checkov"]["skip"];
        if !skips.is_array() {
            *skips = json!([]);
        }
        if let Some(list) = skips.as_array_mut() {
            list.push(json!({ "id": check, "comment": reason }));
        }
    }

    /// Adds an output. An export another stack already asked for (see [`Linker::value`])
    /// is kept, so constructs can be synthesized in any order.
    pub fn output(&mut self, id: &str, value: Json, description: &str) {
        let export = self.outputs.get(id).and_then(|o| o.get("Export")).cloned();
        let mut out = json!({ "Description": description, "Value": value });
        if let Some(e) = export {
            out["Export"] = e;
        }
        self.outputs.insert(id.to_string(), out);
    }

    /// The template document.
    pub fn to_json(&self) -> Json {
        let kinds: Vec<_> = self.kinds.iter().copied().collect();
        let mut doc = Map::new();
        doc.insert("AWSTemplateFormatVersion".into(), json!("2010-09-09"));
        doc.insert(
            "Description".into(),
            json!(format!(
                "{} (sparkform {}: {})",
                self.stack,
                env!("CARGO_PKG_VERSION"),
                kinds.join(", ")
            )),
        );
        if !self.parameters.is_empty() {
            doc.insert("Parameters".into(), json!(self.parameters));
        }
        if !self.rules.is_empty() {
            doc.insert("Rules".into(), json!(self.rules));
        }
        doc.insert("Resources".into(), json!(self.resources));
        if !self.outputs.is_empty() {
            doc.insert("Outputs".into(), json!(self.outputs));
        }
        Json::Object(doc)
    }

    /// Pretty JSON with a final newline: what is written to `<Stack>.template.json`.
    pub fn render(&self) -> String {
        let mut s = serde_json::to_string_pretty(&self.to_json()).expect("JSON values always serialize");
        s.push('\n');
        s
    }
}

/// `{"Ref": id}`
pub fn r#ref(id: &str) -> Json {
    json!({ "Ref": id })
}

/// `{"Fn::GetAtt": [id, attr]}`
pub fn att(id: &str, attr: &str) -> Json {
    json!({ "Fn::GetAtt": [id, attr] })
}

/// `{"Fn::Sub": text}`
pub fn sub(text: &str) -> Json {
    json!({ "Fn::Sub": text })
}

/// A user string: `${AWS::AccountId}`-style references become `Fn::Sub`.
pub fn user_str(text: &str) -> Json {
    if text.contains("${") {
        sub(text)
    } else {
        json!(text)
    }
}

/// CloudFormation tag list from ordered pairs.
pub fn tags(pairs: &[(String, String)]) -> Json {
    Json::Array(pairs.iter().map(|(k, v)| json!({ "Key": k, "Value": v })).collect())
}

/// The stacks under construction, and the links between them.
#[derive(Default)]
pub struct Linker {
    pub stacks: BTreeMap<String, Template>,
    /// Templates written to the assembly that `deploy` does not deploy: a pipeline deploys
    /// them (or, for another account's roles, a person does, once).
    pub detached: BTreeMap<String, Template>,
}

/// How many resources each stack had at some point (see [`Linker::created_since`]).
#[derive(Debug, Default)]
pub struct Mark(BTreeMap<String, usize>);

/// A resource added to a stack: (stack, logical id, type).
pub type Created = (String, String, String);

impl Linker {
    /// The point from which [`Linker::created_since`] counts.
    pub fn mark(&self) -> Mark {
        Mark(self.stacks.iter().map(|(n, t)| (n.clone(), t.added.len())).collect())
    }

    /// The resources added to the deployed stacks since `mark`, in stack order.
    pub fn created_since(&self, mark: &Mark) -> Vec<Created> {
        let mut out = Vec::new();
        for (name, t) in &self.stacks {
            let from = mark.0.get(name).copied().unwrap_or(0);
            for id in t.added.iter().skip(from) {
                let ty = t.resources.get(id).and_then(|r| r["Type"].as_str()).unwrap_or_default();
                out.push((name.clone(), id.clone(), ty.to_string()));
            }
        }
        out
    }

    pub fn template(&mut self, stack: &str) -> &mut Template {
        self.stacks
            .entry(stack.to_string())
            .or_insert_with(|| Template::new(stack))
    }

    /// `value` of stack `owner` as seen from stack `from`: itself in the same stack, else an
    /// `Fn::ImportValue` of an export `owner` gains (and `from` then deploys after `owner`).
    /// An export name the output already has (a user's `exports`) is kept.
    pub fn value(&mut self, from: &str, owner: &str, output_id: &str, value: Json) -> Json {
        if from == owner {
            return value;
        }
        let t = self.template(owner);
        let out = t
            .outputs
            .entry(output_id.to_string())
            .or_insert_with(|| json!({ "Value": value }));
        if out.get("Export").is_none() {
            out["Export"] = json!({ "Name": crate::constructs::attributes::default_export(owner, output_id) });
        }
        let export = out["Export"]["Name"].clone();
        self.template(from).depends_on.insert(owner.to_string());
        json!({ "Fn::ImportValue": export })
    }
}
