//! An error inside a construct that others reference shows once, at its token, and nothing
//! else is said (issue 10). This builds a real crate with a build.rs, OUTSIDE the workspace,
//! with a runtime and a package in one stack and a nightly job using both in another, then
//! breaks one field of the runtime or the package at a time and runs `cargo build` on it.

use sparkform_tests::workspace;
use std::path::{Path, PathBuf};
use std::process::Command;

const MAIN: &str = r#"use sparkform::prelude::*;

spark_serverless_runtime!(pub PLATFORM {
    name: "platform",
    stack: "platform",
    architecture: ARM64,
    vpc: { cidr: "10.0.0.0/16" },
    release_label: "emr-7.5.0",
    execution_role: {
        statements: [{ actions: ["s3:GetObject"], resources: ["arn:${AWS::Partition}:s3:::data/*"] }],
    },
});

pyspark_package!(pub PKG {
    name: "nightly",
    stack: "jobs",
    entrypoint: "spark/job.py",
});

spark_job!(pub NIGHTLY {
    name: "nightly",
    stack: "jobs",
    runtime: PLATFORM,
    entry_point: PKG,
    schedule: "cron(0 2 * * ? *)",
});

sparkform::main!();
"#;

/// (what is broken, text replaced, replacement, the one error expected, the token it is on).
const CASES: &[(&str, &str, &str, &str, &str)] = &[
    (
        "an enum value",
        "architecture: ARM64",
        "architecture: ARM46",
        "`ARM46` is not allowed here; did you mean `ARM64`?",
        "ARM46",
    ),
    (
        "an IAM action",
        "\"s3:GetObject\"",
        "\"s3:GetObjekt\"",
        "`s3:GetObjekt` is not an action of the `s3` service",
        "\"s3:GetObjekt\"",
    ),
    (
        "a CIDR too small",
        "10.0.0.0/16",
        "10.0.0.0/29",
        "The VPC netmask should be at least 28, netmask provided is 29",
        "\"10.0.0.0/29\"",
    ),
    (
        "a release label",
        "emr-7.5.0",
        "emr-6.5.0",
        "EMR Serverless supports release EMR 6.9 and above",
        "\"emr-6.5.0\"",
    ),
    (
        "an unknown field",
        "    architecture: ARM64,",
        "    architecture: ARM64,\n    max_capacity: {},",
        "unknown field `max_capacity` in spark_serverless_runtime!; did you mean `maximum_capacity`?",
        "max_capacity",
    ),
    (
        "a missing entry-point file",
        "spark/job.py",
        "spark/jobs.py",
        "file `spark/jobs.py` not found",
        "\"spark/jobs.py\"",
    ),
    (
        "a package name",
        "name: \"nightly\",\n    stack: \"jobs\",\n    entrypoint",
        "name: \"night/ly\",\n    stack: \"jobs\",\n    entrypoint",
        "`night/ly` is not a valid package name",
        "\"night/ly\"",
    ),
    (
        "a stack name",
        "stack: \"platform\"",
        "stack: \"1platform\"",
        "`1platform` is not a valid stack name",
        "\"1platform\"",
    ),
];

/// `src/main.rs:line:col` of the first `needle` in `text`.
fn loc_of(text: &str, needle: &str) -> String {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("`{needle}` is in the source"));
    let line = text[..at].matches('\n').count() + 1;
    let col = at - text[..at].rfind('\n').map_or(0, |i| i + 1) + 1;
    format!("src/main.rs:{line}:{col}")
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("target"))
        .join("tests/referenced-errors")
}

/// The user crate: its own workspace, path dependencies on this checkout as the README has
/// them, the workspace's lock file so no new crate is fetched.
fn user_crate(dir: &Path, name: &str) {
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::create_dir_all(dir.join("spark")).unwrap();
    let ws = workspace();
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"{1}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n\n\
             [dependencies]\nsparkform = {{ path = \"{0}/dsl-runtime\", default-features = false }}\n\n\
             [build-dependencies]\nsparkform-build = {{ path = \"{0}/build-support\" }}\n",
            ws.display(),
            name
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("build.rs"),
        "fn main() {\n    sparkform_build::synthesize();\n}\n",
    )
    .unwrap();
    std::fs::write(dir.join("spark/job.py"), "print('nightly')\n").unwrap();
    std::fs::copy(ws.join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
}

