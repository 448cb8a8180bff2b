//! Every IAM action sparkform itself writes into a template (role policies, trust policies,
//! bucket policies, key policies) is a real action, by the same catalog that checks users'
//! actions. A whole-service wildcard is allowed in two places only: a Deny (the TLS-only
//! bucket and queue statements) and a key policy's account-root statement, which keeps the key
//! manageable through IAM.

use serde_json::{json, Value};
use sparkform_build::checks::iam::check_action;
use sparkform_tests::all_apps;

/// The policy statements anywhere in `v`, each with whether it sits in a KMS key policy.
fn statements<'a>(v: &'a Value, in_key_policy: bool, out: &mut Vec<(&'a Value, bool)>) {
    match v {
        Value::Object(m) => {
            if m.contains_key("Effect") && m.contains_key("Action") {
                out.push((v, in_key_policy));
            }
            for (k, child) in m {
                statements(child, in_key_policy || k == "KeyPolicy", out);
            }
        }
        Value::Array(a) => a.iter().for_each(|c| statements(c, in_key_policy, out)),
        _ => {}
    }
}

/// Whether a statement's only principal is this account's root.
fn account_root_only(s: &Value) -> bool {
    s["Principal"] == json!({ "AWS": { "Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root" } })
}

/// The actions in a template that are not real, or too broad for where they are.
fn bad_actions(template: &Value) -> (usize, Vec<String>) {
    let mut found = Vec::new();
    statements(template, false, &mut found);
    let mut bad = Vec::new();
    for (s, in_key_policy) in &found {
        let actions: Vec<&str> = match &s["Action"] {
            Value::String(a) => vec![a.as_str()],
            Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
            other => {
                bad.push(format!("not a list of actions: {other}"));
                continue;
            }
        };
        for a in actions {
            let whole_service = a.split_once(':').is_some_and(|(_, name)| name == "*");
            let allowed_wide = whole_service
                && ((s["Effect"] == "Deny" && (a == "s3:*" || a == "sqs:*"))
                    || (*in_key_policy && a == "kms:*" && account_root_only(s)));
            if allowed_wide {
                continue;
            }
            if let Err((msg, _)) = check_action(a) {
                bad.push(msg);
            }
        }
    }
    (found.len(), bad)
}

#[test]
fn every_emitted_action_is_real() {
    let mut checked = 0;
    let mut problems = Vec::new();
    for app in all_apps() {
        for (file, body) in &app.synthesize().assembly.templates {
            let t: Value = serde_json::from_str(body).unwrap();
            let (n, bad) = bad_actions(&t);
            checked += n;
            problems.extend(bad.into_iter().map(|b| format!("{}/{file}: {b}", app.name)));
        }
    }
    assert!(checked >= 50, "found only {checked} policy statements in all templates");
    assert!(
        problems.is_empty(),
        "templates carry unreal or too broad actions:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_action_check_refuses_what_it_should() {
    let t = json!({ "Resources": {
        "Role": { "Type": "AWS::IAM::Role", "Properties": { "Policies": [{ "PolicyDocument": { "Statement": [
            { "Effect": "Allow", "Action": ["emrserverless:StartJobRun", "logs:*"], "Resource": "*" },
            { "Effect": "Deny", "Action": "s3:*", "Resource": "*" },
        ] } }] } },
        "Key": { "Type": "AWS::KMS::Key", "Properties": { "KeyPolicy": { "Statement": [
            { "Effect": "Allow", "Principal": { "Service": "logs.amazonaws.com" }, "Action": "kms:*", "Resource": "*" },
            { "Effect": "Allow", "Principal": { "AWS": { "Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root" } }, "Action": "kms:*", "Resource": "*" },
            { "Effect": "Allow", "Principal": { "Service": "logs.amazonaws.com" }, "Action": "kms:Decrypt*", "Resource": "*" },
        ] } } },
    } });
    let (n, bad) = bad_actions(&t);
    assert_eq!(n, 5, "statements found: {n}");
    assert_eq!(
        bad.len(),
        3,
        "expected the unreal prefix, logs:* and the service's kms:*: {bad:?}"
    );
}
