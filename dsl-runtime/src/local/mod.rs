//! Local runs, on the laptop, with no AWS account:
//!
//! - `run <job> --local`: the job's PySpark entry point with Spark in local mode
//!   (`spark-submit --master local[*]`), in the job's packaged virtualenv (the archive the
//!   deploy uploads, built in Docker and unpacked into the cache), or in a cached PySpark venv
//!   when the package has no dependencies. Java comes from the machine.
//! - `test`: the Spark project's pytest suite as the CI/CD pipeline's unit-test stage runs it:
//!   `pip install` of the project with pytest and PySpark into a cached venv, then
//!   `python -m pytest` in the project folder.
//!
//! Everything installed goes under the cache root ([`envs::cache_root`]: `$SPARKFORM_CACHE_DIR`,
//! else `~/.cache/sparkform`) and is reused by later runs.

pub mod envs;
mod lock;
#[cfg(feature = "docker")]
pub mod packed;
pub mod submit;
pub mod tools;

pub use envs::{cache_root, PYSPARK_VERSION};

use crate::assembly::{Assembly, AssetSource, Job, LocalRun};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// How a local run went, for `--json`.
#[derive(Debug, Clone, PartialEq)]
pub struct RunReport {
    pub job: String,
    pub seconds: f64,
    /// The driver's Python: the package's venv, a project venv, or the PySpark venv.
    pub python: PathBuf,
}

/// The crate's folder as built.
fn crate_dir(asm: &Assembly) -> Result<PathBuf, String> {
    let dir = PathBuf::from(&asm.manifest.crate_dir);
    if asm.manifest.crate_dir.is_empty() {
        return Err(
            "this binary was built by a sparkform that does not record the crate's folder; rebuild it (`cargo build`)"
                .into(),
        );
    }
    if !dir.is_dir() {
        return Err(format!(
            "the crate's folder {} (where it was built) is gone; local runs read the PySpark code from there: rebuild the app where its sources are",
            dir.display()
        ));
    }
    Ok(dir)
}

fn local_of(job: &Job) -> Result<&LocalRun, String> {
    job.local.as_ref().ok_or_else(|| {
        let entry = job.request["JobDriver"]["SparkSubmit"]["EntryPoint"]
            .as_str()
            .or_else(|| job.request["JobDriver"]["SparkSubmitJobDriver"]["EntryPoint"].as_str())
            .map(|e| format!(" ({e})"))
            .unwrap_or_default();
        format!(
            "{} cannot run locally: its entry point{entry} is not PySpark code of this crate. \
             `run --local` runs jobs whose `entry_point` is a pyspark_package! handle",
            job.handle
        )
    })
}

/// `run <job> --local`: runs the job with Spark in local mode and returns when it ends;
/// `Err` when it cannot start or the job fails (with the end of its stderr).
pub fn run_job(asm: &Assembly, job: &Job, extra_args: &[String], json: bool) -> Result<RunReport, String> {
    let local = local_of(job)?;
    let dir = crate_dir(asm)?;
    let entry = dir.join(&local.entry_point);
    if !entry.is_file() {
        return Err(format!(
            "the entry point of {} is missing: {}",
            job.handle,
            entry.display()
        ));
    }
    let java = tools::find_java()?;
    if let Some(w) = tools::java_warning(&java) {
        eprintln!("{w}");
    }
    let root = cache_root();
    let pyspark = envs::pyspark(&root)?;
    let (python, which) = job_python(asm, local, &dir, &root, &pyspark)?;
    let log4j = submit::write_log4j(&root)?;
    let mut arguments = local.arguments.clone();
    arguments.extend(extra_args.iter().cloned());
    let s = submit::Submit {
        spark_submit: pyspark.spark_submit.clone(),
        spark_home: pyspark.spark_home.clone(),
        python: python.clone(),
        conf: local.spark_conf.clone(),
        log4j,
        entry_point: local.entry_point.clone(),
        arguments,
        dir: dir.clone(),
        java_home: java.home.clone(),
    };
    for k in s.s3_conf() {
        eprintln!("note: {k} names S3, which a local run cannot read; override it or expect Spark to fail on it");
    }
    eprintln!(
        "running {} locally (Spark {PYSPARK_VERSION}, Java {}, {which}) in {}:\n  {}",
        job.name,
        java.major.map(|m| m.to_string()).unwrap_or_else(|| "?".into()),
        dir.display(),
        s.display()
    );
    let t0 = Instant::now();
    let end = submit::run(s.command(), json)?;
    let seconds = t0.elapsed().as_secs_f64();
    if end.status.success() {
        eprintln!("{} finished in {seconds:.1} s", job.name);
        Ok(RunReport {
            job: job.name.clone(),
            seconds,
            python,
        })
    } else {
        let mut msg = format!(
            "{} failed locally: spark-submit ended with {} after {seconds:.1} s",
            job.name,
            envs::exit_text(end.status)
        );
        if !end.tail.is_empty() {
            msg.push_str("; the end of its output:");
            for l in &end.tail {
                msg.push_str("\n    | ");
                msg.push_str(l);
            }
        }
        Err(msg)
    }
}

/// The Python the job runs in, and a few words saying which it is.
fn job_python(
    asm: &Assembly,
    local: &LocalRun,
    dir: &Path,
    root: &Path,
    pyspark: &envs::PySpark,
) -> Result<(PathBuf, String), String> {
    let Some(id) = &local.venv_asset else {
        return Ok((
            pyspark.python.clone(),
            "the PySpark venv's Python (the package has no dependencies)".into(),
        ));
    };
    packaged_python(asm, local, id, dir, root)
}

