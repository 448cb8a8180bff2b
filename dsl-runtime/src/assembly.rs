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
    /// Absolute path of the user crate at build time (files that macros name are relative to it).
    #[serde(default)]
    pub crate_dir: String,
    pub stacks: Vec<StackEntry>,
    #[serde(default)]
    pub assets: Vec<AssetEntry>,
    #[serde(default)]
    pub kubernetes: Vec<Value>,
    #[serde(default)]
    pub jobs: Vec<JobEntry>,
    #[serde(default)]
    pub errors: Vec<String>,
    /// The app's `cicd_pipeline!`, if it declares one.
    #[cfg(feature = "pipeline")]
    #[serde(default)]
    pub pipeline: Option<sparkform_assembly::Pipeline>,
}

/// A value known at build time, or a stack output read at run time.
#[derive(Debug, Clone, Deserialize)]
pub struct ValueRef {
    pub value: Option<String>,
    pub stack: Option<String>,
    pub output: Option<String>,
}

/// What `run`, `status` and `logs` need for one job (see sparkform-build's `jobs.rs`).
#[derive(Debug, Clone, Deserialize)]
pub struct JobEntry {
    pub handle: String,
    pub name: String,
    pub stack: String,
    pub state_machine_output: String,
    pub service: String,
    pub target_id: ValueRef,
    pub execution_role_arn: ValueRef,
    pub log_bucket: Option<ValueRef>,
    pub log_uri: Option<String>,
    pub timeout_minutes: u32,
    pub polling_interval_seconds: Option<u32>,
    pub request: Value,
    /// The bucket of the job's package (for `${ArtifactsBucket}`).
    #[serde(default)]
    pub artifacts_bucket: Option<ValueRef>,
    /// How `run --local` runs the job; `None` when its entry point is not a file of the crate.
    #[serde(default)]
    pub local: Option<LocalRun>,
}

/// What `run <job> --local` needs: the job's PySpark entry point in the crate, its arguments
/// and Spark configuration, and its package's virtualenv.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct LocalRun {
    /// Path of the `.py` entry point, relative to the crate directory.
    pub entry_point: String,
    #[serde(default)]
    pub arguments: Vec<String>,
    /// The `--conf` pairs of `spark_submit_parameters`, without the EMR virtualenv wiring.
    #[serde(default)]
    pub spark_conf: Vec<(String, String)>,
    /// Id of the manifest asset (kind "venv") of the job's package, when it has dependencies.
    #[serde(default)]
    pub venv_asset: Option<String>,
    /// The Spark project folder (pyproject.toml, tests/), relative to the crate directory.
    #[serde(default)]
    pub project_dir: Option<String>,
}

/// A file to upload: a package's entry point, or its venv archive built in Docker.
#[derive(Debug, Clone, Deserialize)]
pub struct AssetEntry {
    pub id: String,
    pub package: String,
    /// "file" or "venv".
    pub kind: String,
    pub source: Option<String>,
    pub context: Option<String>,
    pub dockerfile: Option<String>,
    pub project_file: Option<String>,
    pub base_image: Option<String>,
    pub archive_path: Option<String>,
    pub hash: String,
    pub bucket: ValueRef,
    pub key: String,
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
