//! `spark_job!`: DSF's SparkEmrServerlessJob and SparkEmrContainersJob in one macro.
//! `model.rs` checks the declaration; `service.rs` holds what differs between EMR
//! Serverless and EMR on EKS; `request.rs` the StartJobRun request, `definition.rs` the
//! state machine, `iam.rs` its permissions, `synth.rs` the resources, `manifest.rs` what
//! the runtime needs to run the job.

pub mod definition;
pub mod eks;
pub mod iam;
pub mod manifest;
pub mod mode;
pub mod model;
pub mod request;
pub mod service;
pub mod synth;

pub use model::SparkJob;
pub use synth::{ids, JobIds};

use super::overrides::{target, Target as OverrideTarget};
use super::{AppProblem, Attribute, Construct, ConstructDef, Index, ManifestParts, Reference};
use crate::constructs::serverless_runtime::ServerlessRuntime;
use crate::expand::{handle_ref, handle_type, local, opt};
use crate::model::Handle;
use crate::synth::Linker;
use crate::value::Declaration;
use model::{Driver, EntryPoint, ExecutionRole, Orchestration, S3Logs, Target};
use proc_macro2::TokenStream;
use quote::quote;

const RUNTIME: &[&str] = &["spark_serverless_runtime"];
const PACKAGE: &[&str] = &["pyspark_package"];
const ROLE: &[&str] = &["spark_serverless_runtime", "execution_role"];
const EKS: &[&str] = &["emr_eks_runtime"];

/// What `overrides` may target (the log bucket and schedule only when the job has them).
const TARGETS: &[OverrideTarget] = &[
    target("StateMachine", "AWS::StepFunctions::StateMachine"),
    target("StateMachineRole", "AWS::IAM::Role"),
    target("StateMachineLogs", "AWS::Logs::LogGroup"),
    target("StateMachineLogsKey", "AWS::KMS::Key"),
    target("ExecutionRoleGrants", "AWS::IAM::Policy"),
    target("ExecutionRole", "AWS::IAM::Role"),
    target("LogBucket", "AWS::S3::Bucket"),
    target("LogBucketPolicy", "AWS::S3::BucketPolicy"),
    target("Schedule", "AWS::Events::Rule"),
    target("ScheduleRole", "AWS::IAM::Role"),
];

pub static DEF: ConstructDef = ConstructDef {
    macro_name: "spark_job",
    what: "spark_job!",
    handle_type: "SparkJob",
    fields: &[
        "stack",
        "outputs",
        "exports",
        "overrides",
        "name",
        "runtime",
        "application_id",
        "virtual_cluster_id",
        "virtual_cluster",
        "profile",
        "job_config",
        "entry_point",
        "arguments",
        "spark_submit_parameters",
        "execution_role",
        "timeout_minutes",
        "mode",
        "max_retries",
        "retry_policy",
        "release_label",
        "s3_logs",
        "cloudwatch_logs",
        "application_configuration",
        "tags",
        "schedule",
        "removal_policy",
        "orchestration",
        "log_retention_days",
        "tracing",
    ],
    attributes: &[
        "state_machine_arn",
        "state_machine_name",
        "state_machine_log_group_name",
        "state_machine_log_group_arn",
        "log_bucket_name",
    ],
    targets: &[TARGETS],
    example: r#"pub JOB {
        name: "nightly-aggregation",
        runtime: RUNTIME,
        entry_point: PKG,
        arguments: ["--date", "2024-01-01"],
        spark_submit_parameters: "--conf spark.executor.cores=4",
        timeout_minutes: 45,
        s3_logs: { prefix: "logs" },
        schedule: "cron(0 2 * * ? *)",
        orchestration: polling(60),
        log_retention_days: 30,
        tags: { "team": "analytics" },
        outputs: [state_machine_arn],
        overrides: { StateMachine: { "Properties.Tags": [{ Key: "runtime", Value: "${RUNTIME.application_id}" }], DependsOn: [ALERTS] } },
    }"#,
    check: |decl, ctx, diags| model::check(decl, ctx, diags).map(|j| Box::new(j) as Box<dyn Construct>),
};

