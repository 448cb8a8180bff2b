//! A construct is one row of the table plus its own code: this toy `alert_topic!` (an SNS
//! topic that a Spark runtime's failures could go to) is added here, in a test, without
//! touching the compiler, and goes through the whole pipeline: found in the sources,
//! checked with did-you-mean, its reference resolved through the handle index, synthesized
//! next to the real constructs, described in the manifest, and expanded to a handle.

use proc_macro2::TokenStream;
use quote::quote;
use serde_json::json;
use sparkform_build::app::synthesize_with;
use sparkform_build::constructs::{
    serverless_runtime::{self, ServerlessRuntime},
    Construct, ConstructDef, Index, ManifestParts, Reference, TABLE,
};
use sparkform_build::diag::Diags;
use sparkform_build::model::{Context, Handle};
use sparkform_build::reader::Fields;
use sparkform_build::synth::{r#ref, Linker};
use sparkform_build::value::{Declaration, PathValue, ValueKind};

#[derive(Debug)]
struct AlertTopic {
    handle: Handle,
    display_name: String,
    runtime: PathValue,
}

static TOY: ConstructDef = ConstructDef {
    macro_name: "alert_topic",
    what: "alert_topic!",
    handle_type: "AlertTopic",
    fields: &["stack", "outputs", "exports", "display_name", "runtime"],
    attributes: &[],
    targets: &[],
    example: r#"pub ALERTS { display_name: "Spark alerts", runtime: RUNTIME }"#,
    check: |decl, ctx, diags| check(decl, ctx, diags).map(|t| Box::new(t) as Box<dyn Construct>),
};

fn check(decl: &Declaration, ctx: &Context, diags: &mut Diags) -> Option<AlertTopic> {
    let mut f = Fields::top(&decl.body, &TOY, diags);
    let handle = Handle::read(decl, &mut f, ctx, diags);
    let display_name = f
        .require("display_name", diags, "\"Spark alerts\"")
        .and_then(|v| v.string(diags));
    let runtime = match f.require("runtime", diags, "RUNTIME").map(|v| &v.kind) {
        Some(ValueKind::Path(p)) => Some(p.clone()),
        _ => None,
    };
    // Every field is read before `finish`, so unknown ones are reported whatever else failed.
    f.finish(diags);
    Some(AlertTopic {
        handle,
        display_name: display_name?.value,
        runtime: runtime?,
    })
}

const RUNTIME: &[&str] = &["spark_serverless_runtime"];

impl Construct for AlertTopic {
    fn def(&self) -> &'static ConstructDef {
        &TOY
    }
    fn handle(&self) -> &Handle {
        &self.handle
    }
    fn references(&self) -> Vec<Reference<'_>> {
        vec![Reference {
            field: "runtime",
            path: &self.runtime,
            accepts: RUNTIME,
        }]
    }
    fn synth(&self, index: &Index, link: &mut Linker) {
        let runtime: &ServerlessRuntime = index.get(&self.runtime).expect("checked by the index");
        let app = serverless_runtime::ids(runtime).application;
        let t = link.template(&self.handle.stack);
        t.resource(
            &self.handle.id("Topic"),
            "AWS::SNS::Topic",
            json!({ "DisplayName": self.display_name, "Tags": [{ "Key": "application", "Value": r#ref(&app) }] }),
        );
    }
    fn manifest(&self, _index: &Index, _parts: &mut ManifestParts) {}
    fn expand(&self, decl: &Declaration) -> TokenStream {
        let name = &decl.name;
        quote!(static #name: &str = "alert topic";)
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

fn table() -> Vec<&'static ConstructDef> {
    let mut t = TABLE.to_vec();
    t.push(&TOY);
    t
}

fn app(source: &str) -> sparkform_build::app::Synthesis {
    let ctx = Context {
        crate_name: "toy".into(),
        ..Context::default()
    };
    synthesize_with(&table(), &ctx, &[("src/main.rs".into(), source.into())])
}

#[test]
fn a_new_row_goes_through_the_whole_pipeline() {
    let s = app(&format!(
        "spark_serverless_runtime!({});\nalert_topic!({});",
        serverless_runtime::DEF.example,
        TOY.example
    ));
    assert!(
        s.macro_errors.is_empty() && s.app_errors.is_empty(),
        "{:?} {:?}",
        s.macro_errors,
        s.app_errors
    );
    let template = &s.assembly.templates["toy.template.json"];
    let t: serde_json::Value = serde_json::from_str(template).unwrap();
    assert_eq!(t["Resources"]["AlertsTopic"]["Type"], "AWS::SNS::Topic");
    assert_eq!(
        t["Resources"]["AlertsTopic"]["Properties"]["Tags"][0]["Value"],
        json!({ "Ref": "RuntimeApplication" })
    );
    let kinds: Vec<&str> = s.assembly.manifest.stacks[0]
        .constructs
        .iter()
        .map(|c| c.kind.as_str())
        .collect();
    assert_eq!(kinds, ["spark_serverless_runtime", "alert_topic"]);
}

#[test]
fn the_row_gives_did_you_mean_and_references_resolve_by_kind() {
    let s = app("alert_topic!(pub A { display_nme: \"x\", runtime: RUNTIME });");
    let text = format!("{:?}", s.macro_errors);
    assert!(text.contains("did you mean `display_name`?"), "{text}");
    // A runtime with an error of its own: only that error, from its macro; the reference
    // to it says nothing, and the topic is not synthesized.
    let s = app("spark_serverless_runtime!(pub RUNTIME { name: \"r\", architecture: ARM46 });\nalert_topic!(pub A { display_name: \"x\", runtime: RUNTIME });");
    assert!(s.app_errors.is_empty(), "{:?}", s.app_errors);
    assert_eq!(s.macro_errors.len(), 1, "{:?}", s.macro_errors);
    assert!(s.macro_errors[0].message.contains("did you mean `ARM64`?"));
    assert!(s.build_errors().is_empty(), "build.rs lets rustc report it");
    // A handle of another kind is the app's error, at the reference, broken or not.
    let s = app("pyspark_package!(pub P { name: \"p\", entrypoint: \"x.py\" });\nalert_topic!(pub A { display_name: \"x\", runtime: P });");
    let errors: Vec<String> = s.app_errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(
        errors,
        ["src/main.rs:2:50: `P` is a pyspark_package!, and `runtime` takes a spark_serverless_runtime!"]
    );
    assert_eq!(
        s.build_errors().len(),
        2,
        "and the package's own error, which rustc will not get to"
    );
    let s = app("alert_topic!(pub A { display_name: \"x\", runtime: MISSING });");
    assert_eq!(s.app_errors.len(), 1);
    assert_eq!(
        s.app_errors[0].to_string(),
        "src/main.rs:1:50: `MISSING` (in `runtime`) is not a spark_serverless_runtime! declared in this crate"
    );
}

/// Every row lists exactly the fields its checker reads: a listed field is never "unknown",
/// and a field read but not listed is reported (so "did you mean" can always suggest it).
#[test]
fn every_row_lists_the_fields_its_checker_reads() {
    for def in TABLE {
        for field in def.fields {
            let text = format!("pub X {{ {field}: 0 }}");
            let errors =
                match sparkform_build::constructs::parse_and_check(def, text.parse().unwrap(), &Context::default()) {
                    Ok(_) => Vec::new(),
                    Err(e) => e.iter().map(|e| e.to_string()).collect(),
                };
            assert!(
                !errors
                    .iter()
                    .any(|e| e.contains(&format!("unknown field `{field}`")) || e.contains("sparkform bug")),
                "{}: {field}: {errors:?}",
                def.what
            );
        }
        let body = def.example.replacen('{', "{ zzz_unknown: 0,", 1);
        let errors = sparkform_build::constructs::parse_and_check(def, body.parse().unwrap(), &Context::default())
            .err()
            .unwrap_or_default();
        let all: String = errors.iter().map(|e| e.to_string()).collect();
        assert!(!all.contains("sparkform bug"), "{}: {all}", def.what);
        assert!(
            all.contains(&format!("the fields are: {}", def.fields.join(", "))),
            "{}: {all}",
            def.what
        );
    }
}
