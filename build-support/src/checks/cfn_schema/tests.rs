//! Each check, on real types from the catalog, with the message and the token it is
//! reported on.

use super::*;
use crate::value::{parse_value, Object, Value, ValueKind};
use syn::parse::Parser;

/// Handles the tests refer to: a raw SNS topic and a construct with two attributes.
struct TestHandles;

impl References for TestHandles {
    fn check(&self, handle: &str, attr: Option<&str>) -> Result<(), RefProblem> {
        match (handle, attr) {
            ("ALERTS", None) | ("SPARK_RUNTIME", None) => Ok(()),
            ("ALERTS", Some(a)) => lookup("AWS::SNS::Topic")
                .unwrap()
                .check_attribute(a)
                .map_err(RefProblem::UnknownAttribute),
            ("SPARK_RUNTIME", Some("application_arn" | "application_id")) => Ok(()),
            ("SPARK_RUNTIME", Some(a)) => Err(RefProblem::UnknownAttribute((
                format!("SPARK_RUNTIME has no attribute `{a}`"),
                "its attributes are: application_arn, application_id".into(),
            ))),
            (h, _) => Err(RefProblem::UnknownHandle((
                format!("no handle named `{h}`"),
                "declare it or import it".into(),
            ))),
        }
    }
}

fn value(src: &str) -> Value {
    parse_value.parse_str(src).expect("test source parses")
}

fn object(v: &Value) -> &Object {
    match &v.kind {
        ValueKind::Object(o) => o,
        _ => panic!("expected an object"),
    }
}

/// The errors for `props` on `ty`, each as (message, line, column).
fn check(ty: &str, props: &str) -> Vec<(String, usize, usize)> {
    let v = value(props);
    let mut diags = Diags::default();
    let checker = Checker {
        ty: lookup(ty).unwrap(),
        handle: "ALERTS",
        refs: &TestHandles,
    };
    checker.check_properties(object(&v), &mut diags);
    errors(diags)
}

fn errors(diags: Diags) -> Vec<(String, usize, usize)> {
    diags
        .into_errors()
        .into_iter()
        .map(|e| {
            let start = e.span().start();
            (e.to_string(), start.line, start.column)
        })
        .collect()
}

/// Line and column (as proc-macro2 counts them) of the first `needle` in `src`.
fn at(src: &str, needle: &str) -> (usize, usize) {
    let i = src.find(needle).expect("needle in source");
    let line = src[..i].matches('\n').count() + 1;
    let col = src[..i].rfind('\n').map_or(i, |nl| i - nl - 1);
    (line, col)
}

fn one(errors: &[(String, usize, usize)]) -> &(String, usize, usize) {
    assert_eq!(errors.len(), 1, "expected one error, got {errors:#?}");
    &errors[0]
}

#[test]
fn unknown_types_suggest_the_real_one() {
    let (m, h) = lookup("AWS::Sns::Topic").unwrap_err();
    assert!(m.contains("did you mean `AWS::SNS::Topic`?"), "{m}");
    assert!(h.contains("case-sensitive"), "{h}");
    let (m, _) = lookup("AWS::SNS::Topics").unwrap_err();
    assert!(m.contains("did you mean `AWS::SNS::Topic`?"), "{m}");
    let (m, h) = lookup("AWS::EMRServerless::Aplpication").unwrap_err();
    assert!(m.contains("`AWS::EMRServerless::Application`"), "{m} / {h}");
    let (m, h) = lookup("SNS Topic").unwrap_err();
    assert!(m.contains("not a CloudFormation resource type") && h.contains("AWS::Service::Resource"));
    let (_, h) = lookup("AWS::SNS::Zzzzzzzzzzzzzz").unwrap_err();
    assert!(h.contains("AWS::SNS::Topic"), "lists the service's types: {h}");
    assert_eq!(lookup("AWS::SNS::Topic").unwrap().name(), "AWS::SNS::Topic");
    assert_eq!(
        lookup("Custom::Seeder").unwrap().name(),
        "AWS::CloudFormation::CustomResource"
    );
}

