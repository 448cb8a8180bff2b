//! `emr_eks_runtime!`: DSF's SparkEmrContainersRuntime on native CloudFormation (no Lambda,
//! no nested stack, no kubectl): the EKS cluster, its capacity, virtual clusters, execution
//! roles, pod templates, interactive endpoints and start-job grants, as the body declares them.

use super::files::{read_files, UserFile};
use crate::checks::{cidr, kubernetes as k8s, names, release};
use crate::diag::{suggestion, Diags};
use crate::model::common::{read_tags, Context, Handle, Removal};
use crate::model::iam::{read_policy, read_role_ref, Policy, RoleRef};
use crate::model::vpc::{read_vpc, VpcSpec};
use crate::reader::{Fields, Spanned};
use crate::value::{Declaration, Object, Value};
use proc_macro2::Span;

/// The cluster name DSF uses when none is given.
pub const DEFAULT_CLUSTER_NAME: &str = "data-platform";
/// EMR releases from which StartJobRun takes EKS Pod Identity credentials.
pub const POD_IDENTITY_RELEASE: (u32, u32, u32) = (7, 3, 0);

#[derive(Clone, Debug)]
pub struct EmrEksRuntime {
    pub handle: Handle,
    pub cluster_name: String,
    pub kubernetes_version: String,
    pub admin_role: AdminRole,
    pub endpoint: ApiEndpoint,
    pub network: Network,
    pub capacity: Capacity,
    /// DSF's `defaultNodes`: critical, shared and notebook node pools with their pod
    /// templates and Spark defaults (Auto Mode and Karpenter).
    pub default_nodes: bool,
    pub node_groups: Vec<NodeGroup>,
    pub create_service_linked_role: bool,
    /// The EMR release jobs and endpoints get unless they name one.
    pub release_label: String,
    pub virtual_clusters: Vec<VirtualCluster>,
    pub execution_roles: Vec<JobRole>,
    pub interactive_endpoints: Vec<InteractiveEndpoint>,
    pub pod_templates: Vec<UserFile>,
    pub node_pools: Vec<UserFile>,
    pub start_job_roles: Vec<RoleRef>,
    pub removal: Removal,
    pub tags: Vec<(String, String)>,
}

#[derive(Clone, Debug)]
pub struct AdminRole {
    pub arn: String,
    pub name: String,
}

/// The Kubernetes API endpoint: always private; public only from the listed CIDRs.
#[derive(Clone, Debug)]
pub struct ApiEndpoint {
    pub public: bool,
    pub public_access_cidrs: Vec<String>,
}

#[derive(Clone, Debug)]
pub enum Network {
    /// A VPC sparkform creates (DSF's DataVpc without its defects), tagged for EKS.
    DefaultVpc(VpcSpec),
    Existing {
        vpc_id: String,
        subnet_ids: Vec<String>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Capacity {
    /// EKS Auto Mode: compute, block storage and load balancing managed by EKS.
    Auto,
    /// Karpenter on a small managed node group, with its IAM, queue and rules.
    Karpenter,
    /// Managed node groups only.
    NodeGroups,
}

impl Capacity {
    pub fn name(self) -> &'static str {
        match self {
            Capacity::Auto => "auto",
            Capacity::Karpenter => "karpenter",
            Capacity::NodeGroups => "node_groups",
        }
    }
}

#[derive(Clone, Debug)]
pub struct NodeGroup {
    pub name: String,
    pub instance_types: Vec<String>,
    pub min_size: u32,
    pub max_size: u32,
    pub desired_size: u32,
    pub spot: bool,
    pub ami_type: String,
    pub labels: Vec<(String, String)>,
    pub taints: Vec<Taint>,
}

#[derive(Clone, Debug)]
pub struct Taint {
    pub key: String,
    pub value: String,
    /// `NoSchedule`, `PreferNoSchedule` or `NoExecute` (Kubernetes' spelling).
    pub effect: &'static str,
}

#[derive(Clone, Debug)]
pub struct VirtualCluster {
    pub name: String,
    pub span: Span,
    pub namespace: String,
    /// Whether the namespace passed its checks (else its error is the one to report).
    pub namespace_ok: bool,
    pub create_namespace: bool,
    pub quota: Option<Quota>,
    pub default_requests: Option<Quota>,
    pub tags: Vec<(String, String)>,
}

/// CPU and memory quantities (a ResourceQuota's requests, or a LimitRange's defaults).
#[derive(Clone, Debug)]
pub struct Quota {
    pub cpu: String,
    pub memory: String,
}

/// A job execution role in one namespace.
#[derive(Clone, Debug)]
pub struct JobRole {
    /// The name the crate gives it: how jobs refer to it (`EKS.s3ReadExecRole`).
    pub name: String,
    /// The IAM role's name (`<stage>-<name>` in a pipeline's stage); EMR derives its
    /// service accounts from it.
    pub role_name: String,
    pub span: Span,
    pub namespace: String,
    pub policy: Policy,
    /// IRSA trust too (interactive endpoints and releases before 7.3 need it).
    pub irsa: bool,
}

#[derive(Clone, Debug)]
pub struct InteractiveEndpoint {
    pub name: String,
    pub span: Span,
    pub virtual_cluster: Spanned<String>,
    pub execution_role: Spanned<String>,
    pub release_label: String,
}

/// The node profiles of DSF's default nodes: pod templates, node pools, Spark defaults.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Profile {
    Critical,
    Shared,
    Notebook,
}

