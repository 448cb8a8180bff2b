//! The cached Python environments of local runs, under the cache root:
//!
//! - `pyspark-<version>/`: a venv with PySpark (pinned to EMR 7.9's Spark), whose
//!   `bin/spark-submit` runs every local job. Installed once with pip.
//! - `projects/<project>-<key>/`: a venv for `test` with pytest, PySpark and the Spark project
//!   (`pip install <project>`), keyed by the project's dependency files, so it is rebuilt when
//!   they change; the project itself is reinstalled (without its dependencies) whenever one of
//!   its files changes, as a pipeline's fresh `pip install .` would see it.
//!
//! A venv is used only once its `.sparkform-ready` stamp exists; installs take a lock shared
//! by every sparkform process, so concurrent runs wait for one install instead of racing.

use super::lock::Lock;
use super::tools;
use sha2::{Digest, Sha256};
use sparkform_assembly::assets::is_ignored;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// PySpark for local runs: the Spark of EMR 7.9 (sparkform's default release), 3.5.5.
pub const PYSPARK_VERSION: &str = "3.5.5";

/// Written last into a finished venv; holds what later runs need to know about it.
const READY: &str = ".sparkform-ready";
/// The content hash of the project files installed into a project venv.
const PROJECT_STAMP: &str = ".sparkform-project";

/// Files whose content decides a project venv's dependencies.
pub const DEPENDENCY_FILES: &[&str] = &[
    "pyproject.toml",
    "setup.py",
    "setup.cfg",
    "requirements.txt",
    "requirements-dev.txt",
    "requirements-test.txt",
];

/// sparkform's cache root: `$SPARKFORM_CACHE_DIR`, else `$XDG_CACHE_HOME/sparkform`, else
/// `~/.cache/sparkform`.
pub fn cache_root() -> PathBuf {
    if let Some(dir) = std::env::var_os("SPARKFORM_CACHE_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    std::env::var_os("XDG_CACHE_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir)
        .join("sparkform")
}

/// The cached PySpark venv.
#[derive(Debug, Clone)]
pub struct PySpark {
    pub dir: PathBuf,
    pub python: PathBuf,
    pub spark_submit: PathBuf,
    /// The installed `pyspark` package folder, Spark's home for `spark-submit`.
    pub spark_home: PathBuf,
}

/// The PySpark venv, installed on first use.
pub fn pyspark(root: &Path) -> Result<PySpark, String> {
    let dir = root.join(format!("pyspark-{PYSPARK_VERSION}"));
    if let Some(p) = ready_pyspark(&dir) {
        return Ok(p);
    }
    let _lock = Lock::acquire(
        &root.join(format!(".pyspark-{PYSPARK_VERSION}.lock")),
        "waiting for another sparkform process to finish installing PySpark",
    )?;
    if let Some(p) = ready_pyspark(&dir) {
        return Ok(p);
    }
    let (python, version) = tools::find_python()?;
    eprintln!(
        "installing PySpark {PYSPARK_VERSION} (EMR 7.9's Spark) into {} with Python {version}: about 320 MB and 1-2 minutes, \
         done once (later runs reuse it)",
        dir.display()
    );
    let t0 = Instant::now();
    create_venv(&python, &dir)?;
    let py = venv_python(&dir);
    pip(&py, &[&format!("pyspark=={PYSPARK_VERSION}")], "install PySpark")?;
    let spark_home = pyspark_home(&py)?;
    fs::write(dir.join(READY), format!("{}\n", spark_home.display()))
        .map_err(|e| format!("cannot write {}: {e}", dir.join(READY).display()))?;
    eprintln!(
        "installed PySpark {PYSPARK_VERSION} in {:.0} s",
        t0.elapsed().as_secs_f64()
    );
    ready_pyspark(&dir).ok_or_else(|| {
        format!(
            "the PySpark venv at {} does not work after installing it",
            dir.display()
        )
    })
}

