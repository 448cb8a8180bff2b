//! Compile-error UI tests: every check reports on the offending token with a hint.
//! Regenerate snapshots with `TRYBUILD=overwrite cargo test -p sparkform-tests --test ui`.

use std::path::Path;

#[test]
fn ui() {
    spark_project_in_trybuild_crate();
    kubernetes_files_in_trybuild_crate();
    let t = trybuild::TestCases::new();
    t.pass("ui/pass/*.rs");
    // The scenarios that golden and state-machine tests synthesize must also compile.
    t.pass("scenarios/*.rs");
    t.compile_fail("ui/fail/*.rs");
}

/// The Spark project that `ui/fail/package_dependencies_without_docker.rs` names. The macros
/// resolve paths against the crate being compiled: trybuild's generated one, in
/// `<target>/tests/trybuild/sparkform-tests` (`CARGO_TARGET_TMPDIR` is `<target>/tmp`).
fn spark_project_in_trybuild_crate() {
    let target = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("CARGO_TARGET_TMPDIR is inside the target dir");
    let project = target.join("tests/trybuild/sparkform-tests/venv-project");
    std::fs::create_dir_all(&project).expect("create the Spark project");
    std::fs::write(project.join("job.py"), "print('nightly')\n").expect("write job.py");
    std::fs::write(project.join("requirements.txt"), "tabulate\n").expect("write requirements.txt");
}

/// The YAML files the `eks_*` UI tests name, in trybuild's crate.
fn kubernetes_files_in_trybuild_crate() {
    let target = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("CARGO_TARGET_TMPDIR is inside the target dir");
    let dir = target.join("tests/trybuild/sparkform-tests/k8s");
    std::fs::create_dir_all(&dir).expect("create k8s/");
    let files = [
        ("gpu-driver.yaml", "apiVersion: v1\nkind: Pod\nspec:\n  nodeSelector:\n    role: gpu\n"),
        ("config.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: spark\ndata: {}\n"),
        (
            "karpenter-pool.yaml",
            "apiVersion: karpenter.sh/v1\nkind: NodePool\nmetadata:\n  name: gpu\nspec:\n  template:\n    spec:\n      nodeClassRef:\n        group: karpenter.k8s.aws\n        kind: EC2NodeClass\n        name: gpu\n",
        ),
        ("broken.yaml", "apiVersion: karpenter.sh/v1\nkind: [NodePool\n"),
    ];
    for (name, text) in files {
        std::fs::write(dir.join(name), text).expect("write a YAML file");
    }
}