impl Profile {
    pub const ALL: [Profile; 3] = [Profile::Critical, Profile::Shared, Profile::Notebook];

    pub fn name(self) -> &'static str {
        match self {
            Profile::Critical => "critical",
            Profile::Shared => "shared",
            Profile::Notebook => "notebook",
        }
    }

    pub fn from_name(s: &str) -> Option<Profile> {
        Self::ALL.into_iter().find(|p| p.name() == s)
    }
}

impl EmrEksRuntime {
    /// Whether the default node profiles exist (their pod templates, pools and configs).
    pub fn has_profiles(&self) -> bool {
        self.default_nodes && self.capacity != Capacity::NodeGroups
    }

    pub fn virtual_cluster(&self, name: &str) -> Option<&VirtualCluster> {
        self.virtual_clusters.iter().find(|v| v.name == name)
    }

    pub fn role(&self, name: &str) -> Option<&JobRole> {
        self.execution_roles.iter().find(|r| r.name == name)
    }

    /// The roles in a virtual cluster's namespace.
    pub fn roles_in<'a>(&'a self, namespace: &'a str) -> impl Iterator<Item = &'a JobRole> {
        self.execution_roles.iter().filter(move |r| r.namespace == namespace)
    }

    /// Whether a role needs IRSA trust: asked for, or an endpoint runs as it.
    pub fn needs_irsa(&self, role: &JobRole) -> bool {
        role.irsa
            || self
                .interactive_endpoints
                .iter()
                .any(|e| e.execution_role.value == role.name)
    }

    /// Whether the cluster needs an IAM OIDC provider (some role uses IRSA).
    pub fn needs_oidc(&self) -> bool {
        self.execution_roles.iter().any(|r| self.needs_irsa(r))
    }
}