/// The Python of the venv asset `id` (built in Docker, unpacked into the cache), or of a
/// venv of this machine with the Spark project installed when that one cannot run here.
#[cfg(feature = "docker")]
fn packaged_python(
    asm: &Assembly,
    local: &LocalRun,
    id: &str,
    dir: &Path,
    root: &Path,
) -> Result<(PathBuf, String), String> {
    let (asset, recipe) = packed::find(&asm.manifest.assets, id)?;
    let build = packed::local_build(dir, asset, recipe);
    let archive = packed::archive(id, &build)?;
    let unpacked = packed::unpacked(root, &archive, &build.key)?;
    let python = packed::python_of(&unpacked)?;
    match packed::check_python(&python) {
        Ok(version) => Ok((python, format!("Python {version} of {id}'s packaged venv"))),
        Err(why) => {
            // A venv built in Docker for Linux needs the same Python at the same path; on
            // another system, install the project into a venv of this machine instead.
            let project = local.project_dir.as_deref().unwrap_or(&recipe.context);
            eprintln!(
                "note: the packaged venv of {id} does not run on this machine ({why}); \
                 using a venv of this machine with the Spark project installed instead"
            );
            let env = envs::project(root, &dir.join(project))?;
            Ok((env.python, format!("a local venv with {project} installed")))
        }
    }
}

#[cfg(not(feature = "docker"))]
fn packaged_python(_: &Assembly, _: &LocalRun, id: &str, _: &Path, _: &Path) -> Result<(PathBuf, String), String> {
    Err(crate::assets::docker_disabled(id))
}

/// The Spark project folders of the app's jobs (relative to the crate), each once.
pub fn project_dirs(asm: &Assembly) -> Vec<String> {
    let mut dirs: Vec<String> = Vec::new();
    let from_jobs = asm
        .manifest
        .jobs
        .iter()
        .filter_map(|j| j.local.as_ref()?.project_dir.clone());
    let from_assets = asm.manifest.assets.iter().filter_map(|a| match &a.source {
        AssetSource::Venv(r) => Some(r.context.clone()),
        AssetSource::File { .. } | AssetSource::Inline { .. } => None,
    });
    for d in from_jobs.chain(from_assets) {
        if !dirs.contains(&d) {
            dirs.push(d);
        }
    }
    dirs
}

/// `test`: each Spark project's pytest suite, as the pipeline's unit-test stage runs it.
pub fn test(asm: &Assembly, pytest_args: &[String]) -> Result<(), String> {
    let dir = crate_dir(asm)?;
    let projects = project_dirs(asm);
    if projects.is_empty() {
        return Err("this app has no Spark project to test: declare a pyspark_package! whose `dependencies` folder holds the project (pyproject.toml, tests/)".into());
    }
    let java = tools::find_java()?;
    if let Some(w) = tools::java_warning(&java) {
        eprintln!("{w}");
    }
    let root = cache_root();
    let log4j = submit::write_log4j(&root)?;
    let mut failed = Vec::new();
    for p in &projects {
        let project = dir.join(p);
        let env = envs::project(&root, &project)?;
        eprintln!(
            "testing {p}: {}",
            std::iter::once("python -m pytest")
                .chain(pytest_args.iter().map(String::as_str))
                .collect::<Vec<_>>()
                .join(" ")
        );
        let t0 = Instant::now();
        let mut cmd = Command::new(&env.python);
        cmd.args(["-m", "pytest"])
            .args(pytest_args)
            .current_dir(&project)
            .env("PYSPARK_PYTHON", &env.python)
            .env("PYSPARK_DRIVER_PYTHON", &env.python)
            .env_remove("SPARK_HOME")
            .env_remove("PYTHONHOME")
            .stdin(Stdio::null());
        if std::env::var_os("PYSPARK_SUBMIT_ARGS").is_none() {
            // Sessions the tests create start Spark through this: Spark's logging at WARN, and
            // the JIT that starts fastest.
            cmd.env(
                "PYSPARK_SUBMIT_ARGS",
                format!(
                    "--driver-java-options {} pyspark-shell",
                    sh_word(&format!(
                        "{} -Dlog4j2.configurationFile={}",
                        submit::FAST_START,
                        log4j.display()
                    ))
                ),
            );
        }
        if std::env::var_os("SPARK_LOCAL_IP").is_none() {
            cmd.env("SPARK_LOCAL_IP", "127.0.0.1");
        }
        if let Some(home) = &java.home {
            cmd.env("JAVA_HOME", home);
        }
        let status = cmd
            .status()
            .map_err(|e| format!("cannot run pytest ({}): {e}", env.python.display()))?;
        let seconds = t0.elapsed().as_secs_f64();
        match status.code() {
            Some(0) => eprintln!("{p}: tests passed in {seconds:.1} s"),
            Some(5) => failed.push(format!("{p}: pytest collected no tests (add tests under {p}/tests/)")),
            _ => failed.push(format!(
                "{p}: tests failed ({}; pytest's report is above)",
                envs::exit_text(status)
            )),
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(failed.join("\n"))
    }
}

/// `s` as one word for a POSIX shell or Python's `shlex.split`.
fn sh_word(s: &str) -> String {
    if s.chars().all(|c| c.is_ascii_alphanumeric() || "-_./=:,@+%".contains(c)) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}
