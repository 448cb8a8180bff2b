//! The `spark-submit` command of a local run, and running it: driver output streamed as it
//! comes, Spark's own logging kept to warnings, and the end of stderr kept for the error.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

/// Lines of stderr repeated in the error of a failed run.
pub const TAIL_LINES: usize = 20;

/// sparkform's log4j2 configuration for local runs: Spark's messages at WARN and above, on
/// stderr, one short line each.
pub const LOG4J2_PROPERTIES: &str = "\
# Written by sparkform for local runs: Spark's own messages at WARN and above, on stderr.
rootLogger.level = warn
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n%ex
# Said on every start on machines without Hadoop's native library; harmless.
logger.nativecode.name = org.apache.hadoop.util.NativeCodeLoader
logger.nativecode.level = error
";

/// The JVM option that makes local runs start faster (C1 JIT only).
pub const FAST_START: &str = "-XX:TieredStopAtLevel=1";

/// Configuration keys a local run sets itself (the master, the Python of driver and workers).
const OWN_KEYS: &[&str] = &[
    "spark.master",
    "spark.submit.deployMode",
    "spark.pyspark.python",
    "spark.pyspark.driver.python",
];

/// Prefixes of the driver's environment on EMR (`<prefix>NAME=value`), given to the local
/// driver as its environment.
const DRIVER_ENV_PREFIXES: &[&str] = &[
    "spark.emr-serverless.driverEnv.",
    "spark.kubernetes.driverEnv.",
    "spark.yarn.appMasterEnv.",
];

/// What to submit.
#[derive(Debug, Clone)]
pub struct Submit {
    pub spark_submit: PathBuf,
    pub spark_home: PathBuf,
    /// The Python of the driver and the workers.
    pub python: PathBuf,
    /// The job's `--conf` pairs.
    pub conf: Vec<(String, String)>,
    /// sparkform's log4j2 configuration file.
    pub log4j: PathBuf,
    /// The entry point, relative to `dir`.
    pub entry_point: String,
    pub arguments: Vec<String>,
    /// The crate's folder: the working directory.
    pub dir: PathBuf,
    /// `JAVA_HOME` for Spark, when Java was found there.
    pub java_home: Option<PathBuf>,
}

impl Submit {
    /// The arguments after `spark-submit`.
    pub fn args(&self) -> Vec<String> {
        let python = self.python.display().to_string();
        let mut args: Vec<String> = vec!["--master".into(), "local[*]".into()];
        let mut conf = |k: &str, v: &str| {
            args.push("--conf".into());
            args.push(format!("{k}={v}"));
        };
        conf("spark.pyspark.python", &python);
        conf("spark.pyspark.driver.python", &python);
        let mut java_options = String::new();
        for (k, v) in &self.conf {
            if OWN_KEYS.contains(&k.as_str()) || DRIVER_ENV_PREFIXES.iter().any(|p| k.starts_with(p)) {
                continue;
            }
            if k == "spark.driver.extraJavaOptions" {
                java_options = v.clone();
                continue;
            }
            conf(k, v);
        }
        // Local runs are short and on small data: the client JIT alone starts Spark about a
        // third faster. A job that sets its own tiered compilation keeps it.
        if !java_options.contains("TieredStopAtLevel") && !java_options.contains("TieredCompilation") {
            java_options = format!("{java_options} {FAST_START}").trim_start().to_string();
        }
        // The job's own log4j2 configuration, if it names one, wins.
        if !java_options.contains("log4j2.configurationFile") {
            let path = self.log4j.display().to_string();
            let option = if path.contains([' ', '"', '\'']) {
                format!("\"-Dlog4j2.configurationFile={}\"", path.replace('"', "\\\""))
            } else {
                format!("-Dlog4j2.configurationFile={path}")
            };
            java_options = if java_options.is_empty() {
                option
            } else {
                format!("{java_options} {option}")
            };
        }
        conf("spark.driver.extraJavaOptions", &java_options);
        args.push(self.entry_point.clone());
        args.extend(self.arguments.iter().cloned());
        args
    }

    /// The environment given to the driver: `spark.emr-serverless.driverEnv.NAME` (and the
    /// EKS and YARN equivalents) as `NAME`.
    pub fn driver_env(&self) -> Vec<(String, String)> {
        self.conf
            .iter()
            .filter_map(|(k, v)| {
                let name = DRIVER_ENV_PREFIXES.iter().find_map(|p| k.strip_prefix(p))?;
                Some((name.to_string(), v.clone()))
            })
            .collect()
    }

