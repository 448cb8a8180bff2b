//! `emr_eks_runtime!`: an EKS cluster for EMR on EKS in native CloudFormation, DSF's
//! SparkEmrContainersRuntime without its Lambdas, nested stacks and kubectl. Two stacks:
//! the cluster's (network, cluster, capacity, roles, pod templates) and, deployed after the
//! runtime has applied the Kubernetes objects (namespaces, node pools), the virtual
//! clusters' (virtual clusters, interactive endpoints, start-job grants).
//!
//! - `model.rs` reads and checks the body; `files.rs` the crate's YAML files;
//! - `cluster.rs`, `capacity.rs`, `roles.rs`: the cluster's stack;
//! - `profiles.rs`: DSF's default nodes (pod templates, node pools, Spark defaults);
//! - `kube.rs`: the Kubernetes objects; `virtual_clusters.rs`: the second stack.

pub mod capacity;
pub mod cluster;
pub mod files;
pub mod karpenter;
pub mod kube;
pub mod model;
pub mod profiles;
pub mod roles;
pub mod virtual_clusters;

pub use model::{EmrEksRuntime, Profile};

use super::overrides::{target, Target as OverrideTarget};
use super::{Attribute, Construct, ConstructDef, Index, ManifestParts};
use crate::expand::{handle_type, track_files};
use crate::model::Handle;
use crate::synth::{att, r#ref, Linker};
use crate::value::Declaration;
use model::{Capacity, Network};
use proc_macro2::TokenStream;
use profiles::Role;
use quote::quote;
use serde_json::{json, Value as Json};
use sha2::{Digest, Sha256};
use sparkform_assembly::{Asset, AssetSource, KubeGroup, KubeNetwork, ValueRef};
use std::collections::BTreeMap;

/// What `overrides` may target (some only in some capacity modes or with some fields;
/// `*` is a name the declaration gives, PascalCased).
const TARGETS: &[OverrideTarget] = &[
    target("Cluster", "AWS::EKS::Cluster"),
    target("ClusterRole", "AWS::IAM::Role"),
    target("SecretsKey", "AWS::KMS::Key"),
    target("NodeRole", "AWS::IAM::Role"),
    target("AdminAccess", "AWS::EKS::AccessEntry"),
    target("NodeAccess", "AWS::EKS::AccessEntry"),
    target("EmrServiceLinkedRole", "AWS::IAM::ServiceLinkedRole"),
    target("OidcProvider", "AWS::IAM::OIDCProvider"),
    // The associations before the roles: the first target a name matches is the one.
    target("ExecutionRole*ClientAssociation", "AWS::EKS::PodIdentityAssociation"),
    target("ExecutionRole*DriverAssociation", "AWS::EKS::PodIdentityAssociation"),
    target("ExecutionRole*ExecutorAssociation", "AWS::EKS::PodIdentityAssociation"),
    target("ExecutionRole*", "AWS::IAM::Role"),
    target("PodTemplateBucket", "AWS::S3::Bucket"),
    target("PodTemplateBucketPolicy", "AWS::S3::BucketPolicy"),
    target("AccessLogsBucket", "AWS::S3::Bucket"),
    target("AccessLogsBucketPolicy", "AWS::S3::BucketPolicy"),
    target("LaunchTemplate", "AWS::EC2::LaunchTemplate"),
    target("ToolingNodeGroup", "AWS::EKS::Nodegroup"),
    target("NodeGroup*", "AWS::EKS::Nodegroup"),
    target("Addon*", "AWS::EKS::Addon"),
    target("EbsCsiRole", "AWS::IAM::Role"),
    target("InterruptionQueue", "AWS::SQS::Queue"),
    target("InterruptionQueuePolicy", "AWS::SQS::QueuePolicy"),
    target("Karpenter*Rule", "AWS::Events::Rule"),
    target("KarpenterRole", "AWS::IAM::Role"),
    target("KarpenterRoleAssociation", "AWS::EKS::PodIdentityAssociation"),
    target("VirtualCluster*", "AWS::EMRContainers::VirtualCluster"),
    target("Endpoint*", "AWS::EMRContainers::Endpoint"),
    target("StartJobPolicy", "AWS::IAM::Policy"),
];

/// Attributes every declaration can have (some only with some settings).
const ATTRIBUTES: &[&str] = &[
    "cluster_name",
    "cluster_arn",
    "cluster_endpoint",
    "cluster_security_group_id",
    "oidc_issuer_url",
    "oidc_provider_arn",
    "secrets_key_arn",
    "node_role_arn",
    "node_role_name",
    "vpc_id",
    "private_subnet_ids",
    "pod_template_bucket_name",
    "access_logs_bucket_name",
    "critical_driver_pod_template",
    "critical_executor_pod_template",
    "shared_driver_pod_template",
    "shared_executor_pod_template",
    "notebook_driver_pod_template",
    "notebook_executor_pod_template",
    "critical_default_config",
    "shared_default_config",
    "notebook_default_config",
    "karpenter_role_arn",
    "interruption_queue_name",
];

pub static DEF: ConstructDef = ConstructDef {
    macro_name: "emr_eks_runtime",
    what: "emr_eks_runtime!",
    handle_type: "EmrEksRuntime",
    fields: &[
        "stack",
        "outputs",
        "exports",
        "overrides",
        "cluster_name",
        "kubernetes_version",
        "admin_role",
        "public_endpoint",
        "public_access_cidrs",
        "vpc",
        "network",
        "capacity",
        "default_nodes",
        "node_groups",
        "create_service_linked_role",
        "release_label",
        "virtual_clusters",
        "execution_roles",
        "interactive_endpoints",
        "pod_templates",
        "node_pools",
        "start_job_roles",
        "removal_policy",
        "tags",
    ],
    attributes: ATTRIBUTES,
    targets: &[TARGETS, crate::synth::vpc::TARGETS],
    example: r#"pub EKS {
        cluster_name: "data-platform",
        kubernetes_version: "1.35",
        admin_role: "arn:aws:iam::123456789012:role/eks-admin",
        public_access_cidrs: ["10.0.0.0/32"],
        vpc: { cidr: "10.1.0.0/16", max_azs: 2, nat_gateways: 1 },
        capacity: karpenter,
        create_service_linked_role: true,
        virtual_clusters: [{ name: "dailyjob", namespace: "dailyjobns", quota: { cpu: "1000", memory: "4000Gi" } }],
        execution_roles: [{
            name: "s3ReadExecRole",
            namespace: "dailyjobns",
            statements: [{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::aws-data-analytics-workshops/*"] }],
        }],
        interactive_endpoints: [{ name: "interactiveSession", virtual_cluster: "dailyjob", execution_role: "s3ReadExecRole" }],
        start_job_roles: [{ id: "StartJobRole", assumed_by: "lambda.amazonaws.com" }],
        tags: { "team": "analytics" },
    }"#,
    check: |decl, ctx, diags| model::check(decl, ctx, diags).map(|r| Box::new(r) as Box<dyn Construct>),
};

/// Logical IDs and output names of a runtime.
pub struct Ids {
    prefix: String,
    pub cluster: String,
    pub cluster_role: String,
    pub secrets_key: String,
    pub node_role: String,
    pub node_access: String,
    pub admin_access: String,
    pub service_linked_role: String,
    pub oidc_provider: String,
    pub pod_template_bucket: String,
    pub access_logs_bucket: String,
    pub launch_template: String,
    pub tooling_node_group: String,
    pub ebs_csi_role: String,
    pub interruption_queue: String,
    pub karpenter_role: String,
    pub start_job_policy: String,
    pub out_pod_template_bucket: String,
    pub out_node_role_name: String,
}

impl Ids {
    pub fn new(r: &EmrEksRuntime) -> Ids {
        let h = &r.handle;
        Ids {
            prefix: h.prefix.clone(),
            cluster: h.id("Cluster"),
            cluster_role: h.id("ClusterRole"),
            secrets_key: h.id("SecretsKey"),
            node_role: h.id("NodeRole"),
            node_access: h.id("NodeAccess"),
            admin_access: h.id("AdminAccess"),
            service_linked_role: h.id("EmrServiceLinkedRole"),
            oidc_provider: h.id("OidcProvider"),
            pod_template_bucket: h.id("PodTemplateBucket"),
            access_logs_bucket: h.id("AccessLogsBucket"),
            launch_template: h.id("LaunchTemplate"),
            tooling_node_group: h.id("ToolingNodeGroup"),
            ebs_csi_role: h.id("EbsCsiRole"),
            interruption_queue: h.id("InterruptionQueue"),
            karpenter_role: h.id("KarpenterRole"),
            start_job_policy: h.id("StartJobPolicy"),
            out_pod_template_bucket: h.id("PodTemplateBucketName"),
            out_node_role_name: h.id("NodeRoleName"),
        }
    }

    pub fn execution_role(&self, name: &str) -> String {
        format!("{}ExecutionRole{}", self.prefix, roles::id_part(name))
    }

    pub fn virtual_cluster(&self, name: &str) -> String {
        format!("{}VirtualCluster{}", self.prefix, roles::id_part(name))
    }

    pub fn endpoint(&self, name: &str) -> String {
        format!("{}Endpoint{}", self.prefix, roles::id_part(name))
    }

    pub fn node_group(&self, name: &str) -> String {
        format!("{}NodeGroup{}", self.prefix, roles::id_part(name))
    }

    pub fn addon(&self, part: &str) -> String {
        format!("{}Addon{part}", self.prefix)
    }

    pub fn karpenter_rule(&self, part: &str) -> String {
        format!("{}Karpenter{part}Rule", self.prefix)
    }

    /// The output with the availability zone of private subnet `n` (from 1).
    pub fn zone_output(&self, n: u32) -> String {
        format!("{}PrivateSubnet{n}Zone", self.prefix)
    }
}

/// SHA-256 hex of a text.
fn sha256(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A default pod template's text (JSON, which is YAML) and its content-hashed S3 key.
pub fn default_template(p: Profile, role: Role) -> (String, String) {
    let text = serde_json::to_string_pretty(&profiles::pod_template(p, role)).expect("JSON") + "\n";
    let key = format!(
        "{}/{}/{}",
        profiles::POD_TEMPLATE_PREFIX,
        &sha256(&text)[..16],
        profiles::template_file(p, role)
    );
    (text, key)
}

/// The S3 key of a default pod template.
pub fn template_key(p: Profile, role: Role) -> String {
    default_template(p, role).1
}

/// The S3 key of one of the crate's pod templates.
pub fn user_template_key(f: &files::UserFile) -> String {
    format!("{}/{}/{}", profiles::POD_TEMPLATE_PREFIX, &f.hash[..16], f.file_name())
}

/// `s3://${PodTemplateBucket}/<key>`: the runtime's pod-template bucket is a placeholder
/// wherever a job names a template.
pub fn template_uri(key: &str) -> String {
    format!("s3://{}/{key}", sparkform_assembly::Placeholder::PodTemplateBucket)
}

/// `Fn::Sub` of a text naming the pod-template bucket, inside the runtime's stack.
fn with_bucket(text: &str, ids: &Ids) -> Json {
    let name = sparkform_assembly::Placeholder::PodTemplateBucket.name();
    json!({ "Fn::Sub": [text, { name: r#ref(&ids.pod_template_bucket) }] })
}

impl EmrEksRuntime {
    /// The cluster's VPC, subnets and cluster security group, for a runner that reaches
    /// the endpoint from inside (a pipeline's Kubernetes step).
    pub fn kube_network(&self) -> KubeNetwork {
        let (stack, p) = (&self.handle.stack, &self.handle.prefix);
        let (vpc_id, subnet_ids) = match &self.network {
            Network::DefaultVpc(_) => (
                ValueRef::output(stack, format!("{p}VpcId")),
                ValueRef::output(stack, format!("{p}PrivateSubnetIds")),
            ),
            Network::Existing { vpc_id, subnet_ids } => {
                (ValueRef::literal(vpc_id), ValueRef::literal(subnet_ids.join(",")))
            }
        };
        KubeNetwork {
            vpc_id,
            subnet_ids,
            security_group_id: ValueRef::output(stack, format!("{p}ClusterSecurityGroupId")),
        }
    }

    /// Whether the runtime has a pod-template bucket.
    pub fn has_template_bucket(&self) -> bool {
        self.has_profiles() || !self.pod_templates.is_empty()
    }

    /// The Spark defaults of a profile, naming its templates with the bucket placeholder.
    pub fn profile_defaults(&self, p: Profile) -> Vec<(String, String)> {
        let uri = |role| template_uri(&template_key(p, role));
        profiles::spark_defaults(p, &uri(Role::Driver), &uri(Role::Executor))
    }

    /// The zones of the subnets the runtime creates (`${Zone1}`, ...), for per-zone pools.
    fn zone_names(&self) -> Vec<String> {
        match &self.network {
            Network::DefaultVpc(spec) => (1..=spec.azs).map(|n| format!("${{Zone{n}}}")).collect(),
            Network::Existing { .. } => Vec::new(),
        }
    }
}

impl Construct for EmrEksRuntime {
    fn def(&self) -> &'static ConstructDef {
        &DEF
    }

    fn handle(&self) -> &Handle {
        &self.handle
    }

    fn attributes(&self) -> Vec<Attribute> {
        let ids = Ids::new(self);
        let p = &self.handle.prefix;
        let name = &self.cluster_name;
        let mut out = vec![
            Attribute::new(
                "cluster_name",
                format!("{p}ClusterName"),
                r#ref(&ids.cluster),
                format!("Name of EKS cluster {name}"),
            ),
            Attribute::new(
                "cluster_arn",
                format!("{p}ClusterArn"),
                att(&ids.cluster, "Arn"),
                format!("ARN of EKS cluster {name}"),
            ),
            Attribute::new(
                "cluster_endpoint",
                format!("{p}ClusterEndpoint"),
                att(&ids.cluster, "Endpoint"),
                format!("Kubernetes API endpoint of {name}"),
            ),
            Attribute::new(
                "cluster_security_group_id",
                format!("{p}ClusterSecurityGroupId"),
                att(&ids.cluster, "ClusterSecurityGroupId"),
                format!("Security group EKS created for {name}"),
            ),
            Attribute::new(
                "oidc_issuer_url",
                format!("{p}OidcIssuerUrl"),
                att(&ids.cluster, "OpenIdConnectIssuerUrl"),
                format!("OIDC issuer of {name}"),
            ),
            Attribute::new(
                "secrets_key_arn",
                format!("{p}SecretsKeyArn"),
                att(&ids.secrets_key, "Arn"),
                format!("KMS key of the Kubernetes secrets of {name}"),
            ),
            Attribute::new(
                "node_role_arn",
                format!("{p}NodeRoleArn"),
                att(&ids.node_role, "Arn"),
                format!("Role of the nodes of {name}"),
            ),
            Attribute::new(
                "node_role_name",
                ids.out_node_role_name.clone(),
                r#ref(&ids.node_role),
                format!("Name of the role of the nodes of {name}"),
            ),
        ];
        if self.needs_oidc() {
            out.push(Attribute::new(
                "oidc_provider_arn",
                format!("{p}OidcProviderArn"),
                att(&ids.oidc_provider, "Arn"),
                format!("IAM OIDC provider of {name}"),
            ));
        }
        if let Network::DefaultVpc(spec) = &self.network {
            let subnets: Vec<Json> = (1..=spec.azs).map(|n| r#ref(&format!("{p}PrivateSubnet{n}"))).collect();
            out.push(Attribute::new(
                "vpc_id",
                format!("{p}VpcId"),
                r#ref(&format!("{p}Vpc")),
                format!("VPC of {name}"),
            ));
            out.push(Attribute::new(
                "private_subnet_ids",
                format!("{p}PrivateSubnetIds"),
                json!({ "Fn::Join": [",", subnets] }),
                format!("Private subnets of {name}, comma-separated"),
            ));
        }
        if self.has_template_bucket() {
            out.push(Attribute::new(
                "pod_template_bucket_name",
                ids.out_pod_template_bucket.clone(),
                r#ref(&ids.pod_template_bucket),
                format!("S3 bucket with the pod templates of {name}"),
            ));
            out.push(Attribute::new(
                "access_logs_bucket_name",
                format!("{p}AccessLogsBucketName"),
                r#ref(&ids.access_logs_bucket),
                format!("S3 bucket with the access logs of the pod-template bucket of {name}"),
            ));
        }
        if self.has_profiles() {
            for prof in Profile::ALL {
                for role in Role::ALL {
                    let uri = template_uri(&template_key(prof, role));
                    out.push(Attribute::new(
                        profiles::template_attribute(prof, role),
                        format!("{p}{}PodTemplate", profiles::profile_id(prof, role)),
                        with_bucket(&uri, &ids),
                        format!("S3 URI of the {} {} pod template of {name}", prof.name(), role.name()),
                    ));
                }
                let config = profiles::configuration_overrides(
                    prof,
                    &template_uri(&template_key(prof, Role::Driver)),
                    &template_uri(&template_key(prof, Role::Executor)),
                );
                out.push(Attribute::new(
                    profiles::config_attribute(prof),
                    format!("{p}{}DefaultConfig", roles::id_part(prof.name())),
                    with_bucket(&serde_json::to_string(&config).expect("JSON"), &ids),
                    format!(
                        "Spark defaults of the {} profile of {name} (ConfigurationOverrides JSON)",
                        prof.name()
                    ),
                ));
            }
        }
        if self.capacity == Capacity::Karpenter {
            out.push(Attribute::new(
                "karpenter_role_arn",
                format!("{p}KarpenterRoleArn"),
                att(&ids.karpenter_role, "Arn"),
                format!("Role of the Karpenter controller of {name}"),
            ));
            out.push(Attribute::new(
                "interruption_queue_name",
                format!("{p}InterruptionQueueName"),
                att(&ids.interruption_queue, "QueueName"),
                format!("Karpenter's interruption queue of {name}"),
            ));
        }
        out
    }

    fn synth(&self, _index: &Index, link: &mut Linker) {
        let ids = Ids::new(self);
        let t = link.template(&self.handle.stack);
        t.kinds.insert("SparkEmrContainersRuntime");
        let net = cluster::network(self, t);
        cluster::cluster(self, &ids, &net, t);
        capacity::synth(self, &ids, &net, t);
        roles::synth(self, &ids, t);
        if self.has_template_bucket() {
            crate::synth::bucket::logged_secure_bucket(
                t,
                &ids.pod_template_bucket,
                &ids.access_logs_bucket,
                "the pod-template bucket",
                self.removal,
            );
        }
        // What the virtual clusters' stack, the Kubernetes objects and jobs read.
        for role in &self.execution_roles {
            let id = ids.execution_role(&role.name);
            t.output(
                &format!("{id}Arn"),
                att(&id, "Arn"),
                &format!("EMR on EKS execution role {}", role.name),
            );
        }
        if let Network::DefaultVpc(spec) = &self.network {
            for n in 1..=spec.azs {
                let subnet = format!("{}PrivateSubnet{n}", self.handle.prefix);
                t.output(
                    &ids.zone_output(n),
                    att(&subnet, "AvailabilityZone"),
                    &format!("Availability zone of private subnet {n} of {}", self.cluster_name),
                );
            }
        }
        virtual_clusters::synth(self, &ids, link);
    }

    fn manifest(&self, _index: &Index, parts: &mut ManifestParts) {
        let ids = Ids::new(self);
        let stack = &self.handle.stack;
        let bucket = ValueRef::output(stack, &ids.out_pod_template_bucket);
        if self.has_profiles() {
            for p in Profile::ALL {
                for role in Role::ALL {
                    let (content, key) = default_template(p, role);
                    parts.assets.push(Asset {
                        id: format!("{}{}PodTemplate", self.handle.prefix, profiles::profile_id(p, role)),
                        package: self.handle.ident.clone(),
                        hash: sha256(&content),
                        source: AssetSource::Inline { content },
                        bucket: bucket.clone(),
                        key,
                        stack: stack.clone(),
                    });
                }
            }
        }
        for f in &self.pod_templates {
            parts.assets.push(Asset {
                id: format!("{}PodTemplate{}", self.handle.prefix, roles::id_part(f.file_name())),
                package: self.handle.ident.clone(),
                hash: f.hash.clone(),
                source: AssetSource::File { source: f.path.clone() },
                bucket: bucket.clone(),
                key: user_template_key(f),
                stack: stack.clone(),
            });
        }
        let objects = kube::objects(self, &self.zone_names());
        if objects.is_empty() {
            return;
        }
        let mut values = BTreeMap::new();
        values.insert("NodeRole".to_string(), ValueRef::output(stack, &ids.out_node_role_name));
        let karpenter = self.capacity == Capacity::Karpenter;
        if karpenter {
            values.insert(
                karpenter::QUEUE_VALUE.to_string(),
                ValueRef::output(stack, format!("{}InterruptionQueueName", self.handle.prefix)),
            );
        }
        if let Network::DefaultVpc(spec) = &self.network {
            for n in 1..=spec.azs {
                values.insert(format!("Zone{n}"), ValueRef::output(stack, ids.zone_output(n)));
            }
        }
        parts.kubernetes.push(KubeGroup {
            id: format!("{}Objects", self.handle.prefix),
            construct: self.handle.ident.clone(),
            cluster: ValueRef::literal(&self.cluster_name),
            after_stack: stack.clone(),
            before_stacks: if self.virtual_clusters.is_empty() {
                Vec::new()
            } else {
                vec![virtual_clusters::stack_of(self)]
            },
            objects,
            values,
            role: Some(self.admin_role.arn.clone()),
            crds: if karpenter { karpenter::crds() } else { Vec::new() },
            network: Some(self.kube_network()),
        });
    }

    fn expand(&self, decl: &Declaration) -> TokenStream {
        let (vis, name, ident) = (&decl.vis, &decl.name, decl.name.to_string());
        let ty = handle_type(&DEF);
        let ids = Ids::new(self);
        let (stack, cluster) = (&self.handle.stack, &self.cluster_name);
        let vc_stack = virtual_clusters::stack_of(self);
        let vcs = self.virtual_clusters.iter().map(|v| {
            let (vname, ns) = (&v.name, &v.namespace);
            let id = ids.virtual_cluster(&v.name);
            let (id_out, arn_out) = (format!("{id}Id"), format!("{id}Arn"));
            quote!(::sparkform::VirtualClusterHandle { name: #vname, namespace: #ns, id_output: #id_out, arn_output: #arn_out })
        });
        let roles = self.execution_roles.iter().map(|r| {
            let (rname, ns) = (&r.name, &r.namespace);
            let arn_out = format!("{}Arn", ids.execution_role(&r.name));
            quote!(::sparkform::EksRoleHandle { name: #rname, namespace: #ns, arn_output: #arn_out })
        });
        let release = &self.release_label;
        let files: Vec<std::path::PathBuf> = self
            .pod_templates
            .iter()
            .chain(&self.node_pools)
            .map(|f| f.full.clone())
            .collect();
        let tracked = track_files(&files);
        let attributes = crate::expand::attribute_table(self);
        // The runtime applies namespaces and node pools with kube: without sparkform's
        // `kubernetes` feature, an error at the handle that says how to enable it.
        let requires = if kube::objects(self, &self.zone_names()).is_empty() {
            TokenStream::new()
        } else {
            let span = decl.name.span();
            quote::quote_spanned!(span=> ::sparkform::__requires_kubernetes!("emr_eks_runtime! (its namespaces and node pools are applied to the cluster)");)
        };
        quote! {
            #requires
            #tracked
            #vis static #name: #ty = #ty {
                handle: #ident,
                stack: #stack,
                virtual_cluster_stack: #vc_stack,
                cluster_name: #cluster,
                release_label: #release,
                virtual_clusters: &[#(#vcs),*],
                execution_roles: &[#(#roles),*],
                attributes: #attributes,
            };
        }
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}
