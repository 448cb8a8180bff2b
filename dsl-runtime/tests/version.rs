//! An app binary whose embedded assembly was written by another sparkform (another manifest
//! version): `sparkform::main!` refuses it with the contract's message and exit code 1.

use std::process::ExitCode;

#[test]
fn another_manifest_version_exits_1_with_what_to_do() {
    let old =
        r#"{"manifest": {"version": 1, "crate": "app", "stacks": [], "assets": [{"kind": "zip"}]}, "templates": {}}"#;
    assert_eq!(sparkform::cli::main_embedded(old), ExitCode::from(1));
    let err = sparkform::Assembly::from_embedded(old).unwrap_err().to_string();
    assert!(
        err.contains("manifest version 1") && err.contains("reads version 3") && err.contains("cargo build"),
        "{err}"
    );
    assert_eq!(
        sparkform::cli::main_embedded("{\"not\": \"an assembly\"}"),
        ExitCode::from(1)
    );
}