fn ready_pyspark(dir: &Path) -> Option<PySpark> {
    let home = fs::read_to_string(dir.join(READY)).ok()?;
    let spark_home = PathBuf::from(home.trim());
    let python = venv_python(dir);
    let spark_submit = dir.join("bin").join("spark-submit");
    let ok = spark_home.join("jars").is_dir() && spark_submit.is_file() && python_runs(&python);
    ok.then(|| PySpark {
        dir: dir.to_path_buf(),
        python,
        spark_submit,
        spark_home,
    })
}

/// A project's test venv (pytest, PySpark, the project installed).
#[derive(Debug, Clone)]
pub struct ProjectEnv {
    pub dir: PathBuf,
    pub python: PathBuf,
}

/// The test venv of the Spark project at `project` (absolute), created or refreshed as needed.
pub fn project(root: &Path, project: &Path) -> Result<ProjectEnv, String> {
    if !project.is_dir() {
        return Err(format!("the Spark project folder {} does not exist", project.display()));
    }
    let installable = project.join("pyproject.toml").is_file() || project.join("setup.py").is_file();
    if !installable && !project.join("requirements.txt").is_file() {
        return Err(format!(
            "the Spark project {} has neither pyproject.toml, setup.py nor requirements.txt: nothing says what to install",
            project.display()
        ));
    }
    let (python, version) = tools::find_python()?;
    let slug = project_slug(project);
    let key = dependency_key(project, &version);
    let base = root.join("projects");
    let dir = base.join(format!("{slug}-{}", &key[..16]));
    let _lock = Lock::acquire(
        &base.join(format!(".{slug}.lock")),
        &format!(
            "waiting for another sparkform process to finish preparing the venv of {}",
            project.display()
        ),
    )?;
    let py = venv_python(&dir);
    let tree = tree_hash(project).map_err(|e| format!("cannot read the Spark project {}: {e}", project.display()))?;
    if !(dir.join(READY).is_file() && python_runs(&py)) {
        eprintln!(
            "preparing the test venv of {} ({}; once per change of its dependencies)",
            project.display(),
            dir.display()
        );
        let t0 = Instant::now();
        create_venv(&python, &dir)?;
        let mut args: Vec<String> = vec!["pytest".into()];
        if installable {
            args.push(project.display().to_string());
        }
        for r in ["requirements.txt", "requirements-dev.txt", "requirements-test.txt"] {
            // With a pyproject.toml or setup.py the project declares its own dependencies;
            // requirements.txt alone is what a project without one installs.
            if project.join(r).is_file() && (r != "requirements.txt" || !installable) {
                args.push("-r".into());
                args.push(project.join(r).display().to_string());
            }
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        pip(&py, &args, "install the Spark project and pytest")?;
        // The project's own PySpark requirement wins; without one, EMR's version.
        if !python_ok(&py, "import pyspark") {
            pip(&py, &[&format!("pyspark=={PYSPARK_VERSION}")], "install PySpark")?;
        }
        fs::write(dir.join(PROJECT_STAMP), &tree).map_err(|e| format!("cannot write in {}: {e}", dir.display()))?;
        fs::write(dir.join(READY), "").map_err(|e| format!("cannot write in {}: {e}", dir.display()))?;
        eprintln!("prepared the test venv in {:.0} s", t0.elapsed().as_secs_f64());
        prune(&base, &slug, &dir);
    } else if installable && fs::read_to_string(dir.join(PROJECT_STAMP)).ok().as_deref() != Some(tree.as_str()) {
        eprintln!(
            "reinstalling {} into its test venv (its files changed)",
            project.display()
        );
        pip(
            &py,
            &["--no-deps", "--force-reinstall", &project.display().to_string()],
            "reinstall the Spark project",
        )?;
        fs::write(dir.join(PROJECT_STAMP), &tree).map_err(|e| format!("cannot write in {}: {e}", dir.display()))?;
    }
    Ok(ProjectEnv { dir, python: py })
}

/// Removes the other venvs of the same project (made for older dependency files).
fn prune(base: &Path, slug: &str, keep: &Path) {
    let Ok(entries) = fs::read_dir(base) else { return };
    let prefix = format!("{slug}-");
    for e in entries.flatten() {
        let path = e.path();
        let name = e.file_name().to_string_lossy().to_string();
        // `<slug>-<16 hex>` exactly, so that another project whose name extends this one's is kept.
        let rest = name.strip_prefix(&prefix).unwrap_or_default();
        if path != keep && rest.len() == 16 && rest.chars().all(|c| c.is_ascii_hexdigit()) {
            let _ = fs::remove_dir_all(&path);
        }
    }
}

/// `<folder name>-<8 hex of its absolute path>`: two projects named `spark` never share.
pub fn project_slug(project: &Path) -> String {
    let name: String = project
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' })
        .collect();
    let h = hex(&Sha256::digest(project.display().to_string().as_bytes()));
    format!("{}-{}", if name.is_empty() { "project" } else { &name }, &h[..8])
}

/// The hash of what decides a project venv: PySpark's version, Python's and the project's
/// dependency files.
pub fn dependency_key(project: &Path, python_version: &str) -> String {
    let mut h = Sha256::new();
    h.update(format!(
        "sparkform-project-venv-1\0{PYSPARK_VERSION}\0{python_version}\0"
    ));
    for f in DEPENDENCY_FILES {
        if let Ok(bytes) = fs::read(project.join(f)) {
            h.update(f.as_bytes());
            h.update([0]);
            h.update((bytes.len() as u64).to_le_bytes());
            h.update(&bytes);
        }
    }
    hex(&h.finalize())
}

/// The hash of every file of the project (names and contents), without what [`is_ignored`]
/// names (the compiler's ignore list: caches and build output).
pub fn tree_hash(project: &Path) -> std::io::Result<String> {
    let mut h = Sha256::new();
    hash_dir(&mut h, project, Path::new(""))?;
    Ok(hex(&h.finalize()))
}

fn hash_dir(h: &mut Sha256, dir: &Path, rel: &Path) -> std::io::Result<()> {
    let mut entries: Vec<_> = fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name();
        let n = name.to_string_lossy();
        let path = e.path();
        let t = e.file_type()?;
        if is_ignored(&n) {
            continue;
        }
        if t.is_dir() {
            hash_dir(h, &path, &rel.join(&name))?;
        } else if t.is_file() || t.is_symlink() {
            let Ok(bytes) = fs::read(&path) else { continue };
            h.update(rel.join(&name).to_string_lossy().as_bytes());
            h.update([0]);
            h.update((bytes.len() as u64).to_le_bytes());
            h.update(&bytes);
        }
    }
    Ok(())
}

