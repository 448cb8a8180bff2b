//! Overrides as build.rs applies them: after every construct is synthesized, on the
//! resources the declaration created; and what only the whole app shows (a target this
//! configuration does not create, handles in values, `DependsOn` across stacks).

use serde_json::{json, Value};
use sparkform_build::app::{synthesize_sources, Synthesis};
use sparkform_build::model::Context;

fn synth_in(ctx: Context, source: &str) -> Synthesis {
    synthesize_sources(&ctx, &[("src/main.rs".into(), source.into())])
}

fn synth(source: &str) -> Synthesis {
    synth_in(
        Context {
            crate_name: "ovr".into(),
            ..Context::default()
        },
        source,
    )
}

fn template(s: &Synthesis, stack: &str) -> Value {
    serde_json::from_str(&s.assembly.templates[&format!("{stack}.template.json")]).unwrap()
}

fn errors(s: &Synthesis) -> Vec<String> {
    assert!(s.macro_errors.is_empty(), "{:?}", s.macro_errors);
    s.app_errors.iter().map(|e| e.to_string()).collect()
}

const TOPIC: &str =
    r#"cfn_resource!(pub ALERTS { type: "AWS::SNS::Topic", properties: { KmsMasterKeyId: "alias/aws/sns" } });"#;

#[test]
fn overrides_set_delete_and_reference_after_synthesis() {
    let s = synth(&format!(
        r#"{TOPIC}
spark_serverless_runtime!(pub RT {{
    name: "rt",
    execution_role: {{ managed_policy_arns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"] }},
    overrides: {{
        Application: {{
            "Properties.MonitoringConfiguration.S3MonitoringConfiguration.LogUri": "s3://logs/spark/",
            "Properties.Tags": delete,
            DependsOn: [ALERTS],
        }},
        ExecutionRole: {{ "Properties.MaxSessionDuration": 7200, "Properties.Description": "${{ALERTS.TopicName}} readers" }},
        PrivateSubnet2: {{ "Properties.MapPublicIpOnLaunch": false }},
        FlowLogGroup: {{ "Metadata.note\\.text": "kept" }},
    }},
}});"#
    ));
    assert!(errors(&s).is_empty(), "{:?}", errors(&s));
    let t = template(&s, "ovr");
    let app = &t["Resources"]["RtApplication"];
    assert_eq!(
        app["Properties"]["MonitoringConfiguration"]["S3MonitoringConfiguration"]["LogUri"],
        "s3://logs/spark/"
    );
    assert!(app["Properties"].get("Tags").is_none(), "{app}");
    assert_eq!(app["DependsOn"], json!(["Alerts"]));
    let role = &t["Resources"]["RtExecutionRole"]["Properties"];
    assert_eq!(role["MaxSessionDuration"], 7200);
    assert_eq!(
        role["Description"],
        json!({ "Fn::Sub": ["${ALERTSTopicName} readers", { "ALERTSTopicName": { "Fn::GetAtt": ["Alerts", "TopicName"] } }] })
    );
    assert_eq!(
        t["Resources"]["RtPrivateSubnet2"]["Properties"]["MapPublicIpOnLaunch"],
        false
    );
    assert_eq!(t["Resources"]["RtFlowLogGroup"]["Metadata"]["note.text"], "kept");
}

#[test]
fn a_target_this_configuration_does_not_create_is_one_error_at_its_token() {
    let s = synth(
        r#"spark_serverless_runtime!(pub RT {
    name: "rt",
    network: { subnet_ids: ["subnet-0123456789abcdef0"], security_group_ids: ["sg-0123456789abcdef0"] },
    overrides: { FlowLog: { "Properties.MaxAggregationInterval": 60 } },
});"#,
    );
    let e = errors(&s);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].starts_with("src/main.rs:4:18: "), "{e:?}");
    assert!(
        e[0].contains("`RT` creates no `FlowLog` with this configuration. It creates: Application"),
        "{e:?}"
    );
    assert!(s.assembly.templates.is_empty(), "no templates behind an error");
}

#[test]
fn a_numbered_target_beyond_the_zones_is_not_created() {
    let s = synth(
        r#"spark_serverless_runtime!(pub RT {
    name: "rt",
    vpc: { max_azs: 2 },
    overrides: { PrivateSubnet3: { "Properties.MapPublicIpOnLaunch": false } },
});"#,
    );
    let e = errors(&s);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].contains("`RT` creates no `PrivateSubnet3` with this configuration; did you mean `PrivateSubnet1`? It creates: Vpc, "),
        "{e:?}"
    );
}

#[test]
fn values_naming_missing_handles_or_attributes_are_errors() {
    let s = synth(
        r#"spark_serverless_runtime!(pub RT {
    name: "rt",
    overrides: { Application: { "Properties.Name": "${NOPE.TopicName}", DependsOn: [ALERT] } },
});"#,
    );
    let e = errors(&s);
    assert_eq!(e.len(), 2, "{e:?}");
    assert!(
        e[0].contains("`NOPE` is not a construct declared in this crate"),
        "{e:?}"
    );
    assert!(
        e[1].contains("`ALERT` is not a construct declared in this crate"),
        "{e:?}"
    );
    let s = synth(&format!(
        r#"{TOPIC}
spark_serverless_runtime!(pub RT {{ name: "rt", overrides: {{ Application: {{ "Properties.Name": ALERTS.TopicNam }} }} }});"#
    ));
    let e = errors(&s);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].starts_with("src/main.rs:2:")
            && e[0].contains("`ALERTS` has no attribute `TopicNam`; did you mean `TopicName`?"),
        "{e:?}"
    );
}

#[test]
fn depends_on_another_stack_or_a_missing_id_is_refused() {
    let s = synth(&format!(
        r#"{TOPIC}
spark_serverless_runtime!(pub RT {{ name: "rt", stack: "platform", overrides: {{ Application: {{ DependsOn: [ALERTS] }} }} }});"#
    ));
    let e = errors(&s);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].contains("`ALERTS` is in stack `ovr`, and `DependsOn` orders resources of one stack (`platform`)"),
        "{e:?}"
    );
    let s = synth(
        r#"spark_serverless_runtime!(pub RT { name: "rt", overrides: { Application: { DependsOn: ["RtVcp"] } } });"#,
    );
    let e = errors(&s);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].contains("`DependsOn` names `RtVcp`, which is not a resource of stack `ovr`; did you mean `RtVpc`?"),
        "{e:?}"
    );
}

#[test]
fn overriding_a_data_resource_into_deletion_needs_the_opt_in() {
    let source = r#"spark_job!(pub JOB {
    name: "j",
    application_id: "00fabcdef1234567",
    execution_role: "arn:aws:iam::123456789012:role/r",
    entry_point: "s3://b/j.py",
    overrides: { LogBucket: { DeletionPolicy: "Delete" }, StateMachineLogs: { UpdateReplacePolicy: delete } },
});"#;
    let s = synth(source);
    let text: Vec<String> = s.macro_errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(text.len(), 2, "{text:?}");
    assert!(
        text[0].contains("this override lets CloudFormation delete the AWS::S3::Bucket `LogBucket`"),
        "{text:?}"
    );
    let opted = synth_in(
        Context {
            crate_name: "ovr".into(),
            remove_data_on_destroy: true,
            ..Context::default()
        },
        source,
    );
    assert!(errors(&opted).is_empty());
    let t = template(&opted, "ovr");
    assert_eq!(t["Resources"]["JobLogBucket"]["DeletionPolicy"], "Delete");
    assert!(t["Resources"]["JobStateMachineLogs"]
        .get("UpdateReplacePolicy")
        .is_none());
}
