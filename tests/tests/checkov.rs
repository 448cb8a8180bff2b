//! checkov, an outside security scanner, on every template sparkform synthesizes: no failed
//! check, and every check a resource skips says why in its `Metadata` (checkov's own
//! suppression format, so users' scanners see the same reasons).

use serde_json::{json, Value};
use sparkform_tests::all_apps;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The pinned checkov that `scripts/test-services` installs.
fn checkov() -> String {
    sparkform_tests::services()["CHECKOV"].clone()
}

/// A fresh directory for this test's files.
fn scratch(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sparkform-checkov-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// One finding: the check, the file and the resource, and for a skip the reason given.
#[derive(Debug)]
struct Finding {
    check: String,
    file: String,
    resource: String,
    comment: Option<String>,
}

/// What checkov found in a directory of templates.
struct Scan {
    failed: Vec<Finding>,
    skipped: Vec<Finding>,
    /// Templates checkov could not read (it would check nothing in them).
    parsing_errors: Vec<String>,
    /// Templates with at least one check run.
    files: std::collections::BTreeSet<String>,
}

/// checkov's reply when a skip has no comment.
const NO_COMMENT: &str = "No comment provided";

fn scan(dir: &Path) -> Scan {
    let out = Command::new(checkov())
        .args(["--framework", "cloudformation", "--output", "json", "--compact"])
        .args(["--skip-download", "--soft-fail", "--directory"])
        .arg(dir)
        .env("BC_SKIP_MAPPING", "TRUE")
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run checkov ({e}); install it with `scripts/test-services start` or set CHECKOV")
        });
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "checkov failed (exit {:?}):\n{stdout}\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value =
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("checkov printed no JSON report ({e}):\n{stdout}"));
    // One framework gives an object, several a list of them.
    let reports = match report {
        Value::Array(a) => a,
        one => vec![one],
    };
    let findings = |key: &str| -> Vec<Finding> {
        reports
            .iter()
            .flat_map(|r| r["results"][key].as_array().cloned().unwrap_or_default())
            .map(|c| Finding {
                check: c["check_id"].as_str().unwrap_or_default().to_string(),
                file: c["file_path"].as_str().unwrap_or_default().to_string(),
                resource: c["resource"].as_str().unwrap_or_default().to_string(),
                comment: c["check_result"]["suppress_comment"]
                    .as_str()
                    .filter(|c| *c != NO_COMMENT)
                    .map(str::to_string),
            })
            .collect()
    };
    let passed = findings("passed_checks");
    let failed = findings("failed_checks");
    let skipped = findings("skipped_checks");
    let files = passed
        .iter()
        .chain(&failed)
        .chain(&skipped)
        .map(|f| f.file.trim_start_matches('/').to_string())
        .collect();
    let parsing_errors = reports
        .iter()
        .flat_map(|r| r["results"]["parsing_errors"].as_array().cloned().unwrap_or_default())
        .map(|e| e.to_string())
        .collect();
    Scan {
        failed,
        skipped,
        parsing_errors,
        files,
    }
}

#[test]
fn every_template_passes_checkov_or_says_why() {
    // Types checkov has no check for: a template of these alone is not scanned.
    const UNCHECKED: &[&str] = &["AWS::EMRContainers::VirtualCluster"];
    let dir = scratch("all");
    let mut files = std::collections::BTreeSet::new();
    for app in all_apps() {
        for (file, body) in &app.synthesize().assembly.templates {
            let name = format!("{}__{file}", app.name);
            std::fs::write(dir.join(&name), body).unwrap();
            let t: serde_json::Value = serde_json::from_str(body).unwrap();
            let resources = t["Resources"].as_object().unwrap();
            if !resources
                .values()
                .all(|r| UNCHECKED.contains(&r["Type"].as_str().unwrap_or("")))
            {
                files.insert(name);
            }
        }
    }
    assert!(
        files.len() >= 8,
        "expected templates from every example and scenario, got {}",
        files.len()
    );
    let Scan {
        failed,
        skipped,
        parsing_errors,
        files: scanned,
    } = scan(&dir);
    assert!(parsing_errors.is_empty(), "checkov could not read {parsing_errors:?}");
    assert_eq!(scanned, files, "checkov ran no check on some templates");
    let list = |v: &[Finding]| {
        v.iter()
            .map(|f| format!("  {} {} {}", f.check, f.file, f.resource))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert!(
        failed.is_empty(),
        "checkov failed {} checks:\n{}",
        failed.len(),
        list(&failed)
    );
    let unexplained: Vec<Finding> = skipped
        .into_iter()
        .filter(|f| f.comment.as_deref().is_none_or(|c| c.trim().len() < 20))
        .collect();
    assert!(
        unexplained.is_empty(),
        "checks skipped without a written reason in the resource's Metadata:\n{}",
        list(&unexplained)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn checkov_is_a_real_judge() {
    // A bare bucket must fail, and a skip without a comment must count as unexplained, so
    // the test above can fail too.
    let dir = scratch("bad");
    let bad = json!({ "Resources": {
        "Bare": { "Type": "AWS::S3::Bucket" },
        "Hushed": {
            "Type": "AWS::S3::Bucket",
            "Metadata": { "checkov": { "skip": [{ "id": "CKV_AWS_18" }] } },
        },
    } });
    std::fs::write(dir.join("bad.template.json"), bad.to_string()).unwrap();
    let Scan { failed, skipped, .. } = scan(&dir);
    assert!(
        failed.iter().any(|f| f.resource == "AWS::S3::Bucket.Bare"),
        "checkov passed a bucket with no encryption, logging or versioning: {failed:?}"
    );
    let hushed: Vec<&Finding> = skipped.iter().filter(|f| f.check == "CKV_AWS_18").collect();
    assert!(
        hushed.len() == 1 && hushed[0].comment.is_none(),
        "checkov did not report the comment-less skip as a skip without a reason: {skipped:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