pub fn check(decl: &Declaration, ctx: &Context, diags: &mut Diags) -> Option<EmrEksRuntime> {
    let mut f = Fields::top(&decl.body, &super::DEF, diags);
    let mut handle = Handle::read(decl, &mut f, ctx, diags);
    let cluster_name = match f.str("cluster_name", diags) {
        Some(n) => {
            // In a stage the cluster is `<stage>-<name>` (stages may share an account).
            if let Err((m, h)) =
                check_cluster_name(&n.value).and_then(|_| check_cluster_name(&ctx.staged_name(&n.value)))
            {
                diags.error_help(n.span, m, h);
            }
            n.value
        }
        None => DEFAULT_CLUSTER_NAME.to_string(),
    };
    if f.key_span("stack").is_none() {
        // Not the crate's own stack: jobs there run on virtual clusters created after it.
        let stack = format!("{}-{}", ctx.default_stack(), cluster_name.replace('_', "-"));
        handle.stack = match &ctx.stage {
            Some(stage) => crate::stages::stage_stack(stage, &stack),
            None => stack,
        };
    }
    let cluster_name = ctx.staged_name(&cluster_name);
    let kubernetes_version = read_kubernetes_version(&mut f, diags);
    let admin_role = read_admin_role(&mut f, diags);
    let endpoint = read_endpoint(&mut f, diags);
    let network = read_network(&mut f, diags);
    let capacity = f
        .word("capacity", diags, &["auto", "karpenter", "node_groups"])
        .map(|w| match w.value {
            "karpenter" => Capacity::Karpenter,
            "node_groups" => Capacity::NodeGroups,
            _ => Capacity::Auto,
        })
        .unwrap_or(Capacity::Auto);
    let default_nodes = match f.get("default_nodes") {
        Some(v) => {
            let b = v.boolean(diags);
            if b == Some(true) && capacity == Capacity::NodeGroups {
                diags.error_help(
                    v.span,
                    "`default_nodes` are node pools, which `capacity: node_groups` does not have",
                    "use `capacity: auto` (the default) or `capacity: karpenter` for the default nodes, or declare `node_groups` with the labels your pod templates select",
                );
            }
            b.unwrap_or(false)
        }
        None => capacity != Capacity::NodeGroups,
    };
    let node_groups = read_node_groups(&mut f, capacity, diags);
    let create_service_linked_role = f.bool("create_service_linked_role", diags).unwrap_or(false);
    let release_label = match f.get("release_label") {
        Some(v) => crate::constructs::spark_job::model::read_eks_release(v, diags),
        None => Some(format!("{}-latest", release::DEFAULT_RELEASE)),
    }
    .unwrap_or_else(|| format!("{}-latest", release::DEFAULT_RELEASE));
    let virtual_clusters = read_virtual_clusters(&mut f, diags);
    let execution_roles = read_execution_roles(&mut f, &virtual_clusters, &release_label, ctx, diags);
    let interactive_endpoints = read_endpoints(
        &mut f,
        &virtual_clusters,
        &execution_roles,
        &release_label,
        capacity,
        diags,
    );
    let pod_templates = f
        .list("pod_templates", diags)
        .map(|l| read_files(l, &ctx.crate_dir, super::files::Kind::PodTemplate, diags))
        .unwrap_or_default();
    let node_pools = match f.list("node_pools", diags) {
        Some(l) => {
            if capacity == Capacity::NodeGroups {
                if let Some(span) = f.key_span("node_pools") {
                    diags.error_help(
                        span,
                        "`node_pools` are Karpenter NodePools, which `capacity: node_groups` does not run",
                        "use `capacity: auto` or `capacity: karpenter`, or declare `node_groups`",
                    );
                }
            }
            read_files(l, &ctx.crate_dir, super::files::Kind::NodePool(capacity), diags)
        }
        None => Vec::new(),
    };
    let start_job_roles: Vec<RoleRef> = f
        .list("start_job_roles", diags)
        .map(|l| l.iter().filter_map(|v| read_role_ref(v, diags)).collect())
        .unwrap_or_default();
    if !start_job_roles.is_empty() && (execution_roles.is_empty() || virtual_clusters.is_empty()) {
        if let Some(span) = f.key_span("start_job_roles") {
            diags.error_help(
                span,
                "start_job_roles may start jobs on this runtime's virtual clusters as its execution roles, and it declares no virtual cluster or no execution role",
                "add `virtual_clusters: [...]` and `execution_roles: [...]`, or remove `start_job_roles`",
            );
        }
    }
    let removal = Removal::read(&mut f, ctx, diags);
    let tags = read_tags(&mut f, diags);
    f.finish(diags);
    Some(EmrEksRuntime {
        handle,
        cluster_name,
        kubernetes_version,
        admin_role: admin_role?,
        endpoint: endpoint?,
        network: network?,
        capacity,
        default_nodes,
        node_groups,
        create_service_linked_role,
        release_label,
        virtual_clusters,
        execution_roles,
        interactive_endpoints,
        pod_templates,
        node_pools,
        start_job_roles,
        removal,
        tags,
    })
}

/// EKS cluster names: 1-100 of letters, digits, `-` and `_`, starting with a letter or digit.
fn check_cluster_name(name: &str) -> Result<(), (String, String)> {
    let help =
        "cluster names are 1-100 letters, digits, `-` and `_`, starting with a letter or digit, e.g. \"data-platform\"";
    if name.is_empty() || name.len() > 100 {
        return Err((
            format!("the cluster name `{name}` must have 1 to 100 characters"),
            help.into(),
        ));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
    {
        return Err((
            format!("the cluster name `{name}` contains {}", names::describe_char(c)),
            help.into(),
        ));
    }
    if !name.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return Err((
            format!("the cluster name `{name}` must start with a letter or digit"),
            help.into(),
        ));
    }
    Ok(())
}