impl SparkJob {
    /// Whether the role the job names can be assumed where the job runs.
    fn role_problems(&self, index: &Index, p: &crate::value::PathValue) -> Vec<AppProblem> {
        let at = |message: String| {
            vec![AppProblem {
                span: Some(p.span()),
                message,
            }]
        };
        let on = match &self.target {
            Target::Runtime(t) => format!("`{}`", t.text),
            Target::ApplicationId(id) => format!("application {id}"),
            Target::VirtualCluster(id) => format!("EMR on EKS virtual cluster {id}"),
            Target::Eks {
                runtime,
                virtual_cluster,
                ..
            } => format!("`{}.{virtual_cluster}`", runtime.text),
        };
        if let Some(r) = index.get::<ServerlessRuntime>(p) {
            let same = matches!(&self.target, Target::Runtime(t) if index.get::<ServerlessRuntime>(t).is_some_and(|t| t.handle.ident == r.handle.ident));
            if r.execution_role.is_none() && r.shared_role.is_none() {
                return at(format!(
                    "job `{}` uses the execution role of `{}`, which declares none: add `execution_role: {{ ... }}` to `{}` or set the job's `execution_role` to a role ARN",
                    self.handle.ident, r.handle.ident, r.handle.ident
                ));
            }
            if r.execution_role.is_some() && !same {
                return at(format!(
                    "the execution role of `{}` can be assumed only by its own application, and job `{}` runs on {on}",
                    r.handle.ident, self.handle.ident
                ) + ": declare the role once with execution_role! and use it on both (`execution_role: ROLE`), or use the role of the job's runtime");
            }
        }
        if self.target.is_eks() && role_source_is_serverless(index, p) {
            return at(format!(
                "`{}` is an EMR Serverless execution role, and job `{}` runs on {on}: give the job an EMR on EKS execution role",
                p.text, self.handle.ident
            ));
        }
        Vec::new()
    }
}

fn role_source_is_serverless(index: &Index, p: &crate::value::PathValue) -> bool {
    index.get::<ServerlessRuntime>(p).is_some()
        || index.get::<crate::constructs::execution_role::SharedRole>(p).is_some()
}

