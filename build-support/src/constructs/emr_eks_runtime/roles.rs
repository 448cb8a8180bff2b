//! Job execution roles. EMR on EKS runs a job's pods under service accounts whose names it
//! derives from the role name (`emr-containers-sa-spark-{client,driver,executor}-<account>-
//! <base36 of the name>`), so sparkform computes them at compile time and creates the three
//! EKS Pod Identity associations per role (EMR 7.3 and later). IRSA, which interactive
//! endpoints and older releases still need, is a trust statement on the cluster's OIDC
//! provider, built with `Fn::Sub` (CDK needed a CfnJson Lambda for it).

use super::model::{EmrEksRuntime, JobRole};
use super::Ids;
use crate::synth::iam::{document, statement, user_statement};
use crate::synth::{att, r#ref, sub, user_str, Template};
use serde_json::{json, Value as Json};

/// The EMR pod kinds that get a service account each.
pub const POD_KINDS: [&str; 3] = ["client", "driver", "executor"];

/// The role name as EMR encodes it in service-account names: the name's bytes read as one
/// big-endian number, written in base 36 (lowercase).
pub fn base36(name: &str) -> String {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    // Long division of the byte string by 36, most significant byte first.
    let mut number: Vec<u8> = name.bytes().skip_while(|b| *b == 0).collect();
    let mut out = Vec::new();
    while !number.is_empty() {
        let mut rest: u32 = 0;
        let mut quotient = Vec::with_capacity(number.len());
        for b in &number {
            let acc = (rest << 8) | u32::from(*b);
            let q = acc / 36;
            rest = acc % 36;
            if !(quotient.is_empty() && q == 0) {
                quotient.push(q as u8);
            }
        }
        out.push(DIGITS[rest as usize]);
        number = quotient;
    }
    if out.is_empty() {
        out.push(b'0');
    }
    out.reverse();
    String::from_utf8(out).expect("base-36 digits are ASCII")
}

/// The service account EMR runs pods of `kind` under for role `name` (a `Fn::Sub` text).
pub fn service_account(kind: &str, name: &str) -> String {
    format!("emr-containers-sa-spark-{kind}-${{AWS::AccountId}}-{}", base36(name))
}

/// Logical ID part of a user's name: its letters and digits, capitalized.
pub fn id_part(name: &str) -> String {
    crate::checks::names::pascal_case(name)
}

/// The roles, their policies and their Pod Identity associations.
pub fn synth(r: &EmrEksRuntime, ids: &Ids, t: &mut Template) {
    for role in &r.execution_roles {
        let id = ids.execution_role(&role.name);
        let mut props = json!({
            "RoleName": role.role_name,
            "AssumeRolePolicyDocument": trust(r, ids, role),
            "Description": format!("EMR on EKS job execution role in namespace {} of cluster {}", role.namespace, r.cluster_name),
        });
        let mut statements: Vec<Json> = role.policy.statements.iter().map(user_statement).collect();
        if r.has_template_bucket() {
            // DSF's podTemplateAccess: the pod templates, and nothing else of their bucket.
            statements.push(statement(
                true,
                &["s3:GetObject"],
                vec![sub(&format!(
                    "${{{}.Arn}}/{}/*",
                    ids.pod_template_bucket,
                    super::profiles::POD_TEMPLATE_PREFIX
                ))],
                None,
            ));
        }
        if !statements.is_empty() {
            props["Policies"] = json!([{ "PolicyName": "ExecutionPolicy", "PolicyDocument": document(statements) }]);
        }
        if !role.policy.managed_policy_arns.is_empty() {
            props["ManagedPolicyArns"] =
                Json::Array(role.policy.managed_policy_arns.iter().map(|a| user_str(a)).collect());
        }
        t.resource(&id, "AWS::IAM::Role", props);
        for kind in POD_KINDS {
            t.resource(
                &format!("{id}{}Association", id_part(kind)),
                "AWS::EKS::PodIdentityAssociation",
                json!({
                    "ClusterName": r#ref(&ids.cluster),
                    "Namespace": role.namespace,
                    "ServiceAccount": sub(&service_account(kind, &role.role_name)),
                    "RoleArn": att(&id, "Arn"),
                }),
            );
        }
    }
}

/// Pod Identity trust, limited by the session tags EKS sets (AWS's documented way) to this
/// cluster, the role's namespace and EMR's service accounts for it; plus IRSA trust when
/// the role needs it.
fn trust(r: &EmrEksRuntime, ids: &Ids, role: &JobRole) -> Json {
    let accounts = format!("emr-containers-sa-*-*-${{AWS::AccountId}}-{}", base36(&role.role_name));
    let pod_identity = json!({
        "Sid": "EksPodIdentity",
        "Effect": "Allow",
        "Principal": { "Service": "pods.eks.amazonaws.com" },
        "Action": ["sts:AssumeRole", "sts:TagSession"],
        "Condition": {
            "StringEquals": {
                "aws:RequestTag/eks-cluster-name": r.cluster_name,
                "aws:RequestTag/kubernetes-namespace": role.namespace,
            },
            "StringLike": { "aws:RequestTag/kubernetes-service-account": sub(&accounts) },
        },
    });
    if !r.needs_irsa(role) {
        return document(vec![pod_identity]);
    }
    // IRSA: the condition key is the issuer's host followed by `:sub`, known only once the
    // cluster exists. A policy document given as a string may use `Fn::Sub` for keys too.
    let subject = format!("system:serviceaccount:{}:{accounts}", role.namespace);
    let irsa = format!(
        r#"{{"Sid":"Irsa","Effect":"Allow","Principal":{{"Federated":"${{Provider}}"}},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{{"StringLike":{{"${{Issuer}}:sub":"{subject}"}},"StringEquals":{{"${{Issuer}}:aud":"sts.amazonaws.com"}}}}}}"#
    );
    let pod_text = serde_json::to_string(&pod_identity)
        .expect("JSON")
        .replace(&format!(r#"{{"Fn::Sub":"{accounts}"}}"#), &format!(r#""{accounts}""#));
    let text = format!(r#"{{"Version":"2012-10-17","Statement":[{pod_text},{irsa}]}}"#);
    json!({ "Fn::Sub": [text, {
        "Provider": att(&ids.oidc_provider, "Arn"),
        "Issuer": { "Fn::Select": [1, { "Fn::Split": ["//", att(&ids.cluster, "OpenIdConnectIssuerUrl")] }] },
    }] })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base36_matches_emr_and_dsf() {
        // DSF's known pair (its createExecutionRole test).
        assert_eq!(base36("s3ReadExecRole"), "4usjlwpa1xq2iz0ilwow2t");
        assert_eq!(base36("a"), "2p"); // 97 = 2*36 + 25
        assert_eq!(
            service_account("driver", "s3ReadExecRole"),
            "emr-containers-sa-spark-driver-${AWS::AccountId}-4usjlwpa1xq2iz0ilwow2t"
        );
        // Every length IAM allows stays a valid Kubernetes name (253 characters at most).
        let longest = "r".repeat(64);
        assert!(service_account("executor", &longest).len() - "${AWS::AccountId}".len() + 12 <= 253);
    }
}