/// A fresh venv at `dir` (whatever was there is removed: an unfinished install).
fn create_venv(python: &Path, dir: &Path) -> Result<(), String> {
    if dir.exists() {
        fs::remove_dir_all(dir).map_err(|e| format!("cannot remove the unfinished venv {}: {e}", dir.display()))?;
    }
    if let Some(parent) = dir.parent() {
        fs::create_dir_all(parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    let out = Command::new(python)
        .args(["-m", "venv"])
        .arg(dir)
        .output()
        .map_err(|e| format!("cannot run {}: {e}", python.display()))?;
    if !out.status.success() {
        return Err(format!(
            "{} -m venv {} failed: {}\nOn Debian/Ubuntu install the venv module: `sudo apt-get install -y python3-venv`.",
            python.display(),
            dir.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(())
}

/// `python -m pip install <args>`, its output (progress bars included) on stderr.
fn pip(python: &Path, args: &[&str], what: &str) -> Result<(), String> {
    let status = Command::new(python)
        .args(["-m", "pip", "install", "--disable-pip-version-check"])
        .args(args)
        .env_remove("PYTHONHOME")
        .env_remove("PIP_REQUIRE_VIRTUALENV")
        .stdin(Stdio::null())
        .stdout(std::io::stderr())
        .status()
        .map_err(|e| format!("cannot run pip ({}): {e}", python.display()))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "pip failed to {what} ({}; its output is above). Check the network access to PyPI (or PIP_INDEX_URL) and run again.",
            exit_text(status)
        ))
    }
}

fn pyspark_home(python: &Path) -> Result<PathBuf, String> {
    let out = Command::new(python)
        .args(["-c", "import os, pyspark; print(os.path.dirname(pyspark.__file__))"])
        .output()
        .map_err(|e| format!("cannot run {}: {e}", python.display()))?;
    if !out.status.success() {
        return Err(format!(
            "PySpark does not import after installing it: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
}

pub fn venv_python(dir: &Path) -> PathBuf {
    dir.join("bin").join("python")
}

/// Whether `python` starts (a venv whose base interpreter went away does not).
pub fn python_runs(python: &Path) -> bool {
    python.is_file() && python_ok(python, "pass")
}

fn python_ok(python: &Path, code: &str) -> bool {
    Command::new(python)
        .args(["-c", code])
        .env_remove("PYTHONHOME")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

pub fn exit_text(status: std::process::ExitStatus) -> String {
    match status.code() {
        Some(c) => format!("exit code {c}"),
        None => "killed by a signal".to_string(),
    }
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project_dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("sparkform-envs-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(d.join("src/pkg")).unwrap();
        fs::write(d.join("pyproject.toml"), "[project]\nname = \"pkg\"\n").unwrap();
        fs::write(d.join("src/pkg/a.py"), "x = 1\n").unwrap();
        d
    }

    #[test]
    fn the_dependency_key_follows_dependency_files_only() {
        let d = project_dir("deps");
        let k = dependency_key(&d, "3.11");
        fs::write(d.join("src/pkg/a.py"), "x = 2\n").unwrap();
        assert_eq!(dependency_key(&d, "3.11"), k, "source changes keep the venv");
        assert_ne!(dependency_key(&d, "3.12"), k, "another Python needs another venv");
        fs::write(d.join("requirements-dev.txt"), "pytest-cov\n").unwrap();
        let k2 = dependency_key(&d, "3.11");
        assert_ne!(k2, k);
        fs::write(
            d.join("pyproject.toml"),
            "[project]\nname = \"pkg\"\ndependencies = [\"six\"]\n",
        )
        .unwrap();
        assert_ne!(dependency_key(&d, "3.11"), k2);
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn the_tree_hash_follows_sources_not_caches() {
        let d = project_dir("tree");
        let h = tree_hash(&d).unwrap();
        fs::create_dir_all(d.join("src/pkg/__pycache__")).unwrap();
        fs::write(d.join("src/pkg/__pycache__/a.pyc"), "bytecode").unwrap();
        fs::create_dir_all(d.join("src/pkg.egg-info")).unwrap();
        fs::write(d.join("src/pkg.egg-info/PKG-INFO"), "x").unwrap();
        fs::create_dir_all(d.join(".pytest_cache")).unwrap();
        fs::write(d.join(".pytest_cache/README.md"), "x").unwrap();
        assert_eq!(tree_hash(&d).unwrap(), h);
        fs::write(d.join("src/pkg/a.py"), "x = 3\n").unwrap();
        assert_ne!(tree_hash(&d).unwrap(), h);
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn slugs_tell_same_named_projects_apart() {
        let a = project_slug(Path::new("/w/app-a/spark"));
        let b = project_slug(Path::new("/w/app-b/spark"));
        assert!(a.starts_with("spark-") && b.starts_with("spark-"));
        assert_ne!(a, b);
        assert_eq!(
            project_slug(Path::new("/w/my app/spark-jobs")).split('-').next(),
            Some("spark_jobs")
        );
    }

    #[test]
    fn prune_keeps_the_current_venv_and_other_projects() {
        let base = std::env::temp_dir().join(format!("sparkform-prune-{}", std::process::id()));
        let _ = fs::remove_dir_all(&base);
        for d in [
            "spark-0123abcd-0000000000000001",
            "spark-0123abcd-0000000000000002",
            "spark-0123abcd-x-0000000000000003",
        ] {
            fs::create_dir_all(base.join(d)).unwrap();
        }
        prune(&base, "spark-0123abcd", &base.join("spark-0123abcd-0000000000000002"));
        let mut left: Vec<String> = fs::read_dir(&base)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .collect();
        left.sort();
        assert_eq!(
            left,
            ["spark-0123abcd-0000000000000002", "spark-0123abcd-x-0000000000000003"]
        );
        fs::remove_dir_all(&base).unwrap();
    }
}
