//! `spark_serverless_runtime!`: DSF's SparkEmrServerlessRuntime, every property of it and of
//! `AWS::EMRServerless::Application`, plus its methods (execution role, start-job grants).

use crate::checks::{capacity, names, release};
use crate::diag::{suggestion, Diags};
use crate::model::classification::{read_classifications, Classification};
use crate::model::common::{read_tags, Context, Handle, Removal};
use crate::model::iam::{read_policy, read_role_ref, RoleRef};
use crate::model::vpc::{read_vpc, VpcSpec};
use crate::reader::{Fields, Spanned};
use crate::value::{Declaration, Object, PathValue};

#[derive(Clone, Debug)]
pub struct ServerlessRuntime {
    pub handle: Handle,
    pub name: String,
    pub release_label: String,
    pub architecture: Option<&'static str>,
    pub network: Network,
    pub removal: Removal,
    pub maximum_capacity: Option<MaximumCapacity>,
    pub initial_capacity: Vec<InitialCapacity>,
    pub image_uri: Option<String>,
    /// ("Driver" | "Executor", image URI)
    pub worker_images: Vec<(&'static str, String)>,
    pub runtime_configuration: Vec<Classification>,
    pub auto_start: Option<bool>,
    pub auto_stop: Option<AutoStop>,
    pub interactive: Option<Interactive>,
    pub monitoring: Option<Monitoring>,
    pub scheduler: Option<Scheduler>,
    pub identity_center_instance_arn: Option<String>,
    pub execution_role: Option<ExecutionRole>,
    /// An `execution_role!` handle the runtime runs its jobs as, instead of a role of its own.
    pub shared_role: Option<PathValue>,
    pub start_job_roles: Vec<RoleRef>,
    pub tags: Vec<(String, String)>,
}

#[derive(Clone, Debug)]
pub enum Network {
    /// DSF's DataVpc, without its defects.
    DefaultVpc(VpcSpec),
    Existing {
        subnet_ids: Vec<String>,
        security_group_ids: Vec<String>,
    },
}

#[derive(Clone, Debug)]
pub struct MaximumCapacity {
    pub vcpu: u32,
    pub memory_gb: u32,
    pub disk_gb: Option<u32>,
}

#[derive(Clone, Debug)]
pub struct InitialCapacity {
    /// "Driver" or "Executor" (the service key is upper case).
    pub worker: &'static str,
    pub workers: u64,
    pub vcpu: u32,
    pub memory_gb: u32,
    pub disk_gb: Option<u32>,
    pub disk_type: Option<&'static str>,
}

#[derive(Clone, Debug)]
pub struct AutoStop {
    pub enabled: bool,
    pub idle_timeout_minutes: Option<u32>,
}

#[derive(Clone, Debug)]
pub struct Interactive {
    pub livy_endpoint: Option<bool>,
    pub studio: Option<bool>,
    pub sessions: Option<bool>,
}

#[derive(Clone, Debug, Default)]
pub struct Monitoring {
    pub s3_log_uri: Option<String>,
    pub s3_encryption_key_arn: Option<String>,
    pub managed_persistence: Option<bool>,
    pub cloudwatch: Option<CloudWatchLogging>,
    pub prometheus_remote_write_url: Option<String>,
}

#[derive(Clone, Debug)]
pub struct CloudWatchLogging {
    pub enabled: bool,
    pub log_group: Option<String>,
    pub stream_prefix: Option<String>,
    pub encryption_key_arn: Option<String>,
    /// ("SPARK_DRIVER" | "SPARK_EXECUTOR", ["STDOUT", "STDERR"])
    pub log_types: Vec<(String, Vec<String>)>,
}

#[derive(Clone, Debug)]
pub struct Scheduler {
    pub queue_timeout_minutes: Option<u32>,
    pub max_concurrent_runs: Option<u32>,
}

/// The runtime's own execution role.
pub use crate::model::iam::Policy as ExecutionRole;

pub fn check(decl: &Declaration, ctx: &Context, diags: &mut Diags) -> Option<ServerlessRuntime> {
    let mut f = Fields::top(&decl.body, &super::DEF, diags);
    let handle = Handle::read(decl, &mut f, ctx, diags);
    let name = f
        .require("name", diags, "\"spark-serverless-demo\"")
        .and_then(|v| v.string(diags));
    if let Some(n) = &name {
        if let Err((m, h)) = names::check_application_name(&n.value) {
            diags.error_help(n.span, m, h);
        }
    }
    let release_label = read_release(&mut f, diags);
    let architecture = f.word("architecture", diags, &["X86_64", "ARM64"]).map(|w| w.value);
    let network = read_network(&mut f, diags);
    let removal = Removal::read(&mut f, ctx, diags);
    let maximum_capacity = f
        .object("maximum_capacity", diags)
        .and_then(|o| read_max_capacity(o, diags));
    let initial_capacity = f
        .object("initial_capacity", diags)
        .map(|o| read_initial_capacity(o, diags))
        .unwrap_or_default();
    let image_uri = f.str("image_uri", diags).map(|s| s.value);
    let worker_images = f
        .object("worker_images", diags)
        .map(|o| read_worker_images(o, diags))
        .unwrap_or_default();
    let runtime_configuration = f
        .list("runtime_configuration", diags)
        .map(|l| read_classifications(l, diags, false))
        .unwrap_or_default();
    let auto_start = f.bool("auto_start", diags);
    let auto_stop = f.object("auto_stop", diags).map(|o| read_auto_stop(o, diags));
    let interactive = f.object("interactive", diags).map(|o| {
        let mut g = Fields::new(o, "interactive", diags);
        let i = Interactive {
            livy_endpoint: g.bool("livy_endpoint", diags),
            studio: g.bool("studio", diags),
            sessions: g.bool("sessions", diags),
        };
        g.finish(diags);
        i
    });
    let monitoring = f.object("monitoring", diags).map(|o| read_monitoring(o, diags));
    let scheduler = f.object("scheduler", diags).map(|o| {
        let mut g = Fields::new(o, "scheduler", diags);
        let s = Scheduler {
            queue_timeout_minutes: g.int("queue_timeout_minutes", diags, 15, 720).map(|n| n.value as u32),
            max_concurrent_runs: g.int("max_concurrent_runs", diags, 1, 1000).map(|n| n.value as u32),
        };
        g.finish(diags);
        s
    });
    let identity_center_instance_arn = f.str("identity_center_instance_arn", diags).map(|s| {
        if !s.value.starts_with("arn:") || !s.value.contains(":sso:::instance/") {
            diags.error_help(
                s.span,
                format!("`{}` is not an IAM Identity Center instance ARN", s.value),
                "write it like \"arn:aws:sso:::instance/ssoins-0123456789abcdef\"",
            );
        }
        s.value
    });
    // An object: a role of the runtime's own; a handle: a shared `execution_role!`.
    let (execution_role, shared_role) = match f.get("execution_role") {
        Some(v) if v.path().is_some() => (None, v.handle(diags).cloned()),
        Some(v) => (
            v.object(diags).map(|o| {
                let mut g = Fields::new(o, "execution_role", diags);
                let policy = read_policy(&mut g, diags);
                g.finish(diags);
                policy
            }),
            None,
        ),
        None => (None, None),
    };
    let start_job_roles: Vec<RoleRef> = f
        .list("start_job_roles", diags)
        .map(|l| l.iter().filter_map(|v| read_role_ref(v, diags)).collect())
        .unwrap_or_default();
    if !start_job_roles.is_empty() && execution_role.is_none() && shared_role.is_none() {
        if let Some(span) = f.key_span("start_job_roles") {
            diags.error_help(
                span,
                "start_job_roles can only pass this runtime's execution role, and none is declared",
                "add `execution_role: { statements: [...] }`, or `execution_role: ROLE` (an execution_role! handle)",
            );
        }
    }
    let tags = read_tags(&mut f, diags);
    f.finish(diags);
    Some(ServerlessRuntime {
        handle,
        name: name?.value,
        release_label,
        architecture,
        network: network?,
        removal,
        maximum_capacity,
        initial_capacity,
        image_uri,
        worker_images,
        runtime_configuration,
        auto_start,
        auto_stop,
        interactive,
        monitoring,
        scheduler,
        identity_center_instance_arn,
        execution_role,
        shared_role,
        start_job_roles,
        tags,
    })
}

/// `release_label: "emr-7.3.0"` (checked) or `release_label: unlisted("emr-8.0.0")`.
pub fn read_release(f: &mut Fields, diags: &mut Diags) -> String {
    let Some(v) = f.get("release_label") else {
        return release::DEFAULT_RELEASE.to_string();
    };
    if let Some(call) = v.call() {
        if call.name == "unlisted" && call.args.len() != 1 {
            diags.error_help(
                call.name_span,
                format!(
                    "`unlisted` takes one release label, found {} arguments",
                    call.args.len()
                ),
                "write `unlisted(\"emr-x.y.z\")`",
            );
            return release::DEFAULT_RELEASE.to_string();
        }
        if call.name != "unlisted" {
            diags.error_help(
                call.name_span,
                format!(
                    "`{}(...)` is not allowed here{}",
                    call.name,
                    suggestion(&call.name, ["unlisted"])
                ),
                "write a release label string, or `unlisted(\"emr-x.y.z\")` for one newer than sparkform's table",
            );
            return release::DEFAULT_RELEASE.to_string();
        }
        return match call.args[0].string(diags) {
            Some(s) if release::is_full_label(&s.value) => {
                if release::version_of(&s.value).is_some_and(|v| v < (6, 9, 0)) {
                    // `unlisted` is for releases newer than the table, not a way past the floor.
                    diags.error_help(
                        s.span,
                        format!(
                            "EMR Serverless supports release EMR 6.9 and above, provided release is {}",
                            s.value
                        ),
                        format!("use {} or another release from emr-6.9.0 on", release::DEFAULT_RELEASE),
                    );
                }
                s.value
            }
            Some(s) => {
                diags.error_help(
                    s.span,
                    format!("`{}` does not look like an EMR release label", s.value),
                    "labels look like \"emr-7.9.0\" (`emr-` and a three-part version)",
                );
                s.value
            }
            None => release::DEFAULT_RELEASE.to_string(),
        };
    }
    match v.string(diags) {
        Some(s) => {
            if let Err((m, h)) = release::check_serverless(&s.value) {
                diags.error_help(s.span, m, h);
            }
            s.value
        }
        None => release::DEFAULT_RELEASE.to_string(),
    }
}

fn read_network(f: &mut Fields, diags: &mut Diags) -> Option<Network> {
    let vpc = f.get("vpc");
    let existing = f.get("network");
    if let (Some(_), Some(n)) = (vpc, existing) {
        diags.error_help(
            f.key_span("network").unwrap_or(n.span),
            "`vpc` and `network` both set the application's network",
            "keep `network` (existing subnets) or `vpc` (a VPC sparkform creates), not both",
        );
        return None;
    }
    if let Some(n) = existing {
        let o = n.object(diags)?;
        let mut g = Fields::new(o, "network", diags);
        let subnets = g.strings("subnet_ids", diags).unwrap_or_default();
        let groups = g.strings("security_group_ids", diags).unwrap_or_default();
        g.finish(diags);
        if subnets.is_empty() {
            diags.error_help(
                o.span,
                "`network` needs at least one subnet id",
                "add `subnet_ids: [\"subnet-0123456789abcdef0\"]`, or remove `network` to get a VPC",
            );
        }
        crate::model::vpc::check_subnet_ids(&subnets, diags);
        for s in &groups {
            if !s.value.starts_with("sg-") {
                diags.error_help(
                    s.span,
                    format!("`{}` is not a security group id", s.value),
                    "security group ids look like \"sg-0123456789abcdef0\"",
                );
            }
        }
        return Some(Network::Existing {
            subnet_ids: subnets.into_iter().map(|s| s.value).collect(),
            security_group_ids: groups.into_iter().map(|s| s.value).collect(),
        });
    }
    match vpc {
        None => Some(Network::DefaultVpc(VpcSpec::default())),
        Some(v) => Some(Network::DefaultVpc(read_vpc(v.object(diags)?, diags))),
    }
}

fn read_max_capacity(o: &Object, diags: &mut Diags) -> Option<MaximumCapacity> {
    let mut g = Fields::new(o, "maximum_capacity", diags);
    let cpu = g.require("cpu", diags, "\"400 vCPU\"").and_then(|v| v.string(diags));
    let memory = g.require("memory", diags, "\"3000 GB\"").and_then(|v| v.string(diags));
    let disk = g.str("disk", diags);
    g.finish(diags);
    let vcpu = check_capacity(cpu.as_ref(), capacity::parse_cpu, diags);
    let memory_gb = check_capacity(memory.as_ref(), capacity::parse_gb, diags);
    let disk_gb = check_capacity(disk.as_ref(), capacity::parse_gb, diags);
    Some(MaximumCapacity {
        vcpu: vcpu?,
        memory_gb: memory_gb?,
        disk_gb,
    })
}

fn check_capacity(
    v: Option<&Spanned<String>>,
    parse: fn(&str) -> Result<u32, (String, String)>,
    diags: &mut Diags,
) -> Option<u32> {
    let v = v?;
    match parse(&v.value) {
        Ok(n) => Some(n),
        Err((m, h)) => {
            diags.error_help(v.span, m, h);
            None
        }
    }
}

fn read_initial_capacity(o: &Object, diags: &mut Diags) -> Vec<InitialCapacity> {
    let mut g = Fields::new(o, "initial_capacity", diags);
    let mut out = Vec::new();
    for (key, worker) in [("driver", "Driver"), ("executor", "Executor")] {
        let Some(w) = g.object(key, diags) else {
            continue;
        };
        let mut h = Fields::new(w, "a worker configuration", diags);
        let workers = h
            .require("workers", diags, "2")
            .and_then(|v| v.int_in(diags, 1, 1_000_000));
        let cpu = h.require("cpu", diags, "\"4 vCPU\"").and_then(|v| v.string(diags));
        let memory = h.require("memory", diags, "\"16 GB\"").and_then(|v| v.string(diags));
        let disk = h.str("disk", diags);
        let disk_type = h
            .word("disk_type", diags, &["STANDARD", "SHUFFLE_OPTIMIZED"])
            .map(|w| w.value);
        h.finish(diags);
        let c = check_capacity(cpu.as_ref(), capacity::parse_cpu, diags);
        let m = check_capacity(memory.as_ref(), capacity::parse_gb, diags);
        let d = check_capacity(disk.as_ref(), capacity::parse_gb, diags);
        if let (Some(c), Some(m)) = (c, m) {
            let shuffle = disk_type == Some("SHUFFLE_OPTIMIZED");
            if let Err((part, (msg, help))) = capacity::check_worker_part(c, m, d, shuffle) {
                // Point at the setting that is wrong (the memory that does not fit the vCPU,
                // the disk that is too large), not at the whole worker.
                let at = match part {
                    capacity::WorkerPart::Cpu => cpu.as_ref(),
                    capacity::WorkerPart::Memory => memory.as_ref(),
                    capacity::WorkerPart::Disk => disk.as_ref(),
                };
                diags.error_help(at.map_or(w.span, |v| v.span), msg, help);
            }
        }
        if let (Some(n), Some(vcpu), Some(memory_gb)) = (workers, c, m) {
            out.push(InitialCapacity {
                worker,
                workers: n.value as u64,
                vcpu,
                memory_gb,
                disk_gb: d,
                disk_type,
            });
        }
    }
    g.finish(diags);
    out
}

fn read_worker_images(o: &Object, diags: &mut Diags) -> Vec<(&'static str, String)> {
    let mut g = Fields::new(o, "worker_images", diags);
    let mut out = Vec::new();
    for (key, worker) in [("driver", "Driver"), ("executor", "Executor")] {
        if let Some(s) = g.str(key, diags) {
            out.push((worker, s.value));
        }
    }
    g.finish(diags);
    out
}

fn read_auto_stop(o: &Object, diags: &mut Diags) -> AutoStop {
    let mut g = Fields::new(o, "auto_stop", diags);
    let enabled = g.bool("enabled", diags).unwrap_or(true);
    let idle = g.int("idle_timeout_minutes", diags, 1, 10080).map(|n| n.value as u32);
    g.finish(diags);
    AutoStop {
        enabled,
        idle_timeout_minutes: idle,
    }
}

fn read_monitoring(o: &Object, diags: &mut Diags) -> Monitoring {
    let mut g = Fields::new(o, "monitoring", diags);
    let mut m = Monitoring::default();
    if let Some(s) = g.str("s3_log_uri", diags) {
        if !s.value.starts_with("s3://") {
            diags.error_help(
                s.span,
                format!("`{}` is not an S3 URI", s.value),
                "write it like \"s3://my-bucket/logs/\"",
            );
        }
        m.s3_log_uri = Some(s.value);
    }
    m.s3_encryption_key_arn = g.str("s3_encryption_key_arn", diags).map(|s| s.value);
    m.managed_persistence = g.bool("managed_persistence", diags);
    m.prometheus_remote_write_url = g.str("prometheus_remote_write_url", diags).map(|s| s.value);
    if let Some(cw) = g.object("cloudwatch_logs", diags) {
        let mut h = Fields::new(cw, "cloudwatch_logs", diags);
        let enabled = h.bool("enabled", diags).unwrap_or(true);
        let log_group = h.str("log_group", diags).map(|s| s.value);
        let stream_prefix = h.str("stream_prefix", diags).map(|s| s.value);
        let encryption_key_arn = h.str("encryption_key_arn", diags).map(|s| s.value);
        let mut log_types = Vec::new();
        if let Some(types) = h.object("log_types", diags) {
            let mut t = Fields::new(types, "log_types", diags);
            for (key, worker) in [("driver", "SPARK_DRIVER"), ("executor", "SPARK_EXECUTOR")] {
                if let Some(list) = t.list(key, diags) {
                    let kinds = list
                        .iter()
                        .filter_map(|v| v.word(diags, &["STDOUT", "STDERR"]))
                        .map(|w| w.value.to_string())
                        .collect();
                    log_types.push((worker.to_string(), kinds));
                }
            }
            t.finish(diags);
        }
        h.finish(diags);
        m.cloudwatch = Some(CloudWatchLogging {
            enabled,
            log_group,
            stream_prefix,
            encryption_key_arn,
            log_types,
        });
    }
    g.finish(diags);
    m
}
