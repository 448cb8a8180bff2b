//! `spark_serverless_runtime!`: DSF's SparkEmrServerlessRuntime (`model.rs` checks it,
//! `synth.rs` synthesizes the application, VPC, execution role and start-job grants).

pub mod model;
pub mod synth;

pub use model::ServerlessRuntime;
pub use synth::{ids, RuntimeIds};

use super::overrides::{target, Target};
use super::{Attribute, Construct, ConstructDef, Index, Reference};
use crate::expand::{handle_type, opt};
use crate::model::Handle;
use crate::synth::{att, r#ref, Linker};
use crate::value::Declaration;
use model::Network;
use proc_macro2::TokenStream;
use quote::quote;
use serde_json::json;

/// What `overrides` may target (the network only when sparkform creates it).
const TARGETS: &[Target] = &[
    target("Application", "AWS::EMRServerless::Application"),
    target("ExecutionRole", "AWS::IAM::Role"),
    target("StartJobPolicy", "AWS::IAM::Policy"),
];

pub static DEF: ConstructDef = ConstructDef {
    macro_name: "spark_serverless_runtime",
    what: "spark_serverless_runtime!",
    handle_type: "SparkServerlessRuntime",
    fields: &[
        "stack",
        "outputs",
        "exports",
        "overrides",
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
    attributes: &[
        "application_id",
        "application_arn",
        "execution_role_arn",
        "execution_role_name",
        "vpc_id",
        "private_subnet_ids",
        "security_group_id",
        "s3_endpoint_id",
        "flow_log_group_name",
        "flow_log_key_arn",
        "flow_log_role_arn",
    ],
    targets: &[TARGETS, crate::synth::vpc::TARGETS],
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
        exports: { vpc_id: "analytics-spark-vpc" },
        overrides: {
            Application: { "Properties.AutoStopConfiguration.IdleTimeoutMinutes": 30, "Properties.Tags.0.Value": "data" },
            PrivateSubnet2: { "Properties.MapPublicIpOnLaunch": delete },
        },
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
        let p = &self.handle.prefix;
        let name = &self.name;
        let mut out = vec![
            Attribute::new(
                "application_id",
                &ids.out_application_id,
                r#ref(&ids.application),
                format!("EMR Serverless application id of {name}"),
            ),
            Attribute::new(
                "application_arn",
                &ids.out_application_arn,
                att(&ids.application, "Arn"),
                format!("EMR Serverless application ARN of {name}"),
            ),
        ];
        if self.execution_role.is_some() {
            out.push(Attribute::new(
                "execution_role_arn",
                &ids.out_execution_role_arn,
                att(&ids.execution_role, "Arn"),
                format!("Execution role for jobs on {name}"),
            ));
            out.push(Attribute::new(
                "execution_role_name",
                format!("{}Name", ids.execution_role),
                r#ref(&ids.execution_role),
                format!("Name of the execution role for jobs on {name}"),
            ));
        }
        if let Network::DefaultVpc(spec) = &self.network {
            let subnets: Vec<_> = (1..=spec.azs).map(|n| r#ref(&format!("{p}PrivateSubnet{n}"))).collect();
            out.extend([
                Attribute::new(
                    "vpc_id",
                    format!("{p}VpcId"),
                    r#ref(&format!("{p}Vpc")),
                    format!("VPC of {name}"),
                ),
                Attribute::new(
                    "private_subnet_ids",
                    format!("{p}PrivateSubnetIds"),
                    json!({ "Fn::Join": [",", subnets] }),
                    format!("Private subnets of {name}, comma-separated"),
                ),
                Attribute::new(
                    "security_group_id",
                    format!("{p}SecurityGroupId"),
                    r#ref(&format!("{p}SecurityGroup")),
                    format!("Security group of {name}"),
                ),
                Attribute::new(
                    "s3_endpoint_id",
                    format!("{p}S3EndpointId"),
                    r#ref(&format!("{p}S3Endpoint")),
                    format!("S3 gateway endpoint of the VPC of {name}"),
                ),
                Attribute::new(
                    "flow_log_group_name",
                    format!("{p}FlowLogGroupName"),
                    r#ref(&format!("{p}FlowLogGroup")),
                    format!("Flow-log group of the VPC of {name}"),
                ),
                Attribute::new(
                    "flow_log_key_arn",
                    format!("{p}FlowLogKeyArn"),
                    att(&format!("{p}FlowLogKey"), "Arn"),
                    format!("KMS key of the flow logs of {name}"),
                ),
                Attribute::new(
                    "flow_log_role_arn",
                    format!("{p}FlowLogRoleArn"),
                    att(&format!("{p}FlowLogRole"), "Arn"),
                    format!("Role that delivers the flow logs of {name}"),
                ),
            ]);
        }
        out
    }

    fn references(&self) -> Vec<Reference<'_>> {
        self.shared_role
            .iter()
            .map(|p| Reference {
                field: "execution_role",
                path: p,
                accepts: &["execution_role"],
            })
            .collect()
    }

    fn synth(&self, index: &Index, link: &mut Linker) {
        // A shared role is the execution_role!'s: imported when it is in another stack.
        let shared = self
            .shared_role
            .as_ref()
            .and_then(|p| index.construct(p))
            .and_then(|role| super::attributes::import(role, "role_arn", &self.handle.stack, link));
        synth::synth(self, shared, link.template(&self.handle.stack));
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
        let (consts, shared) = match &self.shared_role {
            Some(p) => {
                let l = crate::expand::local("role");
                (
                    crate::expand::handle_ref(&l, p, "ExecutionRole"),
                    quote!(::core::option::Option::Some(#l)),
                )
            }
            None => (TokenStream::new(), quote!(::core::option::Option::None)),
        };
        let attributes = crate::expand::attribute_table(self);
        quote! {
            #vis static #name: #ty = { #consts #ty {
                handle: #ident,
                stack: #stack,
                name: #app_name,
                release_label: #release,
                application_id_output: #id_out,
                application_arn_output: #arn_out,
                execution_role_arn_output: #role_out,
                shared_role: #shared,
                attributes: #attributes,
            } };
        }
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}
