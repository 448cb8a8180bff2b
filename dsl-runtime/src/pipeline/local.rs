//! `pipeline build-local`: the build stage's commands, from the manifest, run with bash from
//! the repository root, as CodeBuild runs them (`SPARK_IMAGE` set as its project sets it).

use crate::assembly::Assembly;
use sparkform_assembly::Pipeline;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// The host's CA bundle, handed to pip in the container: a TLS-inspecting proxy's CA is
/// often trusted by the host only. CodeBuild needs none of it.
const CA_BUNDLE: &str = "/etc/ssl/certs/ca-certificates.crt";

/// The repository root: the crate's folder without `app_path`.
pub fn repo_root(crate_dir: &Path, app_path: &str) -> Result<PathBuf, String> {
    let mut root = crate_dir.to_path_buf();
    for part in app_path.split('/').filter(|p| !p.is_empty() && *p != ".").rev() {
        if root.file_name().is_none_or(|n| n != part) {
            return Err(format!(
                "the crate's folder {} does not end with the pipeline's `app_path` ({app_path}); pass the repository root with --repo",
                crate_dir.display()
            ));
        }
        root.pop();
    }
    Ok(root)
}

/// Runs shell lines with bash (`set -euo pipefail`: the first failure stops them).
pub fn run_lines(lines: &[String], dir: &Path, env: &[(&str, String)]) -> Result<(), String> {
    let script = format!("set -euo pipefail\n{}\n", lines.join("\n"));
    let status = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .current_dir(dir)
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        // Their output is progress: stderr, so stdout holds only the result (`--json`).
        .stdout(std::io::stderr())
        .status()
        .map_err(|e| format!("cannot run bash: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("exit status {}", status.code().unwrap_or(1)))
    }
}

/// `docker run` arguments that hand the host's CA bundle to pip, unless the caller set
/// `SPARKFORM_DOCKER_RUN_ARGS` itself.
pub fn docker_run_args() -> String {
    if let Ok(v) = std::env::var("SPARKFORM_DOCKER_RUN_ARGS") {
        return v;
    }
    if Path::new(CA_BUNDLE).is_file() {
        format!("-v {CA_BUNDLE}:{CA_BUNDLE}:ro -e PIP_CERT={CA_BUNDLE} -e SSL_CERT_FILE={CA_BUNDLE}")
    } else {
        String::new()
    }
}

pub fn build_local(
    asm: &Assembly,
    p: &Pipeline,
    image: Option<&str>,
    repo: Option<&Path>,
    unit_tests_only: bool,
    json: bool,
) -> Result<(), String> {
    let root = match repo {
        Some(r) => r.to_path_buf(),
        None => repo_root(Path::new(&asm.manifest.crate_dir), &p.build.app_path)?,
    };
    if !Command::new("docker")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        return Err("the unit tests run in Docker, and `docker version` failed: start a Docker engine (e.g. `scripts/test-services start`) and try again".into());
    }
    let image = image.unwrap_or(&p.build.spark_image).to_string();
    let env = vec![
        ("SPARK_IMAGE", image.clone()),
        ("SPARKFORM_DOCKER_RUN_ARGS", docker_run_args()),
    ];
    eprintln!(
        "== unit tests of the Spark project, in {image} (from {})",
        root.display()
    );
    let t0 = Instant::now();
    run_lines(&p.build.unit_test_commands, &root, &env)
        .map_err(|e| format!("the unit tests failed ({e}); the pipeline stops at this step too: fix them and run `pipeline build-local` again"))?;
    let unit = t0.elapsed().as_secs_f64();
    eprintln!("== unit tests passed in {unit:.1} s");
    let mut synth = None;
    if !unit_tests_only {
        eprintln!(
            "== synthesis: cargo build of the app, artifact in {}",
            p.build.artifact_dir
        );
        let t1 = Instant::now();
        run_lines(&p.build.synth_commands, &root, &env).map_err(|e| format!("the synthesis failed ({e})"))?;
        synth = Some(t1.elapsed().as_secs_f64());
        eprintln!("== synthesis done in {:.1} s", synth.unwrap_or_default());
    }
    let artifact = root.join(&p.build.artifact_dir);
    if json {
        println!(
            "{}",
            serde_json::json!({ "unit_tests_seconds": unit, "synth_seconds": synth, "artifact_dir": artifact.display().to_string(), "image": image })
        );
    } else if synth.is_some() {
        println!("build stage passed: the artifact is in {}", artifact.display());
    } else {
        println!("unit tests passed");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_repository_root_is_the_crate_without_app_path() {
        let crate_dir = Path::new("/repo/examples/cicd-pipeline");
        assert_eq!(
            repo_root(crate_dir, "examples/cicd-pipeline").unwrap(),
            Path::new("/repo")
        );
        assert_eq!(repo_root(crate_dir, ".").unwrap(), crate_dir);
        assert!(repo_root(crate_dir, "infra").unwrap_err().contains("--repo"));
    }
}
