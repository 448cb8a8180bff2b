//! Golden templates: every example and scenario synthesizes to the committed snapshot.
//! Review and accept changes with `cargo insta review` (or `INSTA_UPDATE=always`).

use sparkform_tests::all_apps;

#[test]
fn templates_match_snapshots() {
    for app in all_apps() {
        let s = app.synthesize();
        assert!(
            s.macro_errors.is_empty() && s.app_errors.is_empty(),
            "{}: {:?} {:?}",
            app.name,
            s.macro_errors,
            s.app_errors
        );
        assert!(!s.assembly.templates.is_empty(), "{} synthesized no stack", app.name);
        for (file, body) in &s.assembly.templates {
            insta::assert_snapshot!(
                format!("{}__{}", app.name, file.trim_end_matches(".template.json")),
                body
            );
        }
        // The crate's directory depends on where the repository is checked out.
        let manifest = s
            .assembly
            .manifest_json()
            .replace(&app.ctx.crate_dir.display().to_string(), "<crate_dir>");
        insta::assert_snapshot!(format!("{}__manifest", app.name), manifest);
    }
}
