//! The embedded cloud assembly (manifest and templates), as build.rs wrote it.

use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Deserialize)]
pub struct Manifest {
    pub version: u32,
    #[serde(rename = "crate")]
    pub crate_name: String,
    pub remove_data_on_destroy: bool,
    pub stacks: Vec<StackEntry>,
    #[serde(default)]
    pub assets: Vec<Value>,
    #[serde(default)]
    pub kubernetes: Vec<Value>,
    #[serde(default)]
    pub errors: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct StackEntry {
    pub name: String,
    pub template: String,
    pub template_sha256: String,
    pub resources: usize,
    #[serde(default)]
    pub depends_on: Vec<String>,
    #[serde(default)]
    pub constructs: Vec<ConstructEntry>,
    #[serde(default)]
    pub outputs: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ConstructEntry {
    pub kind: String,
    pub handle: String,
    pub source: String,
}

#[derive(Debug, Clone)]
pub struct Assembly {
    pub manifest: Manifest,
    /// Template file name -> template document.
    pub templates: BTreeMap<String, Value>,
}

#[derive(Deserialize)]
struct Embedded {
    manifest: Manifest,
    templates: BTreeMap<String, Value>,
}

impl Assembly {
    /// Loads the JSON that build.rs embedded; it is produced by the same version of
    /// sparkform, so a failure here is a bug worth a clear panic message.
    pub fn from_embedded(json: &str) -> Assembly {
        let e: Embedded = serde_json::from_str(json)
            .expect("sparkform: the embedded assembly is not valid; rebuild with `cargo clean -p <crate>`");
        Assembly {
            manifest: e.manifest,
            templates: e.templates,
        }
    }

    /// The template of a stack, as JSON text exactly as build.rs wrote it.
    pub fn template_text(&self, stack: &StackEntry) -> String {
        let mut s = serde_json::to_string_pretty(&self.templates[&stack.template]).expect("serializes");
        s.push('\n');
        s
    }

    pub fn stack(&self, name: &str) -> Option<&StackEntry> {
        self.manifest.stacks.iter().find(|s| s.name == name)
    }
}