    /// Configuration values that name S3, which a local run cannot read.
    pub fn s3_conf(&self) -> Vec<&str> {
        self.conf
            .iter()
            .filter(|(_, v)| v.contains("s3://") || v.contains("s3a://"))
            .map(|(k, _)| k.as_str())
            .collect()
    }

    pub fn command(&self) -> Command {
        let mut cmd = Command::new(&self.spark_submit);
        cmd.args(self.args())
            .current_dir(&self.dir)
            .env("SPARK_HOME", &self.spark_home)
            .env("PYSPARK_PYTHON", &self.python)
            .env("PYSPARK_DRIVER_PYTHON", &self.python)
            .env("PYTHONUNBUFFERED", "1")
            .env_remove("PYTHONHOME")
            .env_remove("PYSPARK_SUBMIT_ARGS")
            .envs(self.driver_env())
            .stdin(Stdio::null());
        if std::env::var_os("SPARK_LOCAL_IP").is_none() {
            // Local mode needs no network; this also spares the "hostname resolves to a
            // loopback address" warning.
            cmd.env("SPARK_LOCAL_IP", "127.0.0.1");
        }
        if let Some(home) = &self.java_home {
            cmd.env("JAVA_HOME", home);
        }
        cmd
    }

    /// The command as a shell line, to show what runs.
    pub fn display(&self) -> String {
        std::iter::once("spark-submit".to_string())
            .chain(self.args().iter().map(|a| shell_quote(a)))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Writes sparkform's log4j2 configuration into `dir` (only when it changed) and returns its path.
pub fn write_log4j(dir: &Path) -> Result<PathBuf, String> {
    let path = dir.join("sparkform-log4j2.properties");
    if std::fs::read_to_string(&path).ok().as_deref() != Some(LOG4J2_PROPERTIES) {
        std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        std::fs::write(&path, LOG4J2_PROPERTIES).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(path)
}

/// How a run ended.
#[derive(Debug)]
pub struct Ended {
    pub status: std::process::ExitStatus,
    /// The last [`TAIL_LINES`] lines of its output, stdout and stderr as they came: the
    /// driver's Python tracebacks come on spark-submit's stdout, Spark's errors on stderr.
    pub tail: Vec<String>,
}

/// Runs `cmd`, streaming its stdout to ours (to our stderr with `stdout_to_stderr`) and its
/// stderr to ours as lines come, and keeping the last lines of both.
pub fn run(mut cmd: Command, stdout_to_stderr: bool) -> Result<Ended, String> {
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", cmd.get_program().to_string_lossy()))?;
    let tail = Arc::new(Mutex::new(VecDeque::with_capacity(TAIL_LINES)));
    let stdout = child.stdout.take().expect("stdout is piped");
    let stderr = child.stderr.take().expect("stderr is piped");
    let t1 = {
        let tail = Arc::clone(&tail);
        std::thread::spawn(move || relay(stdout, !stdout_to_stderr, &tail))
    };
    let t2 = {
        let tail = Arc::clone(&tail);
        std::thread::spawn(move || relay(stderr, false, &tail))
    };
    let status = child.wait().map_err(|e| format!("cannot wait for spark-submit: {e}"))?;
    let _ = t1.join();
    let _ = t2.join();
    let tail = Vec::from(std::mem::take(&mut *tail.lock().unwrap_or_else(|e| e.into_inner())));
    Ok(Ended { status, tail })
}

/// Copies `from` line by line to our stdout (`to_stdout`) or stderr, keeping the last lines.
fn relay(from: impl std::io::Read, to_stdout: bool, tail: &Mutex<VecDeque<String>>) {
    let mut r = BufReader::new(from);
    let mut line = Vec::new();
    loop {
        line.clear();
        match r.read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) => {
                let _ = if to_stdout {
                    let mut out = std::io::stdout().lock();
                    out.write_all(&line).and_then(|_| out.flush())
                } else {
                    let mut out = std::io::stderr().lock();
                    out.write_all(&line).and_then(|_| out.flush())
                };
                let text = String::from_utf8_lossy(&line).trim_end().to_string();
                if !text.is_empty() {
                    let mut t = tail.lock().unwrap_or_else(|e| e.into_inner());
                    if t.len() == TAIL_LINES {
                        t.pop_front();
                    }
                    t.push_back(text);
                }
            }
        }
    }
}

fn shell_quote(s: &str) -> String {
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_./=:,@+%".contains(c)) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn submit(conf: &[(&str, &str)]) -> Submit {
        Submit {
            spark_submit: "/c/pyspark/bin/spark-submit".into(),
            spark_home: "/c/pyspark/lib/python3.11/site-packages/pyspark".into(),
            python: "/c/venvs/h/bin/python".into(),
            conf: conf.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            log4j: "/c/sparkform-log4j2.properties".into(),
            entry_point: "spark/src/taxi/job.py".into(),
            arguments: vec!["--top".into(), "5".into()],
            dir: "/w/quickstart".into(),
            java_home: None,
        }
    }

