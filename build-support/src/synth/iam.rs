//! IAM documents: trust policies, statements, and the start-job grant.

use super::{r#ref, user_str};
use crate::model::iam::Statement;
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
