//! cfn-lint, an outside judge, on every template sparkform synthesizes: zero errors and zero
//! warnings. State machine definitions are also linted in a "resolved" copy of each template
//! (placeholders filled with sample values), because cfn-lint checks the States Language
//! only in literal definitions.

use serde_json::Value;
use sparkform_tests::{all_apps, asl, sample};
use std::path::PathBuf;
use std::process::Command;

/// The pinned cfn-lint that `scripts/test-services` installs.
fn cfn_lint() -> String {
    sparkform_tests::services()["CFN_LINT"].clone()
}

/// The template with every state machine definition resolved to a literal string.
fn resolved(template: &str) -> Option<String> {
    let mut t: Value = serde_json::from_str(template).unwrap();
    let mut changed = false;
    for r in t["Resources"].as_object_mut().unwrap().values_mut() {
        if r["Type"] == "AWS::StepFunctions::StateMachine" {
            let def = asl::definition_of(&r["Properties"]["DefinitionString"], sample);
            r["Properties"]["DefinitionString"] = Value::String(def.to_string());
            changed = true;
        }
    }
    changed.then(|| serde_json::to_string_pretty(&t).unwrap())
}

#[test]
fn every_template_is_lint_clean() {
    let dir = std::env::temp_dir().join(format!("sparkform-cfn-lint-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut files: Vec<PathBuf> = Vec::new();
    for app in all_apps() {
        for (file, body) in &app.synthesize().assembly.templates {
            let path = dir.join(format!("{}__{file}", app.name));
            std::fs::write(&path, body).unwrap();
            files.push(path);
            if let Some(r) = resolved(body) {
                let path = dir.join(format!("{}__resolved__{file}", app.name));
                std::fs::write(&path, r).unwrap();
                files.push(path);
            }
        }
    }
    assert!(
        files.len() >= 8,
        "expected templates from every example and scenario, got {}",
        files.len()
    );
    let out = Command::new(cfn_lint())
        .arg("--format")
        .arg("parseable")
        .args(&files)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run cfn-lint ({e}); install it with `scripts/test-services start` or set CFN_LINT")
        });
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.trim().is_empty(),
        "cfn-lint found problems (exit {:?}):\n{stdout}\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn cfn_lint_is_a_real_judge() {
    // The same run on a broken template must fail, so the test above can fail too.
    let dir = std::env::temp_dir().join(format!("sparkform-cfn-lint-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.template.json");
    std::fs::write(
        &bad,
        r#"{"Resources":{"App":{"Type":"AWS::EMRServerless::Application","Properties":{"Type":"Spark","Typo":1}}}}"#,
    )
    .unwrap();
    let out = Command::new(cfn_lint())
        .arg("--format")
        .arg("parseable")
        .arg(&bad)
        .output()
        .expect("cfn-lint runs");
    assert!(
        !out.status.success(),
        "cfn-lint accepted a template without ReleaseLabel"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