/// `kubernetes_version: "1.36"` (checked against the table) or `unlisted("1.37")`.
fn read_kubernetes_version(f: &mut Fields, diags: &mut Diags) -> String {
    let tabled = crate::reader::Tabled {
        noun: "Kubernetes version",
        unlisted_example: "1.37",
        check: k8s::check_eks_version,
        check_unlisted: k8s::check_unlisted_eks_version,
    };
    f.get("kubernetes_version")
        .and_then(|v| tabled.read(v, diags))
        .unwrap_or_else(|| k8s::DEFAULT_EKS_VERSION.to_string())
}

fn read_admin_role(f: &mut Fields, diags: &mut Diags) -> Option<AdminRole> {
    let v = f.require("admin_role", diags, "\"arn:aws:iam::123456789012:role/eks-admin\"")?;
    let s = v.string(diags)?;
    match names::role_name_from_arn(&s.value) {
        Ok(name) => Some(AdminRole { arn: s.value, name }),
        Err((m, h)) => {
            diags.error_help(s.span, m, h);
            None
        }
    }
}

/// `public_endpoint` (default on) and `public_access_cidrs` (required with it): DSF put its
/// CIDRs on a security group nothing used, so its endpoint was open to 0.0.0.0/0 (defect 13).
fn read_endpoint(f: &mut Fields, diags: &mut Diags) -> Option<ApiEndpoint> {
    let public = f.bool("public_endpoint", diags).unwrap_or(true);
    let cidrs = f.strings("public_access_cidrs", diags);
    match (&cidrs, public) {
        (None, true) => {
            diags.error_help(
                f.span(),
                "emr_eks_runtime! is missing the required field `public_access_cidrs`: the CIDR blocks that may reach the cluster's public API endpoint",
                "add `public_access_cidrs: [\"203.0.113.0/24\"]` (your network), or `public_endpoint: false` for a private endpoint only",
            );
            return None;
        }
        (Some(c), _) if c.is_empty() => {
            diags.error_help(
                f.key_span("public_access_cidrs").unwrap_or_else(|| f.span()),
                "`public_access_cidrs` is empty",
                "list the CIDR blocks that may reach the public endpoint, or set `public_endpoint: false`",
            );
        }
        (Some(_), false) => {
            if let Some(span) = f.key_span("public_access_cidrs") {
                diags.error_help(
                    span,
                    "`public_access_cidrs` restricts the public endpoint, and `public_endpoint: false` has none",
                    "remove one of them",
                );
            }
        }
        _ => {}
    }
    let mut out = Vec::new();
    for c in cidrs.unwrap_or_default() {
        if let Err((m, h)) = cidr::parse_cidr(&c.value) {
            diags.error_help(c.span, m, h);
        }
        out.push(c.value);
    }
    Some(ApiEndpoint {
        public,
        public_access_cidrs: out,
    })
}

fn read_network(f: &mut Fields, diags: &mut Diags) -> Option<Network> {
    let vpc = f.get("vpc");
    let existing = f.get("network");
    if let (Some(_), Some(n)) = (vpc, existing) {
        diags.error_help(
            f.key_span("network").unwrap_or(n.span),
            "`vpc` and `network` both set the cluster's network",
            "keep `network` (an existing VPC) or `vpc` (a VPC sparkform creates), not both",
        );
        return None;
    }
    if let Some(n) = existing {
        let o = n.object(diags)?;
        let mut g = Fields::new(o, "network", diags);
        let vpc_id = g
            .require("vpc_id", diags, "\"vpc-0123456789abcdef0\"")
            .and_then(|v| v.string(diags));
        let subnets = g.strings("subnet_ids", diags).unwrap_or_default();
        g.finish(diags);
        if let Some(v) = &vpc_id {
            if !v.value.starts_with("vpc-") {
                diags.error_help(
                    v.span,
                    format!("`{}` is not a VPC id", v.value),
                    "VPC ids look like \"vpc-0123456789abcdef0\"",
                );
            }
        }
        if subnets.len() < 2 {
            diags.error_help(
                o.span,
                "EKS needs subnets in at least two availability zones",
                "list two or more private subnet ids: `subnet_ids: [\"subnet-0a...\", \"subnet-0b...\"]`",
            );
        }
        crate::model::vpc::check_subnet_ids(&subnets, diags);
        return Some(Network::Existing {
            vpc_id: vpc_id?.value,
            subnet_ids: subnets.into_iter().map(|s| s.value).collect(),
        });
    }
    let spec = match vpc {
        None => VpcSpec::default(),
        Some(v) => read_vpc(v.object(diags)?, diags),
    };
    if spec.azs < 2 {
        if let Some(v) = vpc {
            diags.error_help(
                v.span,
                "EKS needs subnets in at least two availability zones",
                "set `max_azs: 2` or more",
            );
        }
    }
    Some(Network::DefaultVpc(spec))
}

