//! `spark_job!`: DSF's SparkEmrServerlessJob and SparkEmrContainersJob in one macro.
//! `model.rs` checks the declaration; `service.rs` holds what differs between EMR
//! Serverless and EMR on EKS; `request.rs` the StartJobRun request, `definition.rs` the
//! state machine, `iam.rs` its permissions, `synth.rs` the resources, `manifest.rs` what
//! the runtime needs to run the job.

pub mod definition;
pub mod iam;
pub mod manifest;
pub mod model;
pub mod request;
pub mod service;
pub mod synth;

pub use model::SparkJob;
pub use synth::{ids, JobIds};

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

pub static DEF: ConstructDef = ConstructDef {
    macro_name: "spark_job",
    what: "spark_job!",
    handle_type: "SparkJob",
    fields: &[
        "stack",
        "name",
        "runtime",
        "application_id",
        "virtual_cluster_id",
        "job_config",
        "entry_point",
        "arguments",
        "spark_submit_parameters",
        "execution_role",
        "timeout_minutes",
        "max_retries",
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
    }"#,
    check: |decl, ctx, diags| model::check(decl, ctx, diags).map(|j| Box::new(j) as Box<dyn Construct>),
};

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
        if let ExecutionRole::OfRuntime(p) = &self.execution_role {
            if !matches!(&self.target, Target::Runtime(t) if t.text == p.text) {
                refs.push(Reference {
                    field: "execution_role",
                    path: p,
                    accepts: RUNTIME,
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

    fn check_app(&self, index: &Index) -> Vec<AppProblem> {
        let ExecutionRole::OfRuntime(p) = &self.execution_role else {
            return Vec::new();
        };
        match index.get::<ServerlessRuntime>(p) {
            Some(r) if r.execution_role.is_none() => vec![AppProblem {
                span: Some(p.span()),
                message: format!(
                    "job `{}` uses the execution role of `{}`, which declares none: add `execution_role: {{ ... }}` to `{}` or set the job's `execution_role` to a role ARN",
                    self.handle.ident, r.handle.ident, r.handle.ident
                ),
            }],
            _ => Vec::new(),
        }
    }

    fn attributes(&self) -> Vec<Attribute> {
        let ids = ids(self);
        let mut out = vec![Attribute {
            name: "state_machine_arn",
            output: ids.out_state_machine_arn,
        }];
        if matches!(self.s3_logs, S3Logs::Created { .. }) {
            out.push(Attribute {
                name: "log_bucket_name",
                output: ids.out_log_bucket,
            });
        }
        out
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
        };
        let role = match (&self.execution_role, &self.target) {
            (ExecutionRole::OfRuntime(p), Target::Runtime(t)) if p.text == t.text => {
                quote!(::sparkform::JobRole::OfRuntime(#target_local))
            }
            (ExecutionRole::OfRuntime(p), _) => {
                consts.extend(handle_ref(&role_local, p, "SparkServerlessRuntime"));
                quote!(::sparkform::JobRole::OfRuntime(#role_local))
            }
            (ExecutionRole::Arn { arn, .. }, _) => quote!(::sparkform::JobRole::Arn(#arn)),
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
            Orchestration::Sync => quote!(::core::option::Option::None),
            Orchestration::Polling { interval_seconds } => quote!(::core::option::Option::Some(#interval_seconds)),
        };
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
            } };
        }
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}
