//! The cloud assembly: `manifest.json` plus one `<Stack>.template.json` per stack, written to
//! `target/sparkform/<crate>/` and embedded in the binary (DESIGN.md, output contract).

use crate::app::{Loc, Located};
use crate::constructs::ManifestParts;
use crate::model::Context;
use crate::synth::Template;
use sha2::{Digest, Sha256};
use sparkform_assembly::{ConstructEntry, Embedded, Manifest, Stack as StackEntry, MANIFEST_VERSION};
use std::collections::BTreeMap;
use std::path::Path;

/// CloudFormation's limits that a template is checked against before deploy. `deploy`
/// sends templates inline, where the limit is 51,200 bytes (without indentation).
pub const MAX_TEMPLATE_BYTES: usize = 51_200;
pub const MAX_RESOURCES: usize = 500;
pub const MAX_OUTPUTS: usize = 200;

/// Manifest plus rendered templates, by file name.
#[derive(Clone, Debug)]
pub struct Assembly {
    pub manifest: Manifest,
    pub templates: BTreeMap<String, String>,
}

/// A construct as the manifest lists it, with where it was declared.
#[derive(Clone, Debug)]
pub struct Declared {
    pub kind: &'static str,
    pub handle: String,
    pub stack: String,
    pub loc: Loc,
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// A stack's manifest entry and its rendered template; CloudFormation's limits are checked
/// (a breach is reported at the first construct of the stack). `remove_data`: the crate's
/// data-removal opt-in, without which `destroy` empties no bucket.
pub fn stack_entry(
    remove_data: bool,
    name: &str,
    t: &Template,
    sources: &[Declared],
    app_errors: &mut Vec<Located>,
) -> (StackEntry, String) {
    let body = t.render();
    let file = format!("{name}.template.json");
    let loc = sources
        .iter()
        .find(|c| c.stack == name)
        .map(|c| c.loc.clone())
        .unwrap_or_default();
    let mut limit = |message: String| {
        app_errors.push(Located {
            loc: loc.clone(),
            message,
        })
    };
    let compact = serde_json::to_string(&t.to_json()).map_or(body.len(), |c| c.len());
    if compact > MAX_TEMPLATE_BYTES {
        limit(format!("stack `{name}` has a {compact} byte template; CloudFormation takes {MAX_TEMPLATE_BYTES} bytes inline: split it with `stack: \"...\"` on some of its constructs"));
    }
    if t.resources.len() > MAX_RESOURCES {
        limit(format!("stack `{name}` has {} resources; CloudFormation's limit is {MAX_RESOURCES}: split it with `stack: \"...\"`", t.resources.len()));
    }
    if t.outputs.len() > MAX_OUTPUTS {
        limit(format!(
            "stack `{name}` has {} outputs; CloudFormation's limit is {MAX_OUTPUTS}",
            t.outputs.len()
        ));
    }
    let entry = StackEntry {
        name: name.to_string(),
        template: file,
        template_sha256: sha256_hex(body.as_bytes()),
        resources: t.resources.len(),
        depends_on: t.depends_on.iter().cloned().collect(),
        constructs: sources
            .iter()
            .filter(|c| c.stack == name)
            .map(|c| ConstructEntry {
                kind: c.kind.into(),
                handle: c.handle.clone(),
                source: c.loc.to_string(),
            })
            .collect(),
        outputs: t.outputs.keys().cloned().collect(),
        emptied_on_destroy: if remove_data {
            crate::synth::bucket::emptied_on_destroy(t)
        } else {
            Vec::new()
        },
    };
    (entry, body)
}

impl Assembly {
    /// `stacks` are what `deploy` deploys; `detached` templates are only written (a
    /// pipeline deploys them).
    pub fn new(
        ctx: &Context,
        stacks: &BTreeMap<String, Template>,
        detached: &BTreeMap<String, Template>,
        sources: &[Declared],
        parts: ManifestParts,
        macro_errors: &[Located],
        app_errors: &mut Vec<Located>,
    ) -> Assembly {
        let mut templates = BTreeMap::new();
        let mut entries = Vec::new();
        for (name, t) in stacks {
            let (entry, body) = stack_entry(ctx.remove_data_on_destroy, name, t, sources, app_errors);
            templates.insert(entry.template.clone(), body);
            entries.push(entry);
        }
        for (name, t) in detached {
            let (entry, body) = stack_entry(ctx.remove_data_on_destroy, name, t, sources, app_errors);
            templates.insert(entry.template, body);
        }
        let errors = macro_errors
            .iter()
            .chain(app_errors.iter())
            .map(|e| e.to_string())
            .collect::<Vec<_>>();
        let mut parts = parts;
        if !errors.is_empty() {
            // Never leave deployable templates behind a failed check.
            templates.clear();
            entries.clear();
            parts = ManifestParts::default();
        }
        let manifest = Manifest {
            version: MANIFEST_VERSION,
            crate_name: ctx.crate_name.clone(),
            remove_data_on_destroy: ctx.remove_data_on_destroy,
            stacks: entries,
            crate_dir: ctx.crate_dir.display().to_string(),
            assets: parts.assets,
            kubernetes: parts.kubernetes,
            jobs: parts.jobs,
            errors,
            pipeline: parts.pipeline,
        };
        Assembly { manifest, templates }
    }

    pub fn manifest_json(&self) -> String {
        self.manifest.to_json()
    }

    /// One JSON document with the manifest and every template, embedded in the binary.
    pub fn embedded_json(&self) -> String {
        let templates = self
            .templates
            .iter()
            .map(|(k, v)| (k.clone(), serde_json::from_str(v).expect("templates are JSON")))
            .collect();
        Embedded {
            manifest: self.manifest.clone(),
            templates,
        }
        .to_json()
    }

    /// Writes `manifest.json` and the templates into `dir`, removing stale templates.
    /// Files whose content is unchanged are not rewritten, so their mtimes stay put.
    pub fn write_to(&self, dir: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        if let Ok(entries) = std::fs::read_dir(dir) {
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().to_string();
                if name.ends_with(".template.json") && !self.templates.contains_key(&name) {
                    std::fs::remove_file(e.path())?;
                }
            }
        }
        write_if_changed(&dir.join(sparkform_assembly::MANIFEST_FILE), &self.manifest_json())?;
        for (name, body) in &self.templates {
            write_if_changed(&dir.join(name), body)?;
        }
        Ok(())
    }
}

pub fn write_if_changed(path: &Path, content: &str) -> std::io::Result<()> {
    if std::fs::read_to_string(path).ok().as_deref() == Some(content) {
        return Ok(());
    }
    std::fs::write(path, content)
}