fn read_node_groups(f: &mut Fields, capacity: Capacity, diags: &mut Diags) -> Vec<NodeGroup> {
    let Some(list) = f.list("node_groups", diags) else {
        if capacity == Capacity::NodeGroups {
            diags.error_help(
                f.key_span("capacity").unwrap_or_else(|| f.span()),
                "`capacity: node_groups` needs at least one node group for Spark",
                "add `node_groups: [{ name: \"spark\", instance_types: [\"m7g.2xlarge\"], min_size: 1, max_size: 10 }]`",
            );
        }
        return Vec::new();
    };
    if capacity == Capacity::Auto {
        if let Some(span) = f.key_span("node_groups") {
            diags.error_help(
                span,
                "`node_groups` are managed node groups, and with `capacity: auto` EKS Auto Mode provides the nodes",
                "set `capacity: node_groups` (or `karpenter`) to run node groups, or describe capacity with `node_pools`",
            );
        }
    }
    let mut out: Vec<NodeGroup> = Vec::new();
    for v in list {
        let Some(o) = v.object(diags) else { continue };
        let Some(g) = read_node_group(o, diags) else { continue };
        if out.iter().any(|x| x.name == g.name) || g.name == "tooling" {
            diags.error_help(
                o.span,
                format!("a second node group is named `{}`", g.name),
                "give each node group its own name (`tooling` is sparkform's)",
            );
        }
        out.push(g);
    }
    out
}

fn read_node_group(o: &Object, diags: &mut Diags) -> Option<NodeGroup> {
    let mut g = Fields::new(o, "a node group", diags);
    let name = g.require("name", diags, "\"spark\"").and_then(|v| v.string(diags));
    if let Some(n) = &name {
        if let Err((m, h)) = k8s::check_dns_label(&n.value, "node group name") {
            diags.error_help(n.span, m, h);
        }
    }
    let instance_types = g.strings("instance_types", diags).unwrap_or_default();
    if instance_types.is_empty() {
        diags.error_help(
            o.span,
            "a node group needs `instance_types`",
            "add `instance_types: [\"m7g.2xlarge\"]`",
        );
    }
    for t in &instance_types {
        if t.value.split('.').count() != 2 || t.value.starts_with('.') || t.value.ends_with('.') {
            diags.error_help(
                t.span,
                format!("`{}` is not an EC2 instance type", t.value),
                "instance types look like \"m7g.2xlarge\"",
            );
        }
    }
    let min = g.int("min_size", diags, 0, 1000).map(|n| n.value as u32).unwrap_or(0);
    let max_v = g.int("max_size", diags, 1, 1000);
    let max = max_v.as_ref().map(|n| n.value as u32).unwrap_or(min.max(1));
    let desired_v = g.int("desired_size", diags, 0, 1000);
    let desired = desired_v.as_ref().map(|n| n.value as u32).unwrap_or(min);
    if min > max || desired < min || desired > max {
        let span = desired_v.map(|d| d.span).or(max_v.map(|m| m.span)).unwrap_or(o.span);
        diags.error_help(
            span,
            format!("sizes min {min}, desired {desired}, max {max} are out of order"),
            "keep min_size <= desired_size <= max_size",
        );
    }
    let spot = g
        .word("capacity_type", diags, &["on_demand", "spot"])
        .is_some_and(|w| w.value == "spot");
    let arm = instance_types.iter().all(|t| is_graviton(&t.value));
    let ami_type = match g.word("ami_type", diags, AMI_TYPES) {
        Some(w) => w.value.to_string(),
        None if arm => "BOTTLEROCKET_ARM_64".to_string(),
        None => "BOTTLEROCKET_x86_64".to_string(),
    };
    let labels = g
        .string_map("labels", diags)
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| (k.value, v.value))
        .collect();
    let taints = g
        .list("taints", diags)
        .map(|l| l.iter().filter_map(|t| read_taint(t, diags)).collect())
        .unwrap_or_default();
    g.finish(diags);
    Some(NodeGroup {
        name: name?.value,
        instance_types: instance_types.into_iter().map(|t| t.value).collect(),
        min_size: min,
        max_size: max,
        desired_size: desired,
        spot,
        ami_type,
        labels,
        taints,
    })
}

