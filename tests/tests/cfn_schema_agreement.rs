//! sparkform's schema checker (`checks::cfn_schema`) and cfn-lint must agree: every
//! resource the checker accepts lints clean (no error, no warning), and every one it rejects
//! is an error for cfn-lint too, by the rule that covers the same problem. The one place the
//! checker is knowingly stricter is listed as such, and asserted, so a cfn-lint upgrade
//! that changes it is noticed. The property
//! trees are written in the DSL, checked, then turned into a template the way a raw
//! resource would be synthesized (references become `Ref` / `Fn::GetAtt` / `Fn::Sub`).

use serde_json::{json, Map, Value as Json};
use sparkform_build::checks::cfn_schema::{lookup, sub_refs, Checker, RefProblem, References};
use sparkform_build::diag::Diags;
use sparkform_build::value::{parse_value, Object, Value, ValueKind};
use std::process::Command;
use syn::parse::Parser;

/// The handles every template has: a topic and a queue, so references resolve.
const HANDLES: &[(&str, &str, &str)] = &[
    ("ALERTS", "Alerts", "AWS::SNS::Topic"),
    ("QUEUE", "Queue", "AWS::SQS::Queue"),
];

struct Handles;

impl References for Handles {
    fn check(&self, handle: &str, attr: Option<&str>) -> Result<(), RefProblem> {
        let Some((_, _, ty)) = HANDLES.iter().find(|(h, ..)| *h == handle) else {
            return Err(RefProblem::UnknownHandle((
                format!("no handle `{handle}`"),
                String::new(),
            )));
        };
        match attr {
            None => Ok(()),
            Some(a) => lookup(ty)
                .unwrap()
                .check_attribute(a)
                .map_err(RefProblem::UnknownAttribute),
        }
    }
}

fn logical(handle: &str) -> &'static str {
    HANDLES
        .iter()
        .find(|(h, ..)| *h == handle)
        .map(|(_, l, _)| *l)
        .unwrap_or("Unknown")
}

/// The value as CloudFormation JSON (the raw-resource synthesis the lead's macro will do).
fn to_json(v: &Value) -> Json {
    match &v.kind {
        ValueKind::Str(s) if !sub_refs(s).is_empty() => {
            let mut out = s.clone();
            for r in sub_refs(s) {
                let from = match r.attr {
                    Some(a) => format!("${{{}.{a}}}", r.handle),
                    None => format!("${{{}}}", r.handle),
                };
                let to = match r.attr {
                    Some(a) => format!("${{{}.{a}}}", logical(r.handle)),
                    None => format!("${{{}}}", logical(r.handle)),
                };
                out = out.replace(&from, &to);
            }
            json!({ "Fn::Sub": out })
        }
        ValueKind::Str(s) if s.contains("${") => json!({ "Fn::Sub": s }),
        ValueKind::Str(s) => json!(s),
        ValueKind::Int(n) => json!(*n as i64),
        ValueKind::Float(x) => json!(x),
        ValueKind::Bool(b) => json!(b),
        ValueKind::Path(p) => match p.attribute() {
            Some((attr, _)) => json!({ "Fn::GetAtt": [logical(&p.text), attr] }),
            None => json!({ "Ref": logical(&p.text) }),
        },
        ValueKind::List(items) => Json::Array(items.iter().map(to_json).collect()),
        ValueKind::Object(o) => Json::Object(obj_json(o)),
        ValueKind::Call(_) => Json::Null,
    }
}

fn obj_json(o: &Object) -> Map<String, Json> {
    o.entries.iter().map(|e| (e.key.clone(), to_json(&e.value))).collect()
}

fn parse(src: &str) -> Value {
    parse_value.parse_str(src).unwrap_or_else(|e| panic!("{src}: {e}"))
}