impl Construct for SparkJob {
    fn def(&self) -> &'static ConstructDef {
        &DEF
    }

    fn handle(&self) -> &Handle {
        &self.handle
    }

    fn references(&self) -> Vec<Reference<'_>> {
        let mut refs = Vec::new();
        if let Target::Runtime(p) = &self.target {
            refs.push(Reference {
                field: "runtime",
                path: p,
                accepts: RUNTIME,
            });
        }
        if let Target::Eks { runtime, .. } = &self.target {
            refs.push(Reference {
                field: "virtual_cluster",
                path: runtime,
                accepts: EKS,
            });
        }
        if let ExecutionRole::Eks { runtime, .. } = &self.execution_role {
            if !matches!(&self.target, Target::Eks { runtime: t, .. } if t.text == runtime.text) {
                refs.push(Reference {
                    field: "execution_role",
                    path: runtime,
                    accepts: EKS,
                });
            }
        }
        if let ExecutionRole::Handle(p) = &self.execution_role {
            if !matches!(&self.target, Target::Runtime(t) if t.text == p.text) {
                refs.push(Reference {
                    field: "execution_role",
                    path: p,
                    accepts: ROLE,
                });
            }
        }
        if let Driver::Submit {
            entry_point: EntryPoint::Package(p),
            ..
        } = &self.driver
        {
            refs.push(Reference {
                field: "entry_point",
                path: p,
                accepts: PACKAGE,
            });
        }
        refs
    }

    fn attributes(&self) -> Vec<Attribute> {
        synth::attributes(self)
    }

    fn check_app(&self, index: &Index) -> Vec<AppProblem> {
        let mut problems = Vec::new();
        if let (Some(needs), Target::Runtime(p)) = (&self.needs_release, &self.target) {
            let runtime = index.get::<ServerlessRuntime>(p);
            let version = runtime.and_then(|r| crate::checks::release::version_of(&r.release_label));
            if let (Some(r), Some(v)) = (runtime, version) {
                if v < needs.version {
                    let (a, b, c) = needs.version;
                    problems.push(AppProblem {
                        span: Some(needs.span),
                        message: format!(
                            "{} need EMR {a}.{b}.{c} or later, and `{}` runs {}: set its `release_label` to emr-{a}.{b}.{c} or later",
                            needs.what, r.handle.ident, r.release_label
                        ),
                    });
                }
            }
        }
        problems.extend(eks::problems(self, index));
        let ExecutionRole::Handle(p) = &self.execution_role else {
            return problems;
        };
        problems.extend(self.role_problems(index, p));
        problems
    }

    fn synth(&self, index: &Index, link: &mut Linker) {
        synth::synth(self, index, link);
    }

    fn manifest(&self, index: &Index, parts: &mut ManifestParts) {
        parts.jobs.extend(manifest::entry(self, index));
    }

    fn expand(&self, decl: &Declaration) -> TokenStream {
        let (vis, name, ident) = (&decl.vis, &decl.name, decl.name.to_string());
        let ty = handle_type(&DEF);
        let ids = ids(self);
        // Handle references are typed locals at the user's tokens: one rustc error each, on
        // the token. The role taken from the target reuses the target's local.
        let mut consts = TokenStream::new();
        let (target_local, role_local) = (local("target"), local("role"));
        let target = match &self.target {
            Target::Runtime(p) => {
                consts.extend(handle_ref(&target_local, p, "SparkServerlessRuntime"));
                quote!(::sparkform::JobTarget::Runtime(#target_local))
            }
            Target::ApplicationId(id) => quote!(::sparkform::JobTarget::ApplicationId(#id)),
            Target::VirtualCluster(id) => quote!(::sparkform::JobTarget::VirtualCluster(#id)),
            Target::Eks {
                runtime,
                virtual_cluster,
                ..
            } => {
                consts.extend(handle_ref(&target_local, runtime, "EmrEksRuntime"));
                quote!(::sparkform::JobTarget::OnEks(#target_local, #virtual_cluster))
            }
        };
        let role = match (&self.execution_role, &self.target) {
            (ExecutionRole::Handle(p), Target::Runtime(t)) if p.text == t.text => {
                quote!(::sparkform::JobRole::OfRuntime(#target_local))
            }
            (ExecutionRole::Handle(p), _) => {
                // A runtime's role or an execution_role!: both handle types have `as_job_role`.
                let (span, path) = (p.span(), &p.tokens);
                consts.extend(quote::quote_spanned!(span=> let #role_local = &#path;));
                quote::quote_spanned!(span=> #role_local.as_job_role())
            }
            (ExecutionRole::Arn { arn, .. }, _) => quote!(::sparkform::JobRole::Arn(#arn)),
            (ExecutionRole::Eks { runtime, role }, target) => {
                let name = role.as_ref().map(|(n, _)| n.clone()).unwrap_or_default();
                match target {
                    Target::Eks { runtime: t, .. } if t.text == runtime.text => {
                        quote!(::sparkform::JobRole::OfEks(#target_local, #name))
                    }
                    _ => {
                        consts.extend(handle_ref(&role_local, runtime, "EmrEksRuntime"));
                        quote!(::sparkform::JobRole::OfEks(#role_local, #name))
                    }
                }
            }
        };
        let (stack, job_name, sm_out) = (&self.handle.stack, &self.name, &ids.out_state_machine_arn);
        let bucket_out = opt(matches!(self.s3_logs, S3Logs::Created { .. }).then_some(ids.out_log_bucket.as_str()));
        let log_uri = opt(request::log_uri(self).as_deref());
        let package = match &self.driver {
            Driver::Submit {
                entry_point: EntryPoint::Package(p),
                ..
            } => {
                let package_local = local("package");
                consts.extend(handle_ref(&package_local, p, "PySparkPackage"));
                quote!(::core::option::Option::Some(#package_local))
            }
            _ => quote!(::core::option::Option::None),
        };
        let timeout = self.timeout_minutes;
        let polling = match self.orchestration {
            Orchestration::Sync | Orchestration::Start => quote!(::core::option::Option::None),
            Orchestration::Polling { interval_seconds } => quote!(::core::option::Option::Some(#interval_seconds)),
        };
        let attributes = crate::expand::attribute_table(self);
        quote! {
            #vis static #name: #ty = { #consts #ty {
                handle: #ident,
                stack: #stack,
                name: #job_name,
                target: #target,
                execution_role: #role,
                state_machine_arn_output: #sm_out,
                log_bucket_output: #bucket_out,
                log_uri: #log_uri,
                timeout_minutes: #timeout,
                polling_interval_seconds: #polling,
                package: #package,
                attributes: #attributes,
            } };
        }
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}