/// Managed node group AMI types sparkform offers (Bottlerocket and Amazon Linux 2023).
const AMI_TYPES: &[&str] = &[
    "BOTTLEROCKET_ARM_64",
    "BOTTLEROCKET_x86_64",
    "AL2023_ARM_64_STANDARD",
    "AL2023_x86_64_STANDARD",
];

/// Graviton instance families have a `g` after the generation digit (m7g, r8gd, c7gn).
pub fn is_graviton(instance_type: &str) -> bool {
    let family = instance_type.split('.').next().unwrap_or("");
    let after_digit = family.trim_start_matches(|c: char| c.is_ascii_alphabetic());
    let suffix = after_digit.trim_start_matches(|c: char| c.is_ascii_digit());
    suffix.starts_with('g')
}

fn read_taint(v: &Value, diags: &mut Diags) -> Option<Taint> {
    let o = v.object(diags)?;
    let mut g = Fields::new(o, "a taint", diags);
    let key = g.require("key", diags, "\"role\"").and_then(|v| v.string(diags));
    let value = g.str("value", diags).map(|v| v.value).unwrap_or_default();
    let effect = g
        .word("effect", diags, &["NoSchedule", "PreferNoSchedule", "NoExecute"])
        .map(|w| w.value)
        .unwrap_or("NoSchedule");
    g.finish(diags);
    Some(Taint {
        key: key?.value,
        value,
        effect,
    })
}

fn read_virtual_clusters(f: &mut Fields, diags: &mut Diags) -> Vec<VirtualCluster> {
    let mut out: Vec<VirtualCluster> = Vec::new();
    for v in f.list("virtual_clusters", diags).unwrap_or_default() {
        let Some(o) = v.object(diags) else { continue };
        let mut g = Fields::new(o, "a virtual cluster", diags);
        let name = g.require("name", diags, "\"dailyjob\"").and_then(|v| v.string(diags));
        if let Some(n) = &name {
            if let Err((m, h)) = check_vc_name(&n.value) {
                diags.error_help(n.span, m, h);
            }
        }
        let namespace = g
            .require("namespace", diags, "\"dailyjobns\"")
            .and_then(|v| v.string(diags));
        let mut namespace_ok = true;
        if let Some(ns) = &namespace {
            if let Err((m, h)) = k8s::check_dns_label(&ns.value, "namespace") {
                diags.error_help(ns.span, m, h);
                namespace_ok = false;
            } else if ns.value.starts_with("kube-") {
                diags.error_help(
                    ns.span,
                    format!("`{}` is a Kubernetes system namespace", ns.value),
                    "run Spark jobs in a namespace of their own, e.g. \"spark-jobs\"",
                );
                namespace_ok = false;
            }
        }
        let create_namespace = g.bool("create_namespace", diags).unwrap_or(true);
        let quota = g.object("quota", diags).and_then(|q| read_quota(q, "quota", diags));
        let default_requests = g
            .object("default_requests", diags)
            .and_then(|q| read_quota(q, "default_requests", diags));
        if !create_namespace {
            if let Some(span) = g.key_span("quota").or(g.key_span("default_requests")) {
                diags.error_help(
                    span,
                    "quotas and default requests are set on a namespace sparkform creates, and `create_namespace: false` names one that exists",
                    "remove `create_namespace: false`, or set the quota on your namespace yourself",
                );
            }
        }
        let tags = read_tags(&mut g, diags);
        g.finish(diags);
        let (Some(name), Some(namespace)) = (name, namespace) else {
            continue;
        };
        if out.iter().any(|x| x.name == name.value) {
            diags.error_help(
                name.span,
                format!("a second virtual cluster is named `{}`", name.value),
                "give each virtual cluster its own name",
            );
        }
        if let Some(other) = out.iter().find(|x| x.namespace == namespace.value) {
            diags.error_help(
                namespace.span,
                format!(
                    "virtual clusters `{}` and `{}` share the namespace `{}`",
                    other.name, name.value, namespace.value
                ),
                "give each virtual cluster a namespace of its own",
            );
        }
        out.push(VirtualCluster {
            name: name.value,
            span: name.span,
            namespace: namespace.value,
            namespace_ok,
            create_namespace,
            quota,
            default_requests,
            tags,
        });
    }
    out
}

