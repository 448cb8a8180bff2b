//! Synthesis is deterministic: the same sources give byte-identical output, in one process
//! and across processes (build.rs output equals the library's).

use sparkform_tests::{all_apps, examples, workspace};

#[test]
fn same_input_same_bytes() {
    for app in all_apps() {
        let a = app.synthesize().assembly;
        let b = app.synthesize().assembly;
        assert_eq!(a.templates, b.templates, "{}", app.name);
        assert_eq!(a.manifest_json(), b.manifest_json(), "{}", app.name);
        assert_eq!(a.embedded_json(), b.embedded_json(), "{}", app.name);
    }
}

#[test]
fn build_rs_writes_what_the_library_synthesizes() {
    let names: Vec<String> = examples().iter().map(|a| a.name.clone()).collect();
    let mut cmd = std::process::Command::new(env!("CARGO"));
    cmd.current_dir(workspace()).args(["build", "--quiet"]);
    for n in &names {
        cmd.args(["-p", n]);
    }
    let status = cmd.status().expect("cargo runs");
    assert!(status.success(), "cargo build of the examples failed");
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| workspace().join("target"));
    for app in examples() {
        let dir = target.join("sparkform").join(&app.name);
        let a = app.synthesize().assembly;
        for (file, body) in &a.templates {
            let written =
                std::fs::read_to_string(dir.join(file)).unwrap_or_else(|e| panic!("{}: {e}", dir.join(file).display()));
            assert_eq!(&written, body, "{} differs from build.rs output", file);
        }
        let manifest = std::fs::read_to_string(dir.join("manifest.json")).unwrap();
        assert_eq!(manifest, a.manifest_json(), "{} manifest differs", app.name);
    }
}
