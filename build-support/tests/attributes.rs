//! Attributes as stack outputs, published under stable export names, and imported by
//! sparkform's own stacks under those same names.

use serde_json::{json, Value};
use sparkform_build::app::synthesize_sources;
use sparkform_build::model::Context;

fn synth(source: &str) -> sparkform_build::app::Synthesis {
    let ctx = Context {
        crate_name: "attrs".into(),
        ..Context::default()
    };
    synthesize_sources(&ctx, &[("src/main.rs".into(), source.into())])
}

fn template(s: &sparkform_build::app::Synthesis, stack: &str) -> Value {
    serde_json::from_str(&s.assembly.templates[&format!("{stack}.template.json")]).unwrap()
}

const RUNTIME: &str = r#"spark_serverless_runtime!(pub PLATFORM {
    name: "p", stack: "platform",
    execution_role: { managed_policy_arns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"] },
    exports: { application_id: "team-spark-app" },
    outputs: [vpc_id],
});"#;

#[test]
fn exports_use_the_chosen_names_and_imports_follow_them() {
    let s = synth(&format!(
        "{RUNTIME}\nspark_job!(pub J {{ name: \"j\", stack: \"jobs\", runtime: PLATFORM, entry_point: \"s3://b/j.py\" }});"
    ));
    assert!(
        s.app_errors.is_empty() && s.macro_errors.is_empty(),
        "{:?} {:?}",
        s.app_errors,
        s.macro_errors
    );
    let platform = template(&s, "platform");
    let outputs = &platform["Outputs"];
    assert_eq!(
        outputs["PlatformApplicationId"]["Export"],
        json!({ "Name": "team-spark-app" })
    );
    assert_eq!(
        outputs["PlatformVpcId"]["Export"],
        json!({ "Name": "platform-PlatformVpcId" })
    );
    assert_eq!(outputs["PlatformVpcId"]["Value"], json!({ "Ref": "PlatformVpc" }));
    // Every attribute is an output, exported or not.
    for id in [
        "PlatformSecurityGroupId",
        "PlatformS3EndpointId",
        "PlatformFlowLogGroupName",
        "PlatformExecutionRoleArn",
    ] {
        assert!(outputs.get(id).is_some(), "{id}");
    }
    assert!(outputs["PlatformSecurityGroupId"].get("Export").is_none());
    // The job's stack imports the application id under the user's export name.
    let jobs = serde_json::to_string(&template(&s, "jobs")).unwrap();
    assert!(jobs.contains(r#"{"Fn::ImportValue":"team-spark-app"}"#), "{jobs}");
    assert_eq!(s.assembly.manifest.stack("jobs").unwrap().depends_on, ["platform"]);
}

#[test]
fn unknown_attributes_and_duplicate_export_names_are_errors() {
    let s = synth(r#"spark_serverless_runtime!(pub P { name: "p", outputs: [vpc_idd] });"#);
    let text = format!("{:?}", s.macro_errors);
    assert!(
        text.contains("`vpc_idd` is not an attribute of this construct; did you mean `vpc_id`?"),
        "{text}"
    );
    let s = synth(
        r#"spark_serverless_runtime!(pub P { name: "p", exports: { vpc_id: "same" } });
           spark_serverless_runtime!(pub Q { name: "q", exports: { vpc_id: "same" } });"#,
    );
    let errors: Vec<String> = s.app_errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].contains("the export name `same` is used by `P.vpc_id` and `Q.vpc_id`"),
        "{errors:?}"
    );
    let s = synth(r#"spark_serverless_runtime!(pub P { name: "p", exports: { vpc_id: "bad name" } });"#);
    assert!(format!("{:?}", s.macro_errors).contains("`bad name` is not a valid export name"));
}

#[test]
fn modes_and_retry_policies_need_emr_7_1_on_the_runtime() {
    let s = synth(
        r#"spark_serverless_runtime!(pub OLD { name: "old", release_label: "emr-6.15.0",
               execution_role: { managed_policy_arns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"] } });
           spark_job!(pub J { name: "j", runtime: OLD, entry_point: "s3://b/j.py", mode: streaming });"#,
    );
    let errors: Vec<String> = s.app_errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(
        errors,
        ["src/main.rs:3:90: streaming jobs need EMR 7.1.0 or later, and `OLD` runs emr-6.15.0: set its `release_label` to emr-7.1.0 or later"]
    );
}

#[test]
fn a_job_cannot_borrow_the_own_role_of_another_runtime() {
    let s = synth(
        r#"spark_serverless_runtime!(pub A { name: "a", execution_role: { managed_policy_arns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"] } });
spark_serverless_runtime!(pub B { name: "b", execution_role: { managed_policy_arns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"] } });
spark_job!(pub J { name: "j", runtime: A, execution_role: B, entry_point: "s3://b/j.py" });"#,
    );
    let errors: Vec<String> = s.app_errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with("src/main.rs:3:59: the execution role of `B` can be assumed only by its own application, and job `J` runs on `A`"),
        "{errors:?}"
    );
    // With one execution_role! on both, it works, and the role trusts both applications.
    let s = synth(
        r#"execution_role!(pub R { managed_policy_arns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"] });
spark_serverless_runtime!(pub A { name: "a", execution_role: R });
spark_serverless_runtime!(pub B { name: "b", execution_role: R });
spark_job!(pub J { name: "j", runtime: A, execution_role: B, entry_point: "s3://b/j.py" });"#,
    );
    assert!(
        s.app_errors.is_empty() && s.macro_errors.is_empty(),
        "{:?} {:?}",
        s.app_errors,
        s.macro_errors
    );
    let t = template(&s, "attrs");
    let trust = &t["Resources"]["R"]["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Condition"]["ArnLike"]
        ["aws:SourceArn"];
    assert_eq!(
        trust,
        &json!([{ "Fn::GetAtt": ["AApplication", "Arn"] }, { "Fn::GetAtt": ["BApplication", "Arn"] }])
    );
    let job = serde_json::to_string(&t["Resources"]["JExecutionRoleGrants"]).unwrap();
    assert!(job.contains(r#""Roles":[{"Ref":"R"}]"#), "{job}");
}