/// Virtual cluster names: 1-64 of letters, digits and `.-_/#`.
fn check_vc_name(name: &str) -> Result<(), (String, String)> {
    let help = "virtual cluster names are 1-64 letters, digits and . - _ / #, e.g. \"dailyjob\"";
    if name.is_empty() || name.len() > 64 {
        return Err((
            format!("the virtual cluster name `{name}` must have 1 to 64 characters"),
            help.into(),
        ));
    }
    match name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || ".-_/#".contains(*c)))
    {
        Some(c) => Err((
            format!("the virtual cluster name `{name}` contains {}", names::describe_char(c)),
            help.into(),
        )),
        None => Ok(()),
    }
}

fn read_quota(o: &Object, what: &'static str, diags: &mut Diags) -> Option<Quota> {
    let mut g = Fields::new(o, what, diags);
    let cpu = g.require("cpu", diags, "\"1000\"").and_then(|v| v.string(diags));
    let memory = g.require("memory", diags, "\"4000Gi\"").and_then(|v| v.string(diags));
    g.finish(diags);
    if let Some(c) = &cpu {
        if let Err((m, h)) = k8s::check_cpu(&c.value) {
            diags.error_help(c.span, m, h);
        }
    }
    if let Some(m) = &memory {
        if let Err((msg, h)) = k8s::check_memory(&m.value) {
            diags.error_help(m.span, msg, h);
        }
    }
    Some(Quota {
        cpu: cpu?.value,
        memory: memory?.value,
    })
}

fn read_execution_roles(
    f: &mut Fields,
    vcs: &[VirtualCluster],
    release_label: &str,
    ctx: &Context,
    diags: &mut Diags,
) -> Vec<JobRole> {
    let mut out: Vec<JobRole> = Vec::new();
    let namespaces: Vec<&str> = vcs.iter().map(|v| v.namespace.as_str()).collect();
    let old_release = release::version_of(release_label).is_some_and(|v| v < POD_IDENTITY_RELEASE);
    for v in f.list("execution_roles", diags).unwrap_or_default() {
        let Some(o) = v.object(diags) else { continue };
        let mut g = Fields::new(o, "an execution role", diags);
        let name = g
            .require("name", diags, "\"s3ReadExecRole\"")
            .and_then(|v| v.string(diags));
        let role_name = name
            .as_ref()
            .map(|n| match names::staged_role_name(ctx, &n.value) {
                Ok(staged) => staged,
                Err((m, h)) => {
                    diags.error_help(n.span, m, h);
                    n.value.clone()
                }
            })
            .unwrap_or_default();
        let namespace = g
            .require("namespace", diags, "\"dailyjobns\"")
            .and_then(|v| v.string(diags));
        // A virtual cluster whose own namespace is wrong has that error; a role naming the
        // namespace meant is not a second one.
        let all_ok = vcs.iter().all(|v| v.namespace_ok);
        if let Some(ns) = namespace.as_ref().filter(|_| all_ok) {
            if !namespaces.contains(&ns.value.as_str()) {
                let list = if namespaces.is_empty() {
                    "none".to_string()
                } else {
                    namespaces.join(", ")
                };
                diags.error_help(
                    ns.span,
                    format!(
                        "`{}` is not the namespace of a virtual cluster of this runtime{}",
                        ns.value,
                        suggestion(&ns.value, namespaces.iter().copied())
                    ),
                    format!("an execution role runs jobs in a virtual cluster's namespace; the namespaces are: {list}"),
                );
            }
        }
        let policy = read_policy(&mut g, diags);
        let irsa = g.bool("irsa", diags).unwrap_or(old_release);
        g.finish(diags);
        let (Some(name), Some(namespace)) = (name, namespace) else {
            continue;
        };
        if out.iter().any(|r| r.name == name.value) {
            diags.error_help(
                name.span,
                format!("a second execution role is named `{}`", name.value),
                "IAM role names are unique in an account: give each role its own name",
            );
        }
        out.push(JobRole {
            name: name.value,
            role_name,
            span: name.span,
            namespace: namespace.value,
            policy,
            irsa,
        });
    }
    out
}