#[test]
fn check_type_reports_on_the_token() {
    let v = value(r#""AWS::Sns::Topic""#);
    let mut diags = Diags::default();
    assert!(check_type("AWS::Sns::Topic", v.span, &mut diags).is_none());
    let e = errors(diags);
    assert!(one(&e).0.contains("help: resource types are case-sensitive"), "{e:?}");
}

#[test]
fn a_correct_resource_has_no_errors() {
    let src = r#"{
        TopicName: "alerts",
        DisplayName: 5,
        FifoTopic: "true",
        MaximumMessageSize: "2048",
        DeliveryStatusLogging: [{ Protocol: "sqs", SuccessFeedbackSampleRate: "50" }],
        Subscription: [{ Endpoint: "ops@example.com", Protocol: "email" }],
        Tags: [{ Key: "team", Value: "data" }],
        ArchivePolicy: { MessageRetentionPeriod: "30" },
    }"#;
    assert_eq!(check("AWS::SNS::Topic", src), vec![]);
}

#[test]
fn unknown_property_says_did_you_mean_and_lists() {
    let src = r#"{ Topicname: "alerts" }"#;
    let e = check("AWS::SNS::Topic", src);
    let (m, line, col) = one(&e);
    assert!(
        m.starts_with("unknown property `Topicname` in AWS::SNS::Topic; did you mean `TopicName`?"),
        "{m}"
    );
    assert!(m.contains("help: the properties are: ArchivePolicy, "), "{m}");
    assert!(!m.contains("TopicArn"), "read-only properties are not offered: {m}");
    assert_eq!((*line, *col), at(src, "Topicname"));
}

#[test]
fn nested_unknown_property_names_its_place() {
    let src = r#"{ DeliveryStatusLogging: [{ Protocol: "sqs", SuccessFeedbackRoleArm: "x" }] }"#;
    let e = check("AWS::SNS::Topic", src);
    let (m, ..) = one(&e);
    assert!(
        m.contains("in `DeliveryStatusLogging[0]` in AWS::SNS::Topic; did you mean `SuccessFeedbackRoleArn`?"),
        "{m}"
    );
}

#[test]
fn missing_required_is_reported_on_the_object() {
    let src = r#"{ Type: "Spark" }"#;
    let e = check("AWS::EMRServerless::Application", src);
    let (m, line, col) = one(&e);
    assert!(m.starts_with("AWS::EMRServerless::Application is missing the required property `ReleaseLabel`"));
    assert!(m.contains("help: add `ReleaseLabel: \"...\"`"), "{m}");
    assert_eq!((*line, *col), at(src, "{"));

    let src = r#"{ Subscription: [{ Endpoint: "ops@example.com" }] }"#;
    let e = check("AWS::SNS::Topic", src);
    let (m, line, col) = one(&e);
    assert!(
        m.starts_with("`Subscription[0]` in AWS::SNS::Topic is missing the required property `Protocol`"),
        "{m}"
    );
    assert_eq!((*line, *col), at(src, "{ Endpoint"));
}

