//! The manifest (`manifest.json`) and the embedded document (manifest plus templates).

use crate::assets::Asset;
use crate::jobs::Job;
use crate::kubernetes::KubeGroup;
use crate::pipeline::Pipeline;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// The manifest layout this sparkform writes and reads. Bump it with every change a reader
/// of the previous layout would misread.
pub const MANIFEST_VERSION: u32 = 4;

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    pub version: u32,
    #[serde(rename = "crate")]
    pub crate_name: String,
    pub remove_data_on_destroy: bool,
    pub stacks: Vec<Stack>,
    /// The crate's directory when it was built: asset sources are relative to it.
    pub crate_dir: String,
    /// Files to build and upload after the stacks that hold their buckets.
    pub assets: Vec<Asset>,
    /// Kubernetes objects applied after their cluster's stack.
    pub kubernetes: Vec<KubeGroup>,
    /// What `run`, `status` and `logs` need for each job.
    pub jobs: Vec<Job>,
    /// Problems found at build time; a manifest with errors is never deployed.
    pub errors: Vec<String>,
    /// The app's CI/CD pipeline, if it declares one. Absent otherwise, so a reader that
    /// knows nothing of pipelines reads the same manifest (its `stacks` are still what a
    /// developer deploys).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pipeline: Option<Pipeline>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Stack {
    pub name: String,
    /// The template's file name in the assembly.
    pub template: String,
    pub template_sha256: String,
    pub resources: usize,
    /// Stacks whose exports this one imports: they deploy first.
    pub depends_on: Vec<String>,
    pub constructs: Vec<ConstructEntry>,
    pub outputs: Vec<String>,
    /// Buckets (logical ids) that `destroy` empties of every object version right before
    /// deleting the stack, so CloudFormation can delete them: those sparkform creates whose
    /// removal is `destroy`, in a crate that opted in to data removal (version 3).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub emptied_on_destroy: Vec<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ConstructEntry {
    /// The macro's name, e.g. `spark_job`.
    pub kind: String,
    pub handle: String,
    /// `file:line:col` of the macro call.
    pub source: String,
}

/// A manifest that this sparkform cannot read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VersionError {
    /// Written with another manifest layout.
    Other { found: u64 },
    /// Not a sparkform manifest at all, or damaged.
    Invalid(String),
}

impl fmt::Display for VersionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VersionError::Other { found } => write!(
                f,
                "this cloud assembly has manifest version {found}, and this sparkform reads version {MANIFEST_VERSION}: \
                 it was built with another sparkform. Rebuild the app (`cargo build`) with the sparkform it depends on \
                 now, or run the binary that was built with it"
            ),
            VersionError::Invalid(e) => write!(
                f,
                "the cloud assembly is not a sparkform manifest ({e}); rebuild the app with `cargo build`"
            ),
        }
    }
}

impl std::error::Error for VersionError {}

impl Manifest {
    /// Reads a manifest, refusing one of another version before looking at anything else.
    pub fn from_json(text: &str) -> Result<Manifest, VersionError> {
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| VersionError::Invalid(e.to_string()))?;
        Self::from_value(value)
    }

    pub fn from_value(value: serde_json::Value) -> Result<Manifest, VersionError> {
        check_version(&value)?;
        serde_json::from_value(value).map_err(|e| VersionError::Invalid(e.to_string()))
    }

    pub fn stack(&self, name: &str) -> Option<&Stack> {
        self.stacks.iter().find(|s| s.name == name)
    }

    /// Pretty JSON with a final newline: what is written to `manifest.json`.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("the manifest serializes");
        s.push('\n');
        s
    }
}

fn check_version(value: &serde_json::Value) -> Result<(), VersionError> {
    match value.get("version").and_then(serde_json::Value::as_u64) {
        Some(v) if v == u64::from(MANIFEST_VERSION) => Ok(()),
        Some(found) => Err(VersionError::Other { found }),
        None => Err(VersionError::Invalid("it has no `version`".into())),
    }
}

/// The document build.rs writes into `OUT_DIR` and the binary embeds: the manifest and every
/// template, by file name.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Embedded {
    pub manifest: Manifest,
    pub templates: BTreeMap<String, serde_json::Value>,
}

impl Embedded {
    /// Reads the embedded document, refusing a manifest of another version.
    pub fn from_json(text: &str) -> Result<Embedded, VersionError> {
        let mut value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| VersionError::Invalid(e.to_string()))?;
        let manifest = value
            .get_mut("manifest")
            .map(serde_json::Value::take)
            .ok_or_else(|| VersionError::Invalid("it has no `manifest`".into()))?;
        let manifest = Manifest::from_value(manifest)?;
        let templates = value
            .get_mut("templates")
            .map(serde_json::Value::take)
            .unwrap_or_default();
        let templates = serde_json::from_value(templates).map_err(|e| VersionError::Invalid(e.to_string()))?;
        Ok(Embedded { manifest, templates })
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("the assembly serializes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn empty() -> Manifest {
        Manifest {
            version: MANIFEST_VERSION,
            crate_name: "app".into(),
            remove_data_on_destroy: false,
            stacks: Vec::new(),
            crate_dir: "/x".into(),
            assets: Vec::new(),
            kubernetes: Vec::new(),
            jobs: Vec::new(),
            errors: Vec::new(),
            pipeline: None,
        }
    }

    #[test]
    fn round_trips() {
        let m = empty();
        assert_eq!(Manifest::from_json(&m.to_json()).unwrap(), m);
        let e = Embedded {
            manifest: m,
            templates: BTreeMap::new(),
        };
        assert_eq!(Embedded::from_json(&e.to_json()).unwrap(), e);
    }

    #[test]
    fn refuses_another_version_first() {
        // Version 1 had another asset layout; the version is what the reader must report.
        let old = r#"{"version": 1, "crate": "app", "stacks": [], "assets": [{"kind": "zip"}]}"#;
        let e = Manifest::from_json(old).unwrap_err();
        assert_eq!(e, VersionError::Other { found: 1 });
        let text = e.to_string();
        assert!(
            text.contains("manifest version 1")
                && text.contains(&format!("reads version {MANIFEST_VERSION}"))
                && text.contains("cargo build")
        );
        let embedded = format!(r#"{{"manifest": {old}, "templates": {{}}}}"#);
        assert_eq!(
            Embedded::from_json(&embedded).unwrap_err(),
            VersionError::Other { found: 1 }
        );
        assert!(matches!(Manifest::from_json("{}"), Err(VersionError::Invalid(_))));
        // Version 2 did not say which buckets destroy empties: its reader would leave them full.
        let v2 = r#"{"version": 2, "crate": "app", "remove_data_on_destroy": true, "stacks": []}"#;
        assert_eq!(Manifest::from_json(v2).unwrap_err(), VersionError::Other { found: 2 });
    }
}
