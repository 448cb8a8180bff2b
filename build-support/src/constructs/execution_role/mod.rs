//! `execution_role!`: a job execution role of its own, shared by several runtimes and jobs
//! (DSF's `createExecutionRole` and static `grantStartJobExecution`). EMR Serverless may
//! assume it only for the applications that use it: listed by ARN when they are all in its
//! stack, else the account's applications in the region (listing applications of other
//! stacks would make the stacks import from each other in a cycle).

use super::overrides::{own, target, Target as OverrideTarget};
use super::serverless_runtime::ServerlessRuntime;
use super::spark_job::model::{ExecutionRole as JobRole, Target};
use super::spark_job::SparkJob;
use super::{Attribute, Construct, ConstructDef, Index};
use crate::diag::Diags;
use crate::expand::handle_type;
use crate::model::common::{read_tags, Context, Handle};
use crate::model::iam::{read_policy, read_role_ref, Policy, RoleRef};
use crate::reader::Fields;
use crate::synth::iam::{document, start_job_grant, trust, user_statement};
use crate::synth::{att, r#ref, sub, tags, user_str, Linker};
use crate::value::Declaration;
use proc_macro2::TokenStream;
use quote::quote;
use serde_json::{json, Value as Json};

/// What `overrides` may target: the role (its logical id is the handle's) and its grant.
const TARGETS: &[OverrideTarget] = &[
    own("Role", "AWS::IAM::Role"),
    target("StartJobPolicy", "AWS::IAM::Policy"),
];

pub static DEF: ConstructDef = ConstructDef {
    macro_name: "execution_role",
    what: "execution_role!",
    handle_type: "ExecutionRole",
    fields: &[
        "stack",
        "outputs",
        "exports",
        "overrides",
        "role_name",
        "statements",
        "managed_policy_arns",
        "start_job_roles",
        "applications",
        "tags",
    ],
    attributes: &["role_arn", "role_name"],
    targets: &[TARGETS],
    example: r#"pub ROLE {
        statements: [{ actions: ["s3:GetObject"], resources: ["arn:${AWS::Partition}:s3:::my-data-bucket/*"] }],
        start_job_roles: [{ id: "Scheduler", assumed_by: "states.amazonaws.com" }],
        applications: ["00fabcdef1234567"],
    }"#,
    check: |decl, ctx, diags| check(decl, ctx, diags).map(|r| Box::new(r) as Box<dyn Construct>),
};

#[derive(Clone, Debug)]
pub struct SharedRole {
    pub handle: Handle,
    /// The IAM role name; none: CloudFormation names it.
    pub role_name: Option<String>,
    pub policy: Policy,
    pub start_job_roles: Vec<RoleRef>,
    /// EMR Serverless applications outside this crate that may use it, by id.
    pub applications: Vec<String>,
    pub tags: Vec<(String, String)>,
}

fn check(decl: &Declaration, ctx: &Context, diags: &mut Diags) -> Option<SharedRole> {
    let mut f = Fields::top(&decl.body, &DEF, diags);
    let handle = Handle::read(decl, &mut f, ctx, diags);
    let role_name = f
        .str("role_name", diags)
        .map(|n| match crate::checks::names::staged_role_name(ctx, &n.value) {
            Ok(staged) => staged,
            Err((m, h)) => {
                diags.error_help(n.span, m, h);
                n.value
            }
        });
    let policy = read_policy(&mut f, diags);
    let start_job_roles = f
        .list("start_job_roles", diags)
        .map(|l| l.iter().filter_map(|v| read_role_ref(v, diags)).collect())
        .unwrap_or_default();
    let applications = f.strings("applications", diags).unwrap_or_default();
    for a in &applications {
        if a.value.is_empty() || !a.value.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()) {
            diags.error_help(
                a.span,
                format!("`{}` is not an EMR Serverless application id", a.value),
                "application ids look like \"00fabcdef1234567\"; a runtime of this crate uses the role with `execution_role: ROLE`",
            );
        }
    }
    let tags = read_tags(&mut f, diags);
    f.finish(diags);
    Some(SharedRole {
        handle,
        role_name,
        policy,
        start_job_roles,
        applications: applications.into_iter().map(|a| a.value).collect(),
        tags,
    })
}

impl SharedRole {
    /// The role's logical ID: the handle's prefix (`ANALYTICS_ROLE` -> `AnalyticsRole`).
    fn role_id(&self) -> String {
        self.handle.prefix.clone()
    }

