//! Which buckets the manifest tells `destroy` to empty: those sparkform creates whose removal
//! is `destroy`, in a crate that opted in; never a bucket it keeps, nor an existing one.

use sparkform_build::app::synthesize_sources;
use sparkform_build::model::Context;

fn emptied(source: &str) -> Vec<Vec<String>> {
    let ctx = Context {
        crate_name: "data".into(),
        remove_data_on_destroy: true,
        crate_dir: std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/pyspark-package"),
        ..Context::default()
    };
    let s = synthesize_sources(&ctx, &[("src/main.rs".into(), source.into())]);
    assert!(
        s.macro_errors.is_empty() && s.app_errors.is_empty(),
        "{:?} {:?}",
        s.macro_errors,
        s.app_errors
    );
    s.assembly
        .manifest
        .stacks
        .iter()
        .map(|st| st.emptied_on_destroy.clone())
        .collect()
}

#[test]
fn only_created_buckets_whose_removal_is_destroy_are_emptied() {
    let pkg =
        r#"pyspark_package!(pub PKG { name: "n", entrypoint: "spark/src/entrypoint.py", removal_policy: destroy });"#;
    assert_eq!(emptied(pkg), [["PkgAccessLogsBucket", "PkgArtifactsBucket"]]);
    let kept = r#"pyspark_package!(pub PKG { name: "n", entrypoint: "spark/src/entrypoint.py" });"#;
    assert_eq!(emptied(kept), [Vec::<String>::new()]);
    let existing = r#"pyspark_package!(pub PKG { name: "n", entrypoint: "spark/src/entrypoint.py",
        artifacts_bucket: "team-artifacts", removal_policy: destroy });"#;
    assert_eq!(emptied(existing), [Vec::<String>::new()]);
    // A raw bucket follows its own removal policy; an override that keeps a bucket wins.
    let raw = r#"cfn_resource!(pub RAW { type: "AWS::S3::Bucket", removal_policy: destroy });
        spark_job!(pub JOB { name: "j", application_id: "00fabcdef1234567", execution_role: "arn:aws:iam::123456789012:role/r",
            entry_point: "s3://b/j.py", removal_policy: destroy, overrides: { LogBucket: { DeletionPolicy: "Retain" } } });"#;
    assert_eq!(emptied(raw), [["Raw"]]);
}

#[test]
fn without_the_opt_in_nothing_is_emptied() {
    let ctx = Context {
        crate_name: "data".into(),
        ..Context::default()
    };
    let raw = r#"spark_job!(pub JOB { name: "j", application_id: "00fabcdef1234567", execution_role: "arn:aws:iam::123456789012:role/r", entry_point: "s3://b/j.py" });"#;
    let s = synthesize_sources(&ctx, &[("src/main.rs".into(), raw.into())]);
    assert!(s.assembly.manifest.stacks[0].emptied_on_destroy.is_empty());
    assert!(!s.assembly.manifest.remove_data_on_destroy);
}
