//! `spark_serverless_runtime!`: DSF's SparkEmrServerlessRuntime (`model.rs` checks it,
//! `synth.rs` synthesizes the application, VPC, execution role and start-job grants).

pub mod model;
pub mod synth;

pub use model::ServerlessRuntime;
pub use synth::{ids, RuntimeIds};

use super::{Attribute, Construct, ConstructDef, Index};
use crate::expand::{handle_type, opt};
use crate::model::Handle;
use crate::synth::Linker;
use crate::value::Declaration;
use proc_macro2::TokenStream;
use quote::quote;

pub static DEF: ConstructDef = ConstructDef {
    macro_name: "spark_serverless_runtime",
    what: "spark_serverless_runtime!",
    handle_type: "SparkServerlessRuntime",
    fields: &[
        "stack",
        "name",
        "release_label",
        "architecture",
        "vpc",
        "network",
        "removal_policy",
        "maximum_capacity",
        "initial_capacity",
        "image_uri",
        "worker_images",
        "runtime_configuration",
        "auto_start",
        "auto_stop",
        "interactive",
        "monitoring",
        "scheduler",
        "identity_center_instance_arn",
        "execution_role",
        "start_job_roles",
        "tags",
    ],
    example: r#"pub RUNTIME {
        name: "spark-serverless-demo",
        release_label: "emr-7.5.0",
        architecture: ARM64,
        vpc: { cidr: "10.20.0.0/16", max_azs: 2, nat_gateways: 1 },
        maximum_capacity: { cpu: "400 vCPU", memory: "3000 GB" },
        execution_role: {
            statements: [{ actions: ["s3:GetObject"], resources: ["arn:${AWS::Partition}:s3:::my-data-bucket/*"] }],
        },
        start_job_roles: [{ id: "JobTrigger", assumed_by: "lambda.amazonaws.com" }],
        tags: { "team": "analytics" },
    }"#,
    check: |decl, ctx, diags| model::check(decl, ctx, diags).map(|r| Box::new(r) as Box<dyn Construct>),
};

impl Construct for ServerlessRuntime {
    fn def(&self) -> &'static ConstructDef {
        &DEF
    }

    fn handle(&self) -> &Handle {
        &self.handle
    }

    fn attributes(&self) -> Vec<Attribute> {
        let ids = ids(self);
        let mut out = vec![
            Attribute {
                name: "application_id",
                output: ids.out_application_id,
            },
            Attribute {
                name: "application_arn",
                output: ids.out_application_arn,
            },
        ];
        if self.execution_role.is_some() {
            out.push(Attribute {
                name: "execution_role_arn",
                output: ids.out_execution_role_arn,
            });
        }
        out
    }

    fn synth(&self, _index: &Index, link: &mut Linker) {
        synth::synth(self, link.template(&self.handle.stack));
    }

    fn expand(&self, decl: &Declaration) -> TokenStream {
        let (vis, name, ident) = (&decl.vis, &decl.name, decl.name.to_string());
        let ty = handle_type(&DEF);
        let ids = ids(self);
        let (stack, app_name, release) = (&self.handle.stack, &self.name, &self.release_label);
        let (id_out, arn_out) = (&ids.out_application_id, &ids.out_application_arn);
        let role_out = opt(self
            .execution_role
            .as_ref()
            .map(|_| ids.out_execution_role_arn.as_str()));
        quote! {
            #vis static #name: #ty = #ty {
                handle: #ident,
                stack: #stack,
                name: #app_name,
                release_label: #release,
                application_id_output: #id_out,
                application_arn_output: #arn_out,
                execution_role_arn_output: #role_out,
            };
        }
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}