    /// The runtimes of the crate that run jobs as this role: those that declare it, and
    /// the targets of jobs that name it.
    fn users<'a>(&self, index: &Index<'a>) -> Vec<&'a ServerlessRuntime> {
        let mine = |p: &crate::value::PathValue| super::index::ident_of(p) == self.handle.ident;
        let mut out: Vec<&ServerlessRuntime> = index
            .all::<ServerlessRuntime>()
            .filter(|r| r.shared_role.as_ref().is_some_and(mine))
            .collect();
        // Jobs that run as this role on another runtime: named directly, or through a
        // runtime that shares it.
        for j in index.all::<SparkJob>() {
            if let (JobRole::Handle(p), Target::Runtime(t)) = (&j.execution_role, &j.target) {
                let through = index.get::<ServerlessRuntime>(p).and_then(|r| r.shared_role.as_ref());
                if mine(p) || through.is_some_and(mine) {
                    out.extend(index.get::<ServerlessRuntime>(t));
                }
            }
        }
        out.sort_by(|a, b| a.handle.ident.cmp(&b.handle.ident));
        out.dedup_by(|a, b| a.handle.ident == b.handle.ident);
        out
    }
}

impl Construct for SharedRole {
    fn def(&self) -> &'static ConstructDef {
        &DEF
    }

    fn handle(&self) -> &Handle {
        &self.handle
    }

    fn attributes(&self) -> Vec<Attribute> {
        let id = self.role_id();
        vec![
            Attribute::new(
                "role_arn",
                self.handle.id("Arn"),
                att(&id, "Arn"),
                format!("Execution role {}", self.handle.ident),
            ),
            Attribute::new(
                "role_name",
                self.handle.id("Name"),
                r#ref(&id),
                format!("Name of execution role {}", self.handle.ident),
            ),
        ]
    }

    fn synth(&self, index: &Index, link: &mut Linker) {
        let users = self.users(index);
        let stack = &self.handle.stack;
        let external: Vec<String> = self
            .applications
            .iter()
            .map(|id| {
                format!(
                    "arn:${{AWS::Partition}}:emr-serverless:${{AWS::Region}}:${{AWS::AccountId}}:/applications/{id}"
                )
            })
            .collect();
        let local = users.iter().all(|r| &r.handle.stack == stack);
        let source_arn: Json = if local && !(users.is_empty() && external.is_empty()) {
            let arns = users
                .iter()
                .map(|r| att(&super::serverless_runtime::ids(r).application, "Arn"))
                .chain(external.iter().map(|a| sub(a)));
            json!(arns.collect::<Vec<_>>())
        } else {
            sub("arn:${AWS::Partition}:emr-serverless:${AWS::Region}:${AWS::AccountId}:/applications/*")
        };
        let condition = json!({
            "StringEquals": { "aws:SourceAccount": r#ref("AWS::AccountId") },
            "ArnLike": { "aws:SourceArn": source_arn },
        });
        let t = link.template(stack);
        t.kinds.insert("ExecutionRole");
        let mut props = json!({ "AssumeRolePolicyDocument": trust(&["emr-serverless.amazonaws.com".to_string()], Some(condition)) });
        if let Some(n) = &self.role_name {
            props["RoleName"] = json!(n);
        }
        if !self.policy.statements.is_empty() {
            props["Policies"] = json!([{
                "PolicyName": "ExecutionPolicy",
                "PolicyDocument": document(self.policy.statements.iter().map(user_statement).collect()),
            }]);
        }
        if !self.policy.managed_policy_arns.is_empty() {
            props["ManagedPolicyArns"] =
                Json::Array(self.policy.managed_policy_arns.iter().map(|a| user_str(a)).collect());
        }
        if !self.tags.is_empty() {
            props["Tags"] = tags(&self.tags);
        }
        t.resource(&self.role_id(), "AWS::IAM::Role", props);
        if self.start_job_roles.is_empty() {
            return;
        }
        // The grant covers the applications of this stack and those named by id; runtimes
        // of other stacks grant with their own `start_job_roles`.
        let mut apps: Vec<(Json, Json)> = users
            .iter()
            .filter(|r| &r.handle.stack == stack)
            .map(|r| {
                let app = super::serverless_runtime::ids(r).application;
                (att(&app, "Arn"), sub(&format!("${{{app}.Arn}}/jobruns/*")))
            })
            .collect();
        for arn in &external {
            apps.push((sub(arn), sub(&format!("{arn}/jobruns/*"))));
        }
        if apps.is_empty() {
            return;
        }
        start_job_grant(
            t,
            &self.handle.id("StartJobPolicy"),
            &self.start_job_roles,
            att(&self.role_id(), "Arn"),
            apps,
            &format!("the applications that use {}", self.handle.ident),
        );
    }

    fn expand(&self, decl: &Declaration) -> TokenStream {
        let (vis, name, ident) = (&decl.vis, &decl.name, decl.name.to_string());
        let ty = handle_type(&DEF);
        let stack = &self.handle.stack;
        let (arn, role_name) = (self.handle.id("Arn"), self.handle.id("Name"));
        let attributes = crate::expand::attribute_table(self);
        quote! {
            #vis static #name: #ty = #ty {
                handle: #ident,
                stack: #stack,
                role_arn_output: #arn,
                role_name_output: #role_name,
                attributes: #attributes,
            };
        }
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}
