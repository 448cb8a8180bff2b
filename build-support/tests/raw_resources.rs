//! `cfn_resource!` checks that need the whole app (build.rs): references to other handles'
//! attributes, `depends_on` across stacks, and the JSON the references become.

use serde_json::{json, Value};
use sparkform_build::app::synthesize_sources;
use sparkform_build::model::Context;

fn synth(source: &str) -> sparkform_build::app::Synthesis {
    let ctx = Context {
        crate_name: "raw".into(),
        ..Context::default()
    };
    synthesize_sources(&ctx, &[("src/main.rs".into(), source.into())])
}

fn app_errors(s: &sparkform_build::app::Synthesis) -> Vec<String> {
    assert!(s.macro_errors.is_empty(), "{:?}", s.macro_errors);
    s.app_errors.iter().map(|e| e.to_string()).collect()
}

const QUEUE: &str = r#"cfn_resource!(pub QUEUE { stack: "ops", type: "AWS::SQS::Queue", properties: { KmsMasterKeyId: "alias/aws/sqs" } });"#;

#[test]
fn an_unknown_attribute_of_another_handle_is_named_with_the_right_one() {
    let s = synth(&format!(
        r#"{QUEUE}
cfn_resource!(pub SUB {{ stack: "ops", type: "AWS::SNS::Subscription",
    properties: {{ TopicArn: "arn:aws:sns:eu-west-1:123456789012:t", Protocol: "sqs", Endpoint: QUEUE.Arm }} }});"#
    ));
    let errors = app_errors(&s);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].starts_with("src/main.rs:3:"), "{errors:?}");
    assert!(errors[0].contains("`Arm`") && errors[0].contains("`Arn`"), "{errors:?}");
}

#[test]
fn an_unknown_attribute_inside_a_sub_string_is_an_error_too() {
    let s = synth(&format!(
        r#"{QUEUE}
cfn_resource!(pub SUB {{ stack: "ops", type: "AWS::SNS::Subscription",
    properties: {{ TopicArn: "arn:aws:sns:eu-west-1:123456789012:t", Protocol: "sqs", Endpoint: "${{QUEUE.Arnn}}" }} }});"#
    ));
    let errors = app_errors(&s);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].contains("`Arnn`"), "{errors:?}");
}

#[test]
fn depends_on_another_stack_says_the_reference_already_orders_them() {
    let s = synth(&format!(
        r#"{QUEUE}
cfn_resource!(pub TOPIC {{ stack: "alerts", type: "AWS::SNS::Topic", properties: {{ KmsMasterKeyId: "alias/aws/sns" }}, depends_on: [QUEUE] }});"#
    ));
    let errors = app_errors(&s);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].contains("`QUEUE` is not a cfn_resource! of stack `alerts`"),
        "{errors:?}"
    );
}

#[test]
fn references_become_getatt_here_and_imports_elsewhere() {
    let s = synth(&format!(
        r#"{QUEUE}
cfn_resource!(pub TOPIC {{ stack: "alerts", type: "AWS::SNS::Topic",
    properties: {{ KmsMasterKeyId: "alias/aws/sns", DisplayName: "${{QUEUE.QueueName}} alerts" }} }});
cfn_resource!(pub SUB {{ stack: "ops", type: "AWS::SNS::Subscription",
    properties: {{ TopicArn: TOPIC, Protocol: "sqs", Endpoint: QUEUE.Arn }}, depends_on: [QUEUE] }});"#
    ));
    assert!(app_errors(&s).is_empty());
    let ops: Value = serde_json::from_str(&s.assembly.templates["ops.template.json"]).unwrap();
    let sub = &ops["Resources"]["Sub"];
    assert_eq!(sub["Properties"]["Endpoint"], json!({ "Fn::GetAtt": ["Queue", "Arn"] }));
    assert!(sub["Properties"]["TopicArn"]["Fn::ImportValue"].is_string(), "{sub}");
    // Implied by `QUEUE.Arn`: not repeated (cfn-lint W3005).
    assert!(sub.get("DependsOn").is_none(), "{sub}");
    // A queue holds messages: retained unless the crate opts in.
    assert_eq!(ops["Resources"]["Queue"]["DeletionPolicy"], "Retain");
    let alerts: Value = serde_json::from_str(&s.assembly.templates["alerts.template.json"]).unwrap();
    let name = &alerts["Resources"]["Topic"]["Properties"]["DisplayName"]["Fn::Sub"];
    assert_eq!(name[0], "${QUEUEQueueName} alerts", "{name}");
    assert!(name[1]["QUEUEQueueName"]["Fn::ImportValue"].is_string(), "{name}");
}