/// Sets `value` at an override path, as CloudFormation's CDK `addOverride` would.
fn apply_override(resource: &mut Json, path: &str, value: Json) {
    let segs: Vec<&str> = path.split('.').collect();
    let mut node = resource;
    for (i, seg) in segs.iter().enumerate() {
        let last = i + 1 == segs.len();
        node = match (seg.parse::<usize>(), node) {
            (Ok(n), Json::Array(items)) => {
                while items.len() <= n {
                    items.push(json!({}));
                }
                &mut items[n]
            }
            (_, node) => {
                if !node.is_object() {
                    *node = json!({});
                }
                node.as_object_mut()
                    .unwrap()
                    .entry(seg.to_string())
                    .or_insert(json!({}))
            }
        };
        if last {
            *node = value.clone();
        }
    }
}

struct Case {
    name: &'static str,
    ty: &'static str,
    props: String,
    /// An override applied after the properties: path and value.
    over: Option<(&'static str, &'static str)>,
    expect: Expect,
}

#[derive(Clone, Copy, Debug)]
enum Expect {
    /// Accepted by both: no cfn-lint finding at all.
    Clean,
    /// Rejected by both, cfn-lint by this rule.
    Error(&'static str),
    /// Rejected by the checker only, for the reason given.
    Stricter(&'static str),
}

fn ok(name: &'static str, ty: &'static str, props: &str) -> Case {
    Case {
        name,
        ty,
        props: props.into(),
        over: None,
        expect: Expect::Clean,
    }
}

fn bad(name: &'static str, ty: &'static str, props: &str, rule: &'static str) -> Case {
    Case {
        name,
        ty,
        props: props.into(),
        over: None,
        expect: Expect::Error(rule),
    }
}

const EMR_APP: &str = r#"{ Name: "nightly", ReleaseLabel: "emr-7.0.0", Type: "Spark" }"#;

fn cases() -> Vec<Case> {
    let mut v = vec![
        ok(
            "topic",
            "AWS::SNS::Topic",
            r#"{ TopicName: "alerts-topic", DisplayName: 5, FifoTopic: "false", MaximumMessageSize: "2048",
                 KmsMasterKeyId: "alias/aws/sns",
                 DeliveryStatusLogging: [{ Protocol: "sqs", SuccessFeedbackRoleArn: "arn:aws:iam::123456789012:role/log",
                                           SuccessFeedbackSampleRate: "50" }],
                 Tags: [{ Key: "team", Value: "data" }] }"#,
        ),
        ok(
            "emr_application",
            "AWS::EMRServerless::Application",
            r#"{ Name: "nightly", ReleaseLabel: "emr-7.0.0", Type: "Spark", Architecture: "ARM64",
                 AutoStartConfiguration: { Enabled: true },
                 AutoStopConfiguration: { Enabled: true, IdleTimeoutMinutes: 15 },
                 MaximumCapacity: { Cpu: "8 vCPU", Memory: "32 GB" },
                 MonitoringConfiguration: { S3MonitoringConfiguration: { LogUri: "s3://logs-bucket/emr/" } },
                 Tags: [{ Key: "team", Value: "data" }] }"#,
        ),
        ok(
            "subscription_with_refs",
            "AWS::SNS::Subscription",
            r#"{ TopicArn: ALERTS, Protocol: "sqs", Endpoint: QUEUE.Arn, RawMessageDelivery: true }"#,
        ),
        ok(
            "alarm",
            "AWS::CloudWatch::Alarm",
            r#"{ AlarmActions: [ALERTS], ComparisonOperator: "GreaterThanThreshold", EvaluationPeriods: 1,
                 MetricName: "ApproximateNumberOfMessagesVisible", Namespace: "AWS/SQS", Period: 300,
                 Statistic: "Maximum", Threshold: 100.5,
                 Dimensions: [{ Name: "QueueName", Value: QUEUE.QueueName }] }"#,
        ),
        ok(
            "log_group",
            "AWS::Logs::LogGroup",
            r#"{ LogGroupName: "/sparkform/${ALERTS.TopicName}", RetentionInDays: 30 }"#,
        ),
        ok(
            "queue_policy_json",
            "AWS::SQS::QueuePolicy",
            r#"{ Queues: [QUEUE], PolicyDocument: { Version: "2012-10-17", Statement: [{
                 Effect: "Allow", Principal: { Service: "sns.amazonaws.com" }, Action: "sqs:SendMessage",
                 Resource: QUEUE.Arn, Condition: { ArnEquals: { "aws:SourceArn": ALERTS } } }] } }"#,
        ),
        ok(
            "custom_resource",
            "Custom::Seeder",
            r#"{ ServiceToken: "arn:aws:lambda:us-east-1:123456789012:function:seed", Rows: [1, 2] }"#,
        ),
        Case {
            over: Some((
                "Properties.MonitoringConfiguration.S3MonitoringConfiguration.LogUri",
                r#""s3://logs-bucket/x/""#,
            )),
            ..ok("override_ok", "AWS::EMRServerless::Application", EMR_APP)
        },
        bad("unknown_property", "AWS::SNS::Topic", r#"{ Topicname: "x" }"#, "E3002"),
        bad(
            "missing_required",
            "AWS::EMRServerless::Application",
            r#"{ Name: "n", Type: "Spark" }"#,
            "E3003",
        ),
        bad(
            "missing_nested_required",
            "AWS::SNS::Topic",
            r#"{ Subscription: [{ Endpoint: "ops@example.com" }] }"#,
            "E3003",
        ),
        bad("wrong_boolean", "AWS::SNS::Topic", r#"{ FifoTopic: "yes" }"#, "E3012"),
        bad(
            "wrong_integer",
            "AWS::SNS::Topic",
            r#"{ MaximumMessageSize: "big" }"#,
            "E3012",
        ),
        bad("wrong_list", "AWS::SNS::Topic", r#"{ Tags: "team" }"#, "E3012"),
        bad(
            "wrong_object",
            "AWS::SNS::Topic",
            r#"{ DisplayName: { a: "b" } }"#,
            "E3012",
        ),
        bad(
            "enum_string",
            "AWS::SNS::Topic",
            r#"{ DeliveryStatusLogging: [{ Protocol: "SQS" }] }"#,
            "E3030",
        ),
        bad(
            "enum_integer",
            "AWS::Logs::LogGroup",
            r#"{ RetentionInDays: 31 }"#,
            "E3030",
        ),
        bad(
            "pattern",
            "AWS::EMRServerless::Application",
            r#"{ Name: "has spaces", ReleaseLabel: "emr-7.0.0", Type: "Spark" }"#,
            "E3031",
        ),
        bad("range", "AWS::SNS::Topic", r#"{ MaximumMessageSize: 10 }"#, "E3034"),
        Case {
            // CloudFormation ignores a read-only property (the value never reaches the
            // resource: drift); cfn-lint 1.58's E3040 describes this but is only reached for
            // some intrinsic functions, and says nothing here.
            expect: Expect::Stricter("read-only properties are refused"),
            ..ok(
                "read_only",
                "AWS::SNS::Topic",
                r#"{ TopicArn: "arn:aws:sns:us-east-1:123456789012:x" }"#,
            )
        },
        bad(
            "unknown_attribute",
            "AWS::SNS::Subscription",
            r#"{ TopicArn: ALERTS.TopicArnn, Protocol: "sqs", Endpoint: QUEUE.Arn }"#,
            "E1010",
        ),
        bad(
            "unknown_attribute_in_sub",
            "AWS::Logs::LogGroup",
            r#"{ LogGroupName: "/x/${ALERTS.TopicNam}" }"#,
            "E1019",
        ),
        Case {
            over: Some((
                "Properties.MonitoringConfiguration.S3MonitoringConfig.LogUri",
                r#""s3://logs-bucket/x/""#,
            )),
            ..bad(
                "override_unknown_path",
                "AWS::EMRServerless::Application",
                EMR_APP,
                "E3002",
            )
        },
        Case {
            over: Some(("DeletionPolicy", r#""Retian""#)),
            ..bad(
                "override_deletion_policy",
                "AWS::EMRServerless::Application",
                EMR_APP,
                "E3035",
            )
        },
        bad("unknown_type", "AWS::SNS::Topics", "{}", "E3006"),
    ];
    v.push(bad(
        "length",
        "AWS::SNS::Topic",
        &format!(r#"{{ TopicName: "{}" }}"#, "a".repeat(300)),
        "E3033",
    ));
    v
}

/// The checker's errors for one case.
fn sparkform_errors(c: &Case) -> Vec<String> {
    let mut diags = Diags::default();
    let ty = match lookup(c.ty) {
        Ok(t) => t,
        Err((m, _)) => return vec![m],
    };
    let checker = Checker {
        ty,
        handle: "SUBJECT",
        refs: &Handles,
    };
    let props = parse(&c.props);
    let ValueKind::Object(o) = &props.kind else {
        panic!("{}: properties are an object", c.name)
    };
    checker.check_properties(o, &mut diags);
    if let Some((path, val)) = c.over {
        let span = proc_macro2::Span::call_site();
        checker.check_override(path, span, Some(&parse(val)), &mut diags);
    }
    diags.into_errors().into_iter().map(|e| e.to_string()).collect()
}

fn template(c: &Case) -> Json {
    let props = parse(&c.props);
    let ValueKind::Object(o) = &props.kind else {
        unreachable!()
    };
    let mut subject = json!({ "Type": c.ty, "Properties": Json::Object(obj_json(o)) });
    if let Some((path, val)) = c.over {
        apply_override(&mut subject, path, to_json(&parse(val)));
    }
    let mut resources = Map::new();
    for (_, logical, ty) in HANDLES {
        resources.insert(logical.to_string(), json!({ "Type": ty }));
    }
    resources.insert("Subject".into(), subject);
    json!({ "AWSTemplateFormatVersion": "2010-09-09", "Resources": resources })
}

#[test]
fn checker_and_cfn_lint_agree() {
    let dir = std::env::temp_dir().join(format!("sparkform-cfn-schema-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cases = cases();
    let mut files = Vec::new();
    for c in &cases {
        let errors = sparkform_errors(c);
        match c.expect {
            Expect::Clean => assert!(errors.is_empty(), "{}: the checker rejects it: {errors:#?}", c.name),
            Expect::Error(rule) => assert!(!errors.is_empty(), "{}: the checker accepts it ({rule})", c.name),
            Expect::Stricter(why) => assert!(!errors.is_empty(), "{}: the checker accepts it, but {why}", c.name),
        }
        let path = dir.join(format!("{}.json", c.name));
        std::fs::write(&path, serde_json::to_string_pretty(&template(c)).unwrap()).unwrap();
        files.push(path);
    }
    let out = Command::new(sparkform_tests::services()["CFN_LINT"].clone())
        .args(["--format", "json"])
        .args(&files)
        .output()
        .expect("cfn-lint runs (scripts/test-services start installs it)");
    let findings: Vec<Json> = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "cfn-lint output is JSON ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let mut disagreements = Vec::new();
    for c in &cases {
        let file = format!("{}.json", c.name);
        let mine: Vec<(&str, &str, &str)> = findings
            .iter()
            .filter(|f| {
                let name = f["Filename"].as_str().map(std::path::Path::new);
                name.and_then(|n| n.file_name()).is_some_and(|n| n == file.as_str())
            })
            .map(|f| {
                (
                    f["Rule"]["Id"].as_str().unwrap_or(""),
                    f["Level"].as_str().unwrap_or(""),
                    f["Message"].as_str().unwrap_or(""),
                )
            })
            .collect();
        let agree = match c.expect {
            Expect::Clean | Expect::Stricter(_) => mine.is_empty(),
            Expect::Error(rule) => mine.iter().any(|(id, level, _)| *id == rule && *level == "Error"),
        };
        if !agree {
            disagreements.push(format!(
                "{} (expected {:?} from cfn-lint): cfn-lint says {mine:#?}; sparkform says {:#?}",
                c.name,
                c.expect,
                sparkform_errors(c)
            ));
        }
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
    let _ = std::fs::remove_dir_all(&dir);
}