    #[test]
    fn submits_in_local_mode_with_the_venv_python() {
        let s = submit(&[("spark.executor.memory", "4g"), ("spark.sql.shuffle.partitions", "8")]);
        assert_eq!(
            s.args(),
            [
                "--master",
                "local[*]",
                "--conf",
                "spark.pyspark.python=/c/venvs/h/bin/python",
                "--conf",
                "spark.pyspark.driver.python=/c/venvs/h/bin/python",
                "--conf",
                "spark.executor.memory=4g",
                "--conf",
                "spark.sql.shuffle.partitions=8",
                "--conf",
                "spark.driver.extraJavaOptions=-XX:TieredStopAtLevel=1 -Dlog4j2.configurationFile=/c/sparkform-log4j2.properties",
                "spark/src/taxi/job.py",
                "--top",
                "5",
            ]
        );
        assert!(s.display().starts_with("spark-submit --master 'local[*]' --conf"));
    }

    #[test]
    fn keeps_the_jobs_java_options_and_drops_what_it_sets_itself() {
        let s = submit(&[
            ("spark.driver.extraJavaOptions", "-Dx=1"),
            ("spark.master", "yarn"),
            ("spark.pyspark.python", "./environment/bin/python"),
            ("spark.emr-serverless.driverEnv.STAGE", "dev"),
        ]);
        let args = s.args();
        assert!(args.contains(
            &"spark.driver.extraJavaOptions=-Dx=1 -XX:TieredStopAtLevel=1 -Dlog4j2.configurationFile=/c/sparkform-log4j2.properties".to_string()
        ));
        assert!(!args
            .iter()
            .any(|a| a.contains("yarn") || a.contains("./environment") || a.contains("driverEnv")));
        assert_eq!(s.driver_env(), [("STAGE".to_string(), "dev".to_string())]);

        let own = submit(&[(
            "spark.driver.extraJavaOptions",
            "-XX:-TieredCompilation -Dlog4j2.configurationFile=/mine.properties",
        )]);
        assert!(own.args().contains(
            &"spark.driver.extraJavaOptions=-XX:-TieredCompilation -Dlog4j2.configurationFile=/mine.properties"
                .to_string()
        ));
    }

    #[test]
    fn quotes_a_log4j_path_with_spaces() {
        let mut s = submit(&[]);
        s.log4j = "/Users/a b/.cache/sparkform/sparkform-log4j2.properties".into();
        assert!(s
            .args()
            .contains(&"spark.driver.extraJavaOptions=-XX:TieredStopAtLevel=1 \"-Dlog4j2.configurationFile=/Users/a b/.cache/sparkform/sparkform-log4j2.properties\"".to_string()));
    }

    #[test]
    fn names_s3_configuration() {
        let s = submit(&[("spark.jars", "s3://bucket/a.jar"), ("spark.executor.cores", "2")]);
        assert_eq!(s.s3_conf(), ["spark.jars"]);
    }

    #[test]
    fn streams_and_keeps_the_end_of_both_outputs() {
        let mut cmd = Command::new("sh");
        cmd.args([
            "-c",
            "for i in $(seq 1 30); do echo line $i >&2; done; sleep 0.2; echo Traceback; exit 3",
        ]);
        let end = run(cmd, true).unwrap();
        assert_eq!(end.status.code(), Some(3));
        assert_eq!(end.tail.len(), TAIL_LINES);
        assert_eq!(end.tail.first().map(String::as_str), Some("line 12"));
        assert_eq!(end.tail[TAIL_LINES - 2], "line 30");
        assert_eq!(
            end.tail.last().map(String::as_str),
            Some("Traceback"),
            "stdout is kept too"
        );
    }
}