fn read_endpoints(
    f: &mut Fields,
    vcs: &[VirtualCluster],
    roles: &[JobRole],
    default_release: &str,
    capacity: Capacity,
    diags: &mut Diags,
) -> Vec<InteractiveEndpoint> {
    let Some(list) = f.list("interactive_endpoints", diags) else {
        return Vec::new();
    };
    if capacity == Capacity::Auto {
        if let Some(span) = f.key_span("interactive_endpoints") {
            diags.error_help(
                span,
                "interactive endpoints need managed or Karpenter nodes, and `capacity: auto` has neither",
                "set `capacity: karpenter` or `capacity: node_groups` to run interactive endpoints",
            );
        }
    }
    let mut out: Vec<InteractiveEndpoint> = Vec::new();
    for v in list {
        let Some(o) = v.object(diags) else { continue };
        let mut g = Fields::new(o, "an interactive endpoint", diags);
        let name = g
            .require("name", diags, "\"interactiveSession\"")
            .and_then(|v| v.string(diags));
        if let Some(n) = &name {
            let ok = (1..=64).contains(&n.value.len())
                && n.value.starts_with(|c: char| c.is_ascii_alphanumeric())
                && n.value
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if !ok {
                diags.error_help(
                    n.span,
                    format!("`{}` is not an endpoint name", n.value),
                    "endpoint names are 1-64 letters, digits, `-` and `_`, starting with a letter or digit (DSF's error: managed endpoint name length is greater than 64)",
                );
            }
        }
        let vc = g
            .require("virtual_cluster", diags, "\"dailyjob\"")
            .and_then(|v| v.string(diags));
        if let Some(vc) = &vc {
            if !vcs.iter().any(|x| x.name == vc.value) {
                let names: Vec<&str> = vcs.iter().map(|x| x.name.as_str()).collect();
                diags.error_help(
                    vc.span,
                    format!(
                        "`{}` is not a virtual cluster of this runtime{}",
                        vc.value,
                        suggestion(&vc.value, names.iter().copied())
                    ),
                    format!(
                        "the virtual clusters are: {}",
                        if names.is_empty() {
                            "none".into()
                        } else {
                            names.join(", ")
                        }
                    ),
                );
            }
        }
        let role = g
            .require("execution_role", diags, "\"s3ReadExecRole\"")
            .and_then(|v| v.string(diags));
        if let (Some(role), Some(vc)) = (&role, &vc) {
            let ns = vcs.iter().find(|x| x.name == vc.value).map(|x| x.namespace.as_str());
            match roles.iter().find(|r| r.name == role.value) {
                None => {
                    let names: Vec<&str> = roles.iter().map(|r| r.name.as_str()).collect();
                    diags.error_help(
                        role.span,
                        format!(
                            "`{}` is not an execution role of this runtime{}",
                            role.value,
                            suggestion(&role.value, names.iter().copied())
                        ),
                        format!(
                            "the execution roles are: {}",
                            if names.is_empty() {
                                "none".into()
                            } else {
                                names.join(", ")
                            }
                        ),
                    );
                }
                Some(r) if ns.is_some_and(|ns| ns != r.namespace) => diags.error_help(
                    role.span,
                    format!(
                        "`{}` runs jobs in namespace `{}`, and virtual cluster `{}` is namespace `{}`",
                        r.name,
                        r.namespace,
                        vc.value,
                        ns.unwrap_or_default()
                    ),
                    "use a role of the virtual cluster's namespace",
                ),
                Some(_) => {}
            }
        }
        let release_label = match g.get("release_label") {
            Some(v) => crate::constructs::spark_job::model::read_eks_release(v, diags),
            None => Some(default_release.to_string()),
        }
        .unwrap_or_else(|| default_release.to_string());
        g.finish(diags);
        let (Some(name), Some(vc), Some(role)) = (name, vc, role) else {
            continue;
        };
        if out.iter().any(|e| e.name == name.value) {
            diags.error_help(
                name.span,
                format!("a second interactive endpoint is named `{}`", name.value),
                "give each endpoint its own name",
            );
        }
        out.push(InteractiveEndpoint {
            name: name.value,
            span: name.span,
            virtual_cluster: vc,
            execution_role: role,
            release_label,
        });
    }
    out
}
