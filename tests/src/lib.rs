//! Shared helpers for the cross-crate tests: every app the tests synthesize (the examples
//! and the scenarios in `tests/scenarios/`), and an Amazon States Language checker.

pub mod asl;
pub mod kube_validate;

use sparkform_build::app::{read_sources, synthesize_sources, Synthesis};
use sparkform_build::model::Context;
use std::path::{Path, PathBuf};

/// The workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is inside the workspace")
        .to_path_buf()
}

/// An app to synthesize: a name, its crate context and its sources.
pub struct App {
    pub name: String,
    pub ctx: Context,
    pub sources: Vec<(String, String)>,
}

impl App {
    pub fn synthesize(&self) -> Synthesis {
        synthesize_sources(&self.ctx, &self.sources)
    }
}

/// Every example crate under `examples/`.
pub fn examples() -> Vec<App> {
    let dir = workspace().join("examples");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .expect("examples/ exists")
        .flatten()
        .filter(|e| e.path().join("Cargo.toml").is_file())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|name| {
            let root = dir.join(&name);
            let ctx = Context::from_manifest_dir(&root, &name);
            let sources = read_sources(&root, &root.join("src"));
            App { name, ctx, sources }
        })
        .collect()
}

/// Every scenario file in `tests/scenarios/` (each a one-file app, compiled by trybuild
/// too) and in `tests/scenarios/eks/` (EMR on EKS apps: they need sparkform's `kubernetes`
/// feature, which trybuild's build leaves out; `examples/emr-eks` compiles one).
pub fn scenarios() -> Vec<App> {
    let mut apps = scenarios_in(&workspace().join("tests/scenarios"), "scenarios");
    apps.extend(scenarios_in(&workspace().join("tests/scenarios/eks"), "scenarios/eks"));
    apps
}

fn scenarios_in(dir: &Path, rel: &str) -> Vec<App> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("the scenario folder exists")
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    files
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .map(|p| {
            let name = p.file_stem().unwrap().to_string_lossy().replace('_', "-");
            let text = std::fs::read_to_string(&p).unwrap();
            let ctx = Context {
                crate_name: name.clone(),
                remove_data_on_destroy: false,
                crate_dir: dir.to_path_buf(),
                ..Context::default()
            };
            App {
                name,
                ctx,
                sources: vec![(format!("{rel}/{}", p.file_name().unwrap().to_string_lossy()), text)],
            }
        })
        .collect()
}

/// Examples and scenarios.
pub fn all_apps() -> Vec<App> {
    let mut apps = examples();
    apps.extend(scenarios());
    apps
}

/// The local services (moto, cfn-lint) as `scripts/test-services env` reports them. The
/// first call starts them (installing on first use), so `cargo test` needs no set-up.
pub fn services() -> &'static std::collections::BTreeMap<String, String> {
    static S: std::sync::OnceLock<std::collections::BTreeMap<String, String>> = std::sync::OnceLock::new();
    S.get_or_init(|| {
        let script = workspace().join("scripts/test-services");
        let status = std::process::Command::new(&script)
            .arg("start")
            .status()
            .expect("scripts/test-services runs");
        assert!(status.success(), "scripts/test-services start failed");
        let out = std::process::Command::new(&script)
            .arg("env")
            .output()
            .expect("scripts/test-services env runs");
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| l.strip_prefix("export ")?.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    })
}

/// A command with the services' environment (endpoint, dummy credentials, region).
pub fn with_services(mut cmd: std::process::Command) -> std::process::Command {
    for (k, v) in services() {
        cmd.env(k, v);
    }
    cmd
}

/// A sample value for each placeholder of a synthesized state machine definition, so the
/// definition can be linted or run as a literal.
pub fn sample(name: &str) -> String {
    match name {
        "AWS::Partition" => "aws".into(),
        "AWS::Region" => "us-east-1".into(),
        "AWS::AccountId" => "123456789012".into(),
        "TargetId" => "00fabcdef1234567".into(),
        "ExecutionRoleArn" => "arn:aws:iam::123456789012:role/job-role".into(),
        "LogBucket" => "job-logs-bucket".into(),
        "ArtifactsBucket" => "artifacts-bucket".into(),
        "PodTemplateBucket" => "pod-template-bucket".into(),
        other => panic!("no sample value for ${{{other}}}"),
    }
}