#[test]
fn wrong_kinds_are_reported_on_the_value() {
    let src = r#"{ FifoTopic: "yes", MaximumMessageSize: "big", Tags: "team", DisplayName: { a: 1 } }"#;
    let e = check("AWS::SNS::Topic", src);
    assert_eq!(e.len(), 4, "{e:#?}");
    assert!(
        e[0].0
            .starts_with("`FifoTopic` expects `true` or `false`, found a string"),
        "{}",
        e[0].0
    );
    assert_eq!((e[0].1, e[0].2), at(src, "\"yes\""));
    assert!(e[1]
        .0
        .starts_with("`MaximumMessageSize` expects an integer, found a string"));
    assert!(
        e[2].0.starts_with("`Tags` expects a list of objects, found a string"),
        "{}",
        e[2].0
    );
    assert!(e[2].0.contains("help: write the items in brackets"), "{}", e[2].0);
    assert!(e[3].0.starts_with("`DisplayName` expects a string, found an object"));
    let e = check("AWS::SNS::Topic", r#"{ MaximumMessageSize: 2048.5 }"#);
    assert!(one(&e).0.contains("expects an integer, found a number"));
}

#[test]
fn enum_violation_suggests_the_value() {
    let src = r#"{ DeliveryStatusLogging: [{ Protocol: "SQS" }] }"#;
    let e = check("AWS::SNS::Topic", src);
    let (m, line, col) = one(&e);
    assert!(
        m.starts_with("`DeliveryStatusLogging[0].Protocol` cannot be `SQS`; did you mean `sqs`?"),
        "{m}"
    );
    assert!(m.contains("help: use one of: http/s, sqs, lambda, firehose, application"));
    assert_eq!((*line, *col), at(src, "\"SQS\""));
    // A bare word where a string is expected: it reads as a handle, and the help says so.
    let e = check(
        "AWS::EMRServerless::Application",
        r#"{ ReleaseLabel: "emr-7.0.0", Type: "Spark", Architecture: ARM64 }"#,
    );
    let (m, ..) = one(&e);
    assert!(
        m.contains("no handle named `ARM64`") && m.contains("`\"ARM64\"`"),
        "{m}"
    );
}

#[test]
fn pattern_and_length_and_range() {
    let src = r#"{ ReleaseLabel: "emr-7.0.0", Type: "Spark", Name: "has spaces" }"#;
    let e = check("AWS::EMRServerless::Application", src);
    let (m, line, col) = one(&e);
    assert!(
        m.starts_with("`Name` must match the pattern `^[A-Za-z0-9._\\/#-]+$`; `has spaces` does not"),
        "{m}"
    );
    assert_eq!((*line, *col), at(src, "\"has spaces\""));

    let long = "a".repeat(300);
    let e = check("AWS::SNS::Topic", &format!(r#"{{ TopicName: "{long}" }}"#));
    let (m, ..) = one(&e);
    assert!(
        m.contains("`TopicName` is 300 characters long") && m.contains("at most 256"),
        "{m}"
    );

    let e = check("AWS::SNS::Topic", r#"{ MaximumMessageSize: 10 }"#);
    let (m, ..) = one(&e);
    assert!(
        m.contains("`MaximumMessageSize` is 10, out of range") && m.contains("from 1024 to 1048576"),
        "{m}"
    );
}

#[test]
fn read_only_properties_are_refused() {
    let src = r#"{ TopicArn: "arn:aws:sns:us-east-1:123456789012:x" }"#;
    let e = check("AWS::SNS::Topic", src);
    let (m, line, col) = one(&e);
    assert!(
        m.starts_with("`TopicArn` is read-only: CloudFormation sets it; read it with `ALERTS.TopicArn`"),
        "{m}"
    );
    assert_eq!((*line, *col), at(src, "TopicArn"));
}

#[test]
fn references_are_not_kind_checked_but_are_checked() {
    let src = r#"{
        TopicName: "${ALERTS.TopicName}-copy",
        KmsMasterKeyId: SPARK_RUNTIME.application_arn,
        DisplayName: { "Fn::Join": ["-", [ALERTS.TopicName, "x"]] },
        MaximumMessageSize: { Ref: "Size" },
        FifoTopic: ALERTS,
        Subscription: [{ Endpoint: ALERTS.TopicArn, Protocol: "${AWS::Region}" }],
        ArchivePolicy: { Source: ALERTS.TopicArn },
    }"#;
    assert_eq!(check("AWS::SNS::Topic", src), vec![]);
}

#[test]
fn unknown_attributes_are_reported_on_the_token() {
    let src = r#"{ KmsMasterKeyId: ALERTS.TopicArnn, DisplayName: SPARK_RUNTIME.arn, TopicName: "${ALERTS.Nope}" }"#;
    let e = check("AWS::SNS::Topic", src);
    assert_eq!(e.len(), 3, "{e:#?}");
    assert!(
        e[0].0
            .contains("AWS::SNS::Topic has no attribute `TopicArnn`; did you mean `TopicArn`?"),
        "{}",
        e[0].0
    );
    assert_eq!((e[0].1, e[0].2), at(src, "TopicArnn"));
    assert!(e[1].0.contains("SPARK_RUNTIME has no attribute `arn`"));
    assert_eq!((e[1].1, e[1].2), at(src, "arn,"));
    assert!(e[2].0.contains("has no attribute `Nope`"));
    assert_eq!((e[2].1, e[2].2), at(src, "\"${ALERTS.Nope}\""));
    // Inside free-form JSON too.
    let e = check("AWS::SNS::Topic", r#"{ ArchivePolicy: { Source: NOBODY.Arn } }"#);
    assert!(one(&e).0.contains("no handle named `NOBODY`"));
}

#[test]
fn attributes_of_a_type() {
    let topic = lookup("AWS::SNS::Topic").unwrap();
    assert!(topic.check_attribute("TopicArn").is_ok());
    let (m, h) = topic.check_attribute("TopicArm").unwrap_err();
    assert!(m.contains("did you mean `TopicArn`?") && h.contains("TopicArn"), "{m}");
    let app = lookup("AWS::EMRServerless::Application").unwrap();
    assert!(app.check_attribute("Arn").is_ok() && app.check_attribute("ApplicationId").is_ok());
    assert!(
        app.check_attribute("Name").is_err(),
        "a writable property is no GetAtt here"
    );
    let stack = lookup("AWS::CloudFormation::Stack").unwrap();
    assert!(stack.check_attribute("Outputs.BucketName").is_ok());
    let db = lookup("AWS::RDS::DBInstance").unwrap();
    assert!(db.check_attribute("Endpoint.Address").is_ok());
    assert!(db
        .check_attribute("Endpoint.Adress")
        .unwrap_err()
        .0
        .contains("`Endpoint.Address`"));
}

#[test]
fn open_records_accept_unlisted_properties() {
    let e = check(
        "AWS::CloudFormation::CustomResource",
        r#"{ ServiceToken: "arn:aws:lambda:us-east-1:123456789012:function:f", Anything: [1, 2] }"#,
    );
    assert_eq!(e, vec![]);
    let e = check("AWS::CloudFormation::CustomResource", r#"{ Anything: 1 }"#);
    assert!(one(&e).0.contains("missing the required property `ServiceToken`"));
}

#[test]
fn duplicates_are_reported() {
    let src = r#"{ TopicName: "a", TopicName: "b" }"#;
    let e = check("AWS::SNS::Topic", src);
    let (m, line, col) = one(&e);
    assert!(m.starts_with("duplicate property `TopicName`"));
    assert_eq!((*line, *col), (1, src.rfind("TopicName").unwrap()));
}

fn check_override(ty: &str, path: &str, val: Option<&str>) -> Vec<(String, usize, usize)> {
    let v = val.map(value);
    let key = value(&format!("{path:?}"));
    let mut diags = Diags::default();
    let checker = Checker {
        ty: lookup(ty).unwrap(),
        handle: "SPARK_RUNTIME",
        refs: &TestHandles,
    };
    checker.check_override(path, key.span, v.as_ref(), &mut diags);
    errors(diags)
}

const APP: &str = "AWS::EMRServerless::Application";

#[test]
fn override_paths_that_exist() {
    for (path, val) in [
        (
            "Properties.MonitoringConfiguration.S3MonitoringConfiguration.LogUri",
            Some(r#""s3://logs/x""#),
        ),
        (
            "Properties.MonitoringConfiguration",
            Some(r#"{ CloudWatchLoggingConfiguration: { Enabled: true } }"#),
        ),
        ("Properties.Tags.0.Value", Some(r#""data""#)),
        (
            "Properties.RuntimeConfiguration.0.Properties.spark\\.executor\\.memory",
            Some(r#""4g""#),
        ),
        (
            "Properties.WorkerTypeSpecifications.Driver.ImageConfiguration.ImageUri",
            None,
        ),
        ("Properties.AutoStopConfiguration", None),
        ("DeletionPolicy", Some(r#""Retain""#)),
        ("UpdateReplacePolicy", Some(r#""Snapshot""#)),
        ("DependsOn", Some("[SPARK_RUNTIME]")),
        ("Metadata.cfn_nag.rules_to_suppress", Some(r#"[{ id: "W1" }]"#)),
        ("Properties", Some(r#"{ Architecture: "ARM64" }"#)),
    ] {
        assert_eq!(check_override(APP, path, val), vec![], "{path}");
    }
}

#[test]
fn override_paths_that_do_not_exist() {
    let e = check_override(
        APP,
        "Properties.MonitoringConfiguration.S3MonitoringConfig.LogUri",
        None,
    );
    let (m, ..) = one(&e);
    assert!(
        m.starts_with(
            "`Properties.MonitoringConfiguration.S3MonitoringConfig.LogUri`: `MonitoringConfiguration` in \
             AWS::EMRServerless::Application has no property `S3MonitoringConfig`; did you mean \
             `S3MonitoringConfiguration`?"
        ),
        "{m}"
    );
    assert!(m.contains("help: the properties there are: CloudWatchLoggingConfiguration, "));
    let e = check_override(APP, "Properties.ReleaseLable", None);
    assert!(one(&e).0.contains("did you mean `ReleaseLabel`?"));
    let e = check_override(APP, "Properties.Tags.first.Key", None);
    assert!(one(&e)
        .0
        .contains("`Tags` is a list, so `first` must be an item number"));
    let e = check_override(APP, "Properties.ReleaseLabel.Major", None);
    assert!(one(&e).0.contains("`ReleaseLabel` is a single value"));
    let e = check_override(APP, "Deletionpolicy", Some(r#""Retain""#));
    assert!(one(&e).0.contains("did you mean `DeletionPolicy`?"));
    let e = check_override(APP, "Properties..Name", None);
    assert!(one(&e).0.contains("empty segment"));
    let e = check_override(APP, "Properties.Arn", Some(r#""x""#));
    assert!(one(&e).0.contains("`Arn` is read-only"), "{e:?}");
}

#[test]
fn override_values_are_checked() {
    let e = check_override(APP, "DeletionPolicy", Some(r#""Retian""#));
    assert!(one(&e).0.contains("did you mean `Retain`?"));
    let e = check_override(
        APP,
        "Properties.AutoStopConfiguration.IdleTimeoutMinutes",
        Some(r#""soon""#),
    );
    assert!(one(&e).0.contains("expects an integer, found a string"));
    let e = check_override(APP, "Properties.Architecture", Some(r#""ARM""#));
    assert!(one(&e).0.contains("did you mean `ARM64`?"), "{e:?}");
    let e = check_override(APP, "Properties.InitialCapacity.0", Some(r#"{ Key: "Driver" }"#));
    assert!(
        e.is_empty(),
        "overrides merge: required properties are not demanded: {e:?}"
    );
    let e = check_override(APP, "Properties.Tags.0", Some(r#"{ Kee: "team" }"#));
    assert!(one(&e).0.contains("did you mean `Key`?"));
}

#[test]
fn create_only_paths() {
    let t = lookup("AWS::SNS::Topic").unwrap();
    let c = Checker {
        ty: t,
        handle: "ALERTS",
        refs: &AnyReference,
    };
    assert!(c.is_create_only("TopicName"));
    assert!(!c.is_create_only("DisplayName"));
    assert!(t.read_only().contains(&"TopicArn"));
}

#[test]
fn the_small_regex_engine_handles_most_catalog_patterns() {
    // Patterns it cannot compile (Unicode classes) are skipped, never misjudged; the share
    // is measured so a catalog or engine change that loses many checks is noticed.
    let text = include_str!("../../../data/cfn-types.txt");
    let patterns: std::collections::BTreeSet<&str> = text
        .lines()
        .flat_map(|l| l.split('\t').skip(2))
        .filter_map(|f| f.strip_prefix('p'))
        .collect();
    let failing = patterns.iter().filter(|p| regex_lite::Regex::new(p).is_err()).count();
    assert!(patterns.len() > 2000, "{} patterns", patterns.len());
    assert!(
        failing * 10 < patterns.len(),
        "{failing} of {} patterns do not compile",
        patterns.len()
    );
}

#[test]
fn attribute_references_parse() {
    let v = value("jobs::DB.Endpoint.Address");
    let ValueKind::Path(p) = &v.kind else {
        panic!("expected an attribute reference, got {v:?}")
    };
    let (attr, attr_span) = p.attribute().expect("an attribute");
    assert_eq!((p.text.as_str(), attr.as_str()), ("jobs::DB", "Endpoint.Address"));
    assert_eq!(attr_span.start().column, "jobs::DB.".len());
    assert!(matches!(value("ALERTS").kind, ValueKind::Path(_)));
    let err = parse_value.parse_str("ALERTS.").unwrap_err();
    assert!(
        err.to_string().contains("expected an attribute name after `ALERTS.`"),
        "{err}"
    );
    assert!(parse_value.parse_str("ALERTS.3").is_err());
}
