//! The commands of the pipeline's CodeBuild projects. The build stage's commands are written
//! into the manifest too, so `pipeline build-local` runs exactly what CodeBuild runs:
//! 1. the unit tests, failing fast: `pip install .` and `pytest` of the Spark project, in
//!    EMR's Spark image (`$SPARK_IMAGE`), in Docker (the build is privileged);
//! 2. the synthesis: `cargo build` of the app crate, whose build.rs writes the cloud
//!    assembly; the artifact is the assembly and the app binary.

use super::model::CicdPipeline;
use super::names::{APP_BINARY, ARTIFACT_DIR};
use serde_json::{json, Value as Json};

/// `a/b` without `.` parts: paths inside the repository.
pub fn join(a: &str, b: &str) -> String {
    let parts: Vec<&str> = a
        .split('/')
        .chain(b.split('/'))
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    if parts.is_empty() {
        ".".into()
    } else {
        parts.join("/")
    }
}

/// Single-quotes a word for bash.
pub fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// What runs inside the Spark image: the project is copied out of the read-only mount (pip
/// writes build files next to it), PySpark and py4j come from the image's Spark (EMR's
/// images have it in /usr/lib/spark), and a venv keeps pip away from the image's Python.
const IN_CONTAINER: &str = "set -eu; cp -R /src /tmp/project; cd /tmp/project; \
SPARK_HOME=${SPARK_HOME:-/usr/lib/spark}; \
PY4J=$(ls \"$SPARK_HOME\"/python/lib/py4j-*-src.zip 2>/dev/null | head -n 1 || true); \
export PYTHONPATH=\"$SPARK_HOME/python:$PY4J:${PYTHONPATH:-}\"; \
python3 -m venv --system-site-packages /tmp/venv; \
/tmp/venv/bin/python -m pip install --quiet --disable-pip-version-check pytest .; \
/tmp/venv/bin/python -m pytest";

/// The unit tests of the build stage, from the repository root. `$SPARKFORM_DOCKER_RUN_ARGS`
/// is empty in CodeBuild; `build-local` uses it to hand a local CA bundle to pip.
pub fn unit_test_commands(p: &CicdPipeline) -> Vec<String> {
    let project = join(&p.app_path, &p.spark_path);
    vec![format!(
        "docker run --rm -v \"$PWD/{project}:/src:ro\" ${{SPARKFORM_DOCKER_RUN_ARGS:-}} --entrypoint /bin/bash \"$SPARK_IMAGE\" -c {}",
        quote(IN_CONTAINER)
    )]
}

/// The synthesis of the build stage, from the repository root.
pub fn synth_commands(p: &CicdPipeline, crate_name: &str) -> Vec<String> {
    let manifest = join(&p.app_path, "Cargo.toml");
    vec![
        "export PATH=\"$HOME/.cargo/bin:$PATH\" CARGO_TARGET_DIR=\"${CARGO_TARGET_DIR:-$PWD/target}\"".into(),
        format!("cargo build --locked --manifest-path {manifest}"),
        format!("rm -rf {ARTIFACT_DIR} && mkdir -p {ARTIFACT_DIR}"),
        format!("cp -R \"$CARGO_TARGET_DIR/sparkform/{crate_name}/.\" {ARTIFACT_DIR}/"),
        format!("cp \"$CARGO_TARGET_DIR/debug/{crate_name}\" {ARTIFACT_DIR}/{APP_BINARY}"),
    ]
}

/// CodeBuild's image has no Rust: rustup installs the stable toolchain (a
/// `rust-toolchain.toml` in the repository picks another).
const INSTALL_RUST: &str = "command -v cargo >/dev/null 2>&1 || curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal";

fn spec(phases: Json, artifacts: Option<Json>) -> String {
    let mut s = json!({ "version": "0.2", "env": { "shell": "bash" }, "phases": phases });
    if let Some(a) = artifacts {
        s["artifacts"] = a;
    }
    serde_json::to_string_pretty(&s).expect("JSON values always serialize")
}

/// The build project's buildspec (JSON is YAML, which CodeBuild reads).
pub fn build_spec(p: &CicdPipeline, crate_name: &str) -> String {
    spec(
        json!({
            "install": { "commands": [INSTALL_RUST] },
            "pre_build": { "commands": unit_test_commands(p) },
            "build": { "commands": synth_commands(p, crate_name) },
        }),
        Some(json!({ "base-directory": ARTIFACT_DIR, "files": ["**/*"] })),
    )
}

/// After the pipeline updated its own stack: when the pipeline's definition changed, the
/// update started a new execution on the new definition (RestartExecutionOnUpdate), so this
/// one stops here instead of running stages the new definition may no longer have.
pub fn check_spec() -> String {
    let commands = [
        "RUNNING=$(aws codepipeline get-pipeline-execution --pipeline-name \"$PIPELINE_NAME\" --pipeline-execution-id \"$EXECUTION_ID\" --query pipelineExecution.pipelineVersion --output text)",
        "LATEST=$(aws codepipeline get-pipeline --name \"$PIPELINE_NAME\" --query pipeline.version --output text)",
        "if [ \"$RUNNING\" != \"$LATEST\" ]; then echo \"the pipeline updated itself (version $RUNNING to $LATEST); the new definition runs this commit\"; aws codepipeline stop-pipeline-execution --pipeline-name \"$PIPELINE_NAME\" --pipeline-execution-id \"$EXECUTION_ID\" --reason \"superseded by the updated pipeline definition\"; else echo \"the pipeline definition is current (version $LATEST)\"; fi",
    ];
    spec(json!({ "build": { "commands": commands } }), None)
}

/// The stage's asset publishing: the app binary from the build artifact (the primary input)
/// uploads the stage's assets, whose sources are in the source artifact.
pub fn assets_spec(p: &CicdPipeline, stage: &str) -> String {
    let crate_dir = join("$CODEBUILD_SRC_DIR_Source", &p.app_path);
    let commands = [
        format!("chmod +x ./{APP_BINARY}"),
        format!(
            "./{APP_BINARY} pipeline publish --stage {} --crate-dir \"{crate_dir}\"",
            quote(stage)
        ),
    ];
    spec(json!({ "build": { "commands": commands } }), None)
}

/// A stage's Kubernetes step: the app binary from the build artifact applies one group of
/// objects, as the project's role (which has the cluster's access entry).
pub fn kube_spec(stage: &str, group: &str) -> String {
    let commands = [
        format!("chmod +x ./{APP_BINARY}"),
        format!(
            "./{APP_BINARY} pipeline kubernetes --stage {} --group {}",
            quote(stage),
            quote(group)
        ),
    ];
    spec(json!({ "build": { "commands": commands } }), None)
}

/// The stage's integration test, run from the crate's folder (DSF: `chmod +x` and run).
pub fn integ_spec(p: &CicdPipeline, script: &str) -> String {
    let commands = [
        format!("cd {}", quote(&p.app_path)),
        format!("chmod +x {}", quote(script)),
        format!("./{}", quote(script)),
    ];
    spec(json!({ "build": { "commands": commands } }), None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_quotes() {
        assert_eq!(join(".", "spark"), "spark");
        assert_eq!(join("examples/x", "."), "examples/x");
        assert_eq!(join(".", "."), ".");
        assert_eq!(quote("it's"), r"'it'\''s'");
    }
}