/// `cargo build` of the crate with this main.rs: (success, stderr).
fn build(dir: &Path, main: &str) -> (bool, String) {
    std::fs::write(dir.join("src/main.rs"), main).unwrap();
    let out = Command::new(env!("CARGO"))
        .current_dir(dir)
        .args(["build", "--offline", "--quiet"])
        .env("CARGO_TARGET_DIR", target_dir().join("target"))
        .env("CARGO_TERM_COLOR", "never")
        .env_remove("SPARKFORM_OUT_DIR")
        .output()
        .expect("cargo runs");
    (out.status.success(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// The error headlines (`error: ...`, `error[E...]: ...`), without cargo's summary.
fn headlines(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| l.starts_with("error"))
        .filter(|l| {
            !l.starts_with("error: could not compile") && !l.starts_with("error: failed to run custom build command")
        })
        .collect()
}

/// Builds the user crate `name` with `main` as it is (it must build), then once per case
/// with one field broken: the cases whose build did not fail with exactly the case's one
/// error, at its token, and none of the `unrelated` texts.
fn broken_one_field_at_a_time(
    name: &str,
    main: &str,
    cases: &[(&str, &str, &str, &str, &str)],
    unrelated: &[&str],
) -> Vec<String> {
    let dir = target_dir().join(name);
    user_crate(&dir, name);
    let (ok, stderr) = build(&dir, main);
    assert!(ok, "the unbroken app builds:\n{stderr}");
    let mut failures = Vec::new();
    for (what, from, to, message, token) in cases {
        assert!(main.contains(from), "{what}: the case's text is in the app");
        let broken = main.replacen(from, to, 1);
        let at = loc_of(&broken, token);
        let (ok, stderr) = build(&dir, &broken);
        let lines = headlines(&stderr);
        let good = !ok
            && lines.len() == 1
            && lines[0].contains(message)
            && stderr.contains(&format!("--> {at}"))
            && unrelated.iter().all(|u| !stderr.contains(u));
        if !good {
            failures.push(format!("{what}: expected only `{message}` at {at}, got:\n{stderr}"));
        }
    }
    failures
}

#[test]
fn each_broken_field_of_a_referenced_construct_is_its_one_error() {
    let failures = broken_one_field_at_a_time(
        "nightly-app",
        MAIN,
        CASES,
        &["is not a spark_serverless_runtime!", "is not a pyspark_package!"],
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// When the app has a problem only build.rs sees, the build stops before rustc runs; then
/// build.rs prints the macros' errors too, each at its place, so none is hidden.
#[test]
fn an_app_error_does_not_hide_a_macro_error() {
    let dir = target_dir().join("app-level");
    user_crate(&dir, "app-level");
    let role = "    execution_role: {\n        statements: [{ actions: [\"s3:GetObject\"], resources: [\"arn:${AWS::Partition}:s3:::data/*\"] }],\n    },\n";
    let main = MAIN.replacen(role, "", 1).replacen(
        "sparkform::main!();",
        "spark_serverless_runtime!(pub OTHER { name: \"other\", architecture: ARM46 });\n\nsparkform::main!();",
        1,
    );
    let (ok, stderr) = build(&dir, &main);
    assert!(!ok);
    let role_error = format!(
        "{}: job `NIGHTLY` uses the execution role of `PLATFORM`, which declares none",
        loc_of(&main, "PLATFORM,\n    entry_point")
    );
    assert!(stderr.contains(&role_error), "{role_error}\n{stderr}");
    let macro_error = format!(
        "{}: `ARM46` is not allowed here; did you mean `ARM64`?",
        loc_of(&main, "ARM46")
    );
    assert!(stderr.contains(&macro_error), "{macro_error}\n{stderr}");
}

/// The same for an `emr_eks_runtime!` whose virtual cluster a job runs on. (Namespaces it
/// does not create and no default nodes: nothing to apply, so the crate needs no
/// `kubernetes` feature, and no AWS SDK is built here.)
const EKS_MAIN: &str = r#"use sparkform::prelude::*;

emr_eks_runtime!(pub PLATFORM {
    admin_role: "arn:aws:iam::123456789012:role/eks-admin",
    public_access_cidrs: ["203.0.113.0/24"],
    kubernetes_version: "1.35",
    default_nodes: false,
    virtual_clusters: [{ name: "daily", namespace: "daily-jobs", create_namespace: false }],
    execution_roles: [{ name: "reader", namespace: "daily-jobs",
        statements: [{ actions: ["s3:GetObject"], resources: ["arn:${AWS::Partition}:s3:::data/*"] }] }],
});

spark_job!(pub NIGHTLY {
    name: "nightly",
    stack: "jobs",
    virtual_cluster: PLATFORM.daily,
    execution_role: PLATFORM.reader,
    entry_point: "s3://code/job.py",
});

sparkform::main!();
"#;

const EKS_CASES: &[(&str, &str, &str, &str, &str)] = &[
    (
        "an admin role ARN",
        "role/eks-admin",
        "user/eks-admin",
        "is not an IAM role ARN",
        "\"arn:aws:iam::123456789012:user/eks-admin\"",
    ),
    (
        "a Kubernetes version",
        "\"1.35\"",
        "\"1.29\"",
        "EKS no longer creates clusters on Kubernetes 1.29",
        "\"1.29\"",
    ),
    (
        "a CIDR",
        "203.0.113.0/24",
        "203.0.113.9/24",
        "`203.0.113.9/24` has host bits set",
        "\"203.0.113.9/24\"",
    ),
    (
        "a namespace",
        "namespace: \"daily-jobs\", create",
        "namespace: \"Daily_Jobs\", create",
        "the namespace `Daily_Jobs` contains `D`",
        "\"Daily_Jobs\"",
    ),
    (
        "an IAM action of an execution role",
        "\"s3:GetObject\"",
        "\"s3:GetObjekt\"",
        "`s3:GetObjekt` is not an action of the `s3` service",
        "\"s3:GetObjekt\"",
    ),
];

#[test]
fn each_broken_field_of_a_referenced_eks_runtime_is_its_one_error() {
    let failures = broken_one_field_at_a_time(
        "eks-app",
        EKS_MAIN,
        EKS_CASES,
        &["is not a emr_eks_runtime!", "virtual cluster"],
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// What only build.rs can see about overrides and attribute references (the target is one
/// this configuration does not create; an attribute the referenced handle does not have) is
/// one error each, at its token, with nothing said about the constructs around it.
#[test]
fn override_targets_and_attribute_references_are_checked_by_build_rs_once() {
    let dir = target_dir().join("app-overrides");
    user_crate(&dir, "app-overrides");
    let network = MAIN.replacen(
        "    vpc: { cidr: \"10.0.0.0/16\" },\n",
        "    network: { subnet_ids: [\"subnet-0123456789abcdef0\"], security_group_ids: [\"sg-0123456789abcdef0\"] },\n    overrides: { FlowLog: { \"Properties.MaxAggregationInterval\": 60 } },\n",
        1,
    );
    let attribute = MAIN.replacen(
        "sparkform::main!();",
        "cfn_resource!(pub APP_ID { stack: \"platform\", type: \"AWS::SSM::Parameter\",\n    properties: { Type: \"String\", Value: PLATFORM.application_idd } });\n\nsparkform::main!();",
        1,
    );
    let cases = [
        (
            network,
            "FlowLog",
            "`PLATFORM` creates no `FlowLog` with this configuration. It creates: Application",
        ),
        (
            attribute,
            "application_idd",
            "`PLATFORM` has no attribute `application_idd`; did you mean `application_id`?",
        ),
    ];
    let mut failures = Vec::new();
    for (main, token, message) in &cases {
        let at = loc_of(main, token);
        let (ok, stderr) = build(&dir, main);
        // A build.rs error is `error: <crate>: <message>`, its hint one more such line.
        let lines: Vec<&str> = headlines(&stderr)
            .into_iter()
            .filter(|l| !l.contains("= help:") && !l.contains("build script logged errors"))
            .collect();
        let good = !ok && lines.len() == 1 && lines[0].contains(&format!("{at}: {message}"));
        if !good {
            failures.push(format!("expected only `{at}: {message}`, got:\n{stderr}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
