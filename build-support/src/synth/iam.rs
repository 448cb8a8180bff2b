//! IAM documents: trust policies, statements, and the start-job grant.

use super::{att, r#ref, user_str, Template};
use crate::model::iam::{RoleRef, Statement};
use serde_json::{json, Map, Value as Json};

/// A policy document from statements.
pub fn document(statements: Vec<Json>) -> Json {
    json!({ "Version": "2012-10-17", "Statement": statements })
}

/// One statement in CloudFormation form.
pub fn statement(allow: bool, actions: &[&str], resources: Vec<Json>, condition: Option<Json>) -> Json {
    let mut s = Map::new();
    s.insert("Effect".into(), json!(if allow { "Allow" } else { "Deny" }));
    s.insert("Action".into(), json!(actions));
    s.insert("Resource".into(), Json::Array(resources));
    if let Some(c) = condition {
        s.insert("Condition".into(), c);
    }
    Json::Object(s)
}

/// A user's statement.
pub fn user_statement(st: &Statement) -> Json {
    let actions: Vec<&str> = st.actions.iter().map(String::as_str).collect();
    statement(
        st.allow,
        &actions,
        st.resources.iter().map(|r| user_str(r)).collect(),
        st.conditions.clone(),
    )
}

/// Trust policy for the given principals (service names, account ids or ARNs).
pub fn trust(principals: &[String], condition: Option<Json>) -> Json {
    let mut services = Vec::new();
    let mut accounts = Vec::new();
    for p in principals {
        if p.ends_with(".amazonaws.com") {
            services.push(json!(p));
        } else if p.starts_with("arn:") {
            accounts.push(json!(p));
        } else {
            accounts.push(json!({ "Fn::Sub": format!("arn:${{AWS::Partition}}:iam::{p}:root") }));
        }
    }
    let mut principal = Map::new();
    if !services.is_empty() {
        principal.insert("Service".into(), Json::Array(services));
    }
    if !accounts.is_empty() {
        principal.insert("AWS".into(), Json::Array(accounts));
    }
    let mut s = Map::new();
    s.insert("Effect".into(), json!("Allow"));
    s.insert("Principal".into(), Json::Object(principal));
    s.insert("Action".into(), json!("sts:AssumeRole"));
    if let Some(c) = condition {
        s.insert("Condition".into(), c);
    }
    document(vec![Json::Object(s)])
}

/// The role name to attach a policy to: `Ref` for a declared role, the name for an existing one.
pub fn role_name_ref(role: &crate::model::iam::RoleRef) -> Json {
    match role {
        crate::model::iam::RoleRef::Declared { id, .. } => r#ref(id),
        crate::model::iam::RoleRef::Existing { name, .. } => json!(name),
    }
}

/// DSF's grantStartJobExecution with valid actions only: `roles` (created here when declared)
/// may pass the execution role to EMR Serverless, and start, watch and cancel job runs on the
/// applications, each given as (its ARN, the ARN of its job runs). `what` names the
/// applications in the roles' output descriptions.
pub fn start_job_grant(
    t: &mut Template,
    policy_id: &str,
    roles: &[RoleRef],
    role_arn: Json,
    apps: Vec<(Json, Json)>,
    what: &str,
) {
    let (apps, runs): (Vec<Json>, Vec<Json>) = apps.into_iter().unzip();
    let tagged: Vec<Json> = apps.iter().chain(&runs).cloned().collect();
    let statements = vec![
        statement(
            true,
            &["iam:PassRole"],
            vec![role_arn],
            Some(json!({ "StringLike": { "iam:PassedToService": "emr-serverless.amazonaws.com" } })),
        ),
        statement(
            true,
            &[
                "emr-serverless:StartApplication",
                "emr-serverless:StopApplication",
                "emr-serverless:GetApplication",
                "emr-serverless:StartJobRun",
                "emr-serverless:ListJobRuns",
            ],
            apps,
            None,
        ),
        statement(
            true,
            &[
                "emr-serverless:GetJobRun",
                "emr-serverless:CancelJobRun",
                "emr-serverless:GetDashboardForJobRun",
            ],
            runs,
            None,
        ),
        statement(true, &["emr-serverless:TagResource"], tagged, None),
    ];
    let names = grantee_roles(t, roles, what);
    t.resource(
        policy_id,
        "AWS::IAM::Policy",
        json!({ "PolicyName": policy_id, "PolicyDocument": document(statements), "Roles": names }),
    );
}

/// The roles a start-job grant goes to: those declared here are created (with their ARN as
/// an output; `what` says on what they may start jobs). Returns every role's name, for the
/// grant's `Roles`.
pub fn grantee_roles(t: &mut Template, roles: &[RoleRef], what: &str) -> Vec<Json> {
    let mut names = Vec::new();
    for role in roles {
        if let RoleRef::Declared {
            id,
            assumed_by,
            managed_policy_arns,
        } = role
        {
            let mut props = json!({ "AssumeRolePolicyDocument": trust(assumed_by, None) });
            if !managed_policy_arns.is_empty() {
                props["ManagedPolicyArns"] = json!(managed_policy_arns);
            }
            t.resource(id, "AWS::IAM::Role", props);
            t.output(
                &format!("{id}Arn"),
                att(id, "Arn"),
                &format!("Role {id}, allowed to start jobs on {what}"),
            );
        }
        names.push(role_name_ref(role));
    }
    names
}
