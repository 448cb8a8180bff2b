//! `run <job> --local` and `test` on the quick-start example (examples/quickstart), through
//! its own binary: PySpark installed into the cache on first use, the package's virtualenv
//! built in Docker (the engine of `scripts/test-services`), Spark in local mode on the sample
//! data, and the Spark project's pytest suite. No AWS.
#![cfg(feature = "deploy")]

mod support;

use clap::Parser;
use sparkform::cli::{self, Cli};
use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::OnceLock;
use support::*;

fn quickstart() -> &'static PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let status = Command::new(env!("CARGO"))
            .current_dir(workspace())
            .args(["build", "--quiet", "-p", "quickstart"])
            .status()
            .unwrap();
        assert!(status.success(), "cargo build -p quickstart failed");
        let target = std::env::var("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|_| workspace().join("target"));
        target.join("debug/quickstart")
    })
}

/// Runs the quick-start binary with the services' Docker and no AWS settings at all.
fn run(args: &[&str], env: &[(&str, &str)]) -> Output {
    let services = services();
    let mut cmd = Command::new(quickstart());
    cmd.args(args)
        .env("DOCKER_HOST", &services["DOCKER_HOST"])
        .current_dir(std::env::temp_dir());
    for k in [
        "AWS_ENDPOINT_URL",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
    ] {
        cmd.env_remove(k);
    }
    cmd.envs(env.iter().copied());
    let out = cmd.output().unwrap();
    eprintln!(
        "$ quickstart {}\n--- stdout\n{}--- stderr\n{}",
        args.join(" "),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The rows of the job's result table (`| zone | trips | revenue | tip % |`), as cells.
fn table(stdout: &str) -> Vec<Vec<String>> {
    stdout
        .lines()
        .filter(|l| l.starts_with('|') && !l.starts_with("|--") && !l.contains("pickup zone"))
        .map(|l| l.trim_matches('|').split('|').map(|c| c.trim().to_string()).collect())
        .collect()
}

#[test]
fn runs_the_quickstart_job_locally_and_prints_its_result() {
    let out = run(&["run", "TAXI_JOB", "--local"], &[]);
    assert!(out.status.success(), "run --local failed");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("Top 5 pickup zones by revenue (200 trips; 3 invalid rows dropped):"),
        "the job's heading is on stdout"
    );
    let rows = table(&stdout);
    assert_eq!(
        rows,
        [
            ["JFK Airport", "16", "886.18", "13.8"],
            ["Midtown", "38", "681.96", "15.8"],
            ["LaGuardia Airport", "16", "542.89", "16.2"],
            ["Upper East Side", "29", "439.03", "12.8"],
            ["Financial District", "20", "394.28", "18.8"],
        ]
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("TaxiPkgVenv's packaged venv"),
        "the job runs in its package's venv"
    );
    assert!(stderr.contains("TaxiAggregation finished in"));
    // Spark's own INFO logging is off.
    assert!(!stderr.contains(" INFO "), "Spark's INFO logging shows");
}

#[test]
fn a_failing_local_run_exits_1_with_the_end_of_its_output() {
    let out = run(
        &[
            "--json",
            "run",
            "TAXI_JOB",
            "--local",
            "--",
            "--data",
            "/nonexistent/trips.csv",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        out.stdout.is_empty(),
        "no result on stdout: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    let error = &stderr[stderr.rfind("error: ").expect("an error line")..];
    assert!(
        error.contains("TaxiAggregation failed locally: spark-submit ended with exit code 1"),
        "{error}"
    );
    assert!(error.contains("/nonexistent/trips.csv"), "the error shows why: {error}");
}

#[test]
fn test_runs_the_spark_projects_pytest_suite() {
    let out = run(&["test", "--", "-q"], &[]);
    assert!(out.status.success(), "test failed");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("4 passed"), "pytest's summary: {stdout}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("spark: tests passed"));

    // A failing selection fails the command.
    let out = run(&["test", "--", "-q", "-k", "no_such_test"], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("pytest collected no tests"));
}

#[test]
fn says_how_to_install_java_when_it_is_missing() {
    let out = run(&["run", "TAXI_JOB", "--local"], &[("JAVA_HOME", "/nonexistent/jdk")]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("JAVA_HOME is /nonexistent/jdk, which has no bin/java"),
        "{stderr}"
    );
    assert!(
        stderr.contains("apt-get install -y openjdk-17-jre-headless"),
        "{stderr}"
    );
}

#[test]
fn local_flags_are_checked() {
    let out = run(&["run", "TAXI_JOB", "--local", "--direct"], &[]);
    assert_eq!(out.status.code(), Some(2), "--local conflicts with --direct");
    let out = run(&["run", "TAXI_JOB", "--", "--top", "3"], &[]);
    assert_eq!(out.status.code(), Some(2), "entry point arguments need --local");
}

fn cli_run(example: &str, args: &[&str]) -> Result<(), String> {
    let asm = example_assembly(example, example);
    let cli = Cli::try_parse_from(std::iter::once("app").chain(args.iter().copied())).unwrap();
    cli::run(&cli, &asm)
}

#[test]
fn jobs_without_pyspark_code_cannot_run_locally() {
    let err = cli_run("spark-job", &["run", "PI_JOB", "--local"]).unwrap_err();
    assert!(err.contains("PI_JOB cannot run locally"), "{err}");
    assert!(
        err.contains("local:///usr/lib/spark/examples/src/main/python/pi.py"),
        "{err}"
    );
    let err = cli_run("spark-job", &["test"]).unwrap_err();
    assert!(err.contains("no Spark project to test"), "{err}");
}
