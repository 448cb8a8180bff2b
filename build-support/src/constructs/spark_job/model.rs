//! `spark_job!`: DSF's SparkEmrServerlessJob and SparkEmrContainersJob in one macro, with
//! both of their forms (simplified fields, or the raw `job_config`) and none of their
//! defects: keys keep their case, EKS jobs get a release label and their schedule, an
//! existing CloudWatch group is used rather than re-created, failures keep their details.

use crate::checks::{logs, names, release, schedule, spark_submit};
use crate::diag::{suggestion, Diags};
use crate::model::classification::{read_classifications, Classification};
use crate::model::common::{read_tags, Context, Handle, Removal};
use crate::reader::Fields;
use crate::value::{Declaration, PathValue, Value, ValueKind};
use serde_json::{Map, Value as Json};

pub use super::mode::{Mode, NeedsRelease, Retry};
pub use sparkform_assembly::Service;

#[derive(Clone, Debug)]
pub struct SparkJob {
    pub handle: Handle,
    pub name: String,
    pub target: Target,
    pub execution_role: ExecutionRole,
    pub driver: Driver,
    /// 0: no timeout (a streaming job that runs until cancelled).
    pub timeout_minutes: u32,
    pub mode: Mode,
    pub retry: Option<Retry>,
    /// The EMR release the mode or retry policy needs (checked against the runtime's).
    pub needs_release: Option<NeedsRelease>,
    /// EMR on EKS only (EMR Serverless takes the application's; a job on an
    /// `emr_eks_runtime!` takes the runtime's when it names none).
    pub release_label: Option<String>,
    /// A default node profile of the job's `emr_eks_runtime!` (pod templates, Spark defaults).
    pub profile: Option<(crate::constructs::emr_eks_runtime::Profile, proc_macro2::Span)>,
    pub s3_logs: S3Logs,
    pub cloudwatch_logs: Option<CloudWatchLogs>,
    pub application_configuration: Vec<Classification>,
    pub tags: Vec<(String, String)>,
    pub schedule: Option<String>,
    pub removal: Removal,
    pub orchestration: Orchestration,
    pub log_retention_days: u32,
    pub tracing: bool,
}

#[derive(Clone, Debug)]
pub enum Target {
    /// A `spark_serverless_runtime!` handle in this crate (checked by rustc).
    Runtime(PathValue),
    /// An existing EMR Serverless application.
    ApplicationId(String),
    /// An existing EMR on EKS virtual cluster.
    VirtualCluster(String),
    /// A virtual cluster of an `emr_eks_runtime!` in this crate (`virtual_cluster: EKS.dailyjob`).
    Eks {
        /// The runtime's handle (without the member).
        runtime: PathValue,
        virtual_cluster: String,
        span: proc_macro2::Span,
    },
}

impl Target {
    /// The EMR flavour the target runs jobs on.
    pub fn service(&self) -> Service {
        match self {
            Target::Runtime(_) | Target::ApplicationId(_) => Service::EmrServerless,
            Target::VirtualCluster(_) | Target::Eks { .. } => Service::EmrContainers,
        }
    }

    pub fn is_eks(&self) -> bool {
        self.service() == Service::EmrContainers
    }
}

#[derive(Clone, Debug)]
pub enum ExecutionRole {
    /// A handle: a runtime's execution role, or an `execution_role!`.
    Handle(PathValue),
    Arn {
        arn: String,
        name: String,
    },
    /// A role of the `emr_eks_runtime!` the job runs on: named (`EKS.s3ReadExecRole`), or
    /// the one role of its virtual cluster's namespace.
    Eks {
        runtime: PathValue,
        role: Option<(String, proc_macro2::Span)>,
    },
}

#[derive(Clone, Debug)]
pub enum Driver {
    Submit {
        entry_point: EntryPoint,
        arguments: Vec<String>,
        spark_submit_parameters: Option<String>,
    },
    /// DSF's "API props": the StartJobRun request as written (keys kept exactly).
    Raw(Map<String, Json>),
}

#[derive(Clone, Debug)]
pub enum EntryPoint {
    /// `s3://...` or `local://...`.
    Uri(String),
    /// A `pyspark_package!` handle: its entry point, and its venv wired into the Spark conf.
    Package(PathValue),
}

#[derive(Clone, Debug)]
pub enum S3Logs {
    /// A bucket the job creates: SSE-KMS, public access blocked, TLS only, retained.
    Created {
        prefix: String,
        encryption_key_arn: Option<String>,
    },
    Existing {
        bucket: String,
        prefix: String,
        encryption_key_arn: Option<String>,
    },
    Off,
}

#[derive(Clone, Debug)]
pub struct CloudWatchLogs {
    /// An existing log group, used by name (DSF created a duplicate: defect 8).
    pub log_group: String,
    pub stream_prefix: Option<String>,
    pub encryption_key_arn: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Orchestration {
    /// The optimized `startJobRun.sync` integration (DSF issue 188).
    Sync,
    /// Start, then wait N seconds and check, until a final state.
    Polling { interval_seconds: u32 },
    /// Start the run and end (streaming jobs, or runs watched elsewhere).
    Start,
}

pub const DEFAULT_TIMEOUT_MINUTES: u32 = 30;
pub const DEFAULT_LOG_RETENTION_DAYS: u32 = 731;

pub fn check(decl: &Declaration, ctx: &Context, diags: &mut Diags) -> Option<SparkJob> {
    let mut f = Fields::top(&decl.body, &super::DEF, diags);
    let handle = Handle::read(decl, &mut f, ctx, diags);
    let name = f
        .require("name", diags, "\"nightly-aggregation\"")
        .and_then(|v| v.string(diags));
    if let Some(n) = &name {
        let ok = !n.value.is_empty()
            && n.value.len() <= 64
            && n.value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._/#-".contains(c));
        if !ok {
            diags.error_help(
                n.span,
                format!("`{}` is not a valid job name", n.value),
                "job names are 1 to 64 letters, digits and . _ / # -",
            );
        }
    }
    let target = read_target(&mut f, diags);
    let raw = f.object("job_config", diags).map(|o| object_to_json(o, diags));
    let entry_point = f.get("entry_point");
    // Read (and checked) whatever the driver is, so they are never "unknown" fields.
    let arguments = f.strings("arguments", diags);
    let params = f.str("spark_submit_parameters", diags);
    if let Some(p) = &params {
        if let Err((m, h)) = spark_submit::check(&p.value) {
            diags.error_help(p.span, m, h);
        }
    }
    let driver = match (raw, entry_point) {
        (Some(raw), None) => {
            for key in ["arguments", "spark_submit_parameters"] {
                if let Some(span) = f.key_span(key) {
                    let field = if key == "arguments" {
                        "EntryPointArguments"
                    } else {
                        "SparkSubmitParameters"
                    };
                    diags.error_help(
                        span,
                        format!("`{key}` does not apply with `job_config`, which carries its own job driver"),
                        format!("put it in job_config's job driver (`{field}` for EMR Serverless), or use `entry_point` instead of job_config"),
                    );
                }
            }
            Some(Driver::Raw(raw))
        }
        (Some(_), Some(v)) => {
            diags.error_help(
                f.key_span("entry_point").unwrap_or(v.span),
                "`entry_point` and `job_config` both describe the job",
                "use the simple fields (entry_point, arguments, spark_submit_parameters) or `job_config` (the StartJobRun request), not both",
            );
            None
        }
        (None, Some(v)) => {
            let entry = match &v.kind {
                ValueKind::Path(_) => v.handle(diags).map(|p| EntryPoint::Package(p.clone())),
                _ => v.string(diags).and_then(|e| {
                    let ok = ["s3://", "local://", "file://", "https://"].iter().any(|s| e.value.starts_with(s))
                        && e.value.len() > 8;
                    if ok {
                        Some(EntryPoint::Uri(e.value))
                    } else {
                        diags.error_help(
                            e.span,
                            format!("`{}` is not an entry point URI", e.value),
                            "use \"s3://bucket/path/job.py\", \"local:///usr/lib/spark/examples/src/main/python/pi.py\", or a pyspark_package! handle",
                        );
                        None
                    }
                }),
            };
            entry.map(|e| Driver::Submit {
                entry_point: e,
                arguments: arguments.unwrap_or_default().into_iter().map(|a| a.value).collect(),
                spark_submit_parameters: params.map(|p| p.value),
            })
        }
        (None, None) => {
            diags.error_help(
                decl.body.span,
                "spark_job! needs `entry_point` (or a raw `job_config`)",
                "add `entry_point: \"s3://bucket/jobs/job.py\"`, or `entry_point: MY_PACKAGE` (a pyspark_package! handle)",
            );
            None
        }
    };
    let execution_role = read_execution_role(&mut f, target.as_ref(), diags);
    let is_eks = target.as_ref().is_some_and(Target::is_eks);
    let timeout = f.int("timeout_minutes", diags, 1, 10080).map(|n| n.value as u32);
    let mode_retry = super::mode::read(&mut f, target.as_ref().map(Target::service), diags);
    let timeout_minutes = match (timeout, mode_retry.mode) {
        (Some(t), _) => t,
        (None, Mode::Streaming) => 0,
        (None, Mode::Batch) => DEFAULT_TIMEOUT_MINUTES,
    };
    let release_label = match f.get("release_label") {
        Some(v) if !is_eks => {
            diags.error_help(
                f.key_span("release_label").unwrap_or(v.span),
                "`release_label` applies to EMR on EKS jobs",
                "an EMR Serverless job runs on its application's release; set it on the runtime",
            );
            None
        }
        Some(v) => read_eks_release(v, diags),
        None if matches!(target, Some(Target::Eks { .. })) => None,
        None if is_eks => Some(format!("{}-latest", release::DEFAULT_RELEASE)),
        None => None,
    };
    let profile = read_profile(&mut f, target.as_ref(), diags);
    let s3_logs = read_s3_logs(&mut f, diags);
    let cloudwatch_logs = f.object("cloudwatch_logs", diags).and_then(|o| {
        let mut g = Fields::new(o, "cloudwatch_logs", diags);
        let group = g
            .require("log_group", diags, "\"/spark/jobs\"")
            .and_then(|v| v.string(diags));
        let stream_prefix = g.str("stream_prefix", diags).map(|s| s.value);
        let encryption_key_arn = g.str("encryption_key_arn", diags).map(|s| s.value);
        g.finish(diags);
        if let Some(gr) = &group {
            if gr.value.starts_with("arn:") {
                diags.error_help(
                    gr.span,
                    "`log_group` takes the group's name, not its ARN",
                    "write the name, e.g. \"/spark/jobs\"",
                );
            }
        }
        Some(CloudWatchLogs {
            log_group: group?.value,
            stream_prefix,
            encryption_key_arn,
        })
    });
    let application_configuration = f
        .list("application_configuration", diags)
        .map(|l| read_classifications(l, diags, false))
        .unwrap_or_default();
    let tags = read_tags(&mut f, diags);
    let schedule = f.str("schedule", diags).map(|s| {
        if let Err((m, h)) = schedule::check_schedule(&s.value) {
            diags.error_help(s.span, m, h);
        }
        s.value
    });
    let removal = Removal::read(&mut f, ctx, diags);
    let orchestration = read_orchestration(&mut f, diags);
    let orchestration = match (mode_retry.mode, orchestration) {
        (Mode::Streaming, Some((Orchestration::Start, _)) | None) => Orchestration::Start,
        (Mode::Streaming, Some((_, span))) => {
            diags.error_help(
                span,
                "a streaming job runs until it is cancelled, so its state machine cannot wait for its end",
                "remove `orchestration` (the state machine starts the run), or write `orchestration: start`",
            );
            Orchestration::Start
        }
        (Mode::Batch, Some((o, _))) => o,
        (Mode::Batch, None) => Orchestration::Sync,
    };
    if let (Mode::Streaming, Some(span)) = (mode_retry.mode, f.key_span("schedule")) {
        diags.error_help(
            span,
            "a streaming job runs until it is cancelled: a schedule would start another run each time",
            "remove `schedule`, and start the job once with `cargo run -- run <job>` or its state machine",
        );
    }
    let log_retention_days = f
        .int("log_retention_days", diags, 1, 3653)
        .and_then(|n| {
            logs::check_retention(n.value)
                .map_err(|(m, h)| diags.error_help(n.span, m, h))
                .ok()
        })
        .unwrap_or(DEFAULT_LOG_RETENTION_DAYS);
    let tracing = f.bool("tracing", diags).unwrap_or(true);
    let mut s3_logs = s3_logs;
    if let Some(Driver::Raw(_)) = &driver {
        // A raw request carries its own ConfigurationOverrides; mixing would hide one of them.
        for key in ["application_configuration", "s3_logs", "cloudwatch_logs"] {
            if let Some(span) = f.key_span(key) {
                diags.error_help(
                    span,
                    format!("`{key}` does not apply with `job_config`, which carries its own ConfigurationOverrides"),
                    "put it in job_config's ConfigurationOverrides, or use the simple fields instead of job_config",
                );
            }
        }
        s3_logs = S3Logs::Off;
    }
    f.finish(diags);
    Some(SparkJob {
        handle,
        name: name?.value,
        target: target?,
        execution_role: execution_role?,
        driver: driver?,
        timeout_minutes,
        mode: mode_retry.mode,
        retry: mode_retry.retry,
        needs_release: mode_retry.needs,
        release_label,
        profile,
        s3_logs,
        cloudwatch_logs,
        application_configuration,
        tags,
        schedule,
        removal,
        orchestration,
        log_retention_days,
        tracing,
    })
}

fn read_target(f: &mut Fields, diags: &mut Diags) -> Option<Target> {
    let runtime = f.get("runtime");
    let app = f.get("application_id");
    let vc = f.get("virtual_cluster_id");
    let eks = f.get("virtual_cluster");
    let given: Vec<&str> = [
        ("runtime", runtime),
        ("application_id", app),
        ("virtual_cluster_id", vc),
        ("virtual_cluster", eks),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.map(|_| k))
    .collect();
    if let [first, second, ..] = given.as_slice() {
        let span = f.key_span(second).unwrap_or_else(|| f.span());
        diags.error_help(
            span,
            format!("`{second}` and `{first}` both set the job's target; a job runs on one"),
            format!("remove `{second}` or `{first}`: set one of `runtime`, `virtual_cluster`, `application_id` or `virtual_cluster_id`"),
        );
        return None;
    }
    if let Some(v) = runtime {
        return match &v.kind {
            ValueKind::Path(_) => v.handle(diags).map(|p| Target::Runtime(p.clone())),
            kind => {
                let help = match kind {
                    ValueKind::Str(s) if syn::parse_str::<syn::Ident>(s).is_ok() => format!(
                        "a handle is written without quotes: `runtime: {s}`; for an existing application use `application_id: \"00f...\"`"
                    ),
                    ValueKind::Str(s) => format!(
                        "for an existing EMR Serverless application write `application_id: \"{s}\"` (and an `execution_role`); for a runtime in this crate write its handle, e.g. `runtime: SPARK_RUNTIME`"
                    ),
                    _ => "write the handle name, e.g. `runtime: SPARK_RUNTIME`; for an existing application use `application_id: \"00f...\"`".to_string(),
                };
                diags.error_help(
                    v.span,
                    format!(
                        "expected the handle of a spark_serverless_runtime!, found {}",
                        kind.describe()
                    ),
                    help,
                );
                None
            }
        };
    }
    if let Some(v) = eks {
        return match &v.kind {
            ValueKind::Path(p) if p.members.len() == 1 => Some(Target::Eks {
                runtime: PathValue {
                    members: Vec::new(),
                    ..p.clone()
                },
                virtual_cluster: p.members[0].name.clone(),
                span: p.members[0].span,
            }),
            ValueKind::Path(p) if p.members.is_empty() => {
                diags.error_help(
                    v.span,
                    format!("`virtual_cluster` names one virtual cluster of `{}`", p.text),
                    format!("write `virtual_cluster: {}.<name>`, e.g. `{}.dailyjob`", p.text, p.text),
                );
                None
            }
            ValueKind::Path(p) => {
                diags.error_help(
                    p.members[1].span,
                    format!("`{}.{}` has no parts of its own", p.text, p.members[0].name),
                    "write `virtual_cluster: EKS.<name>`",
                );
                None
            }
            ValueKind::Str(s) => {
                diags.error_help(
                    v.span,
                    format!("expected a virtual cluster of an emr_eks_runtime! (`EKS.dailyjob`), found the string \"{s}\""),
                    format!("for a virtual cluster of this crate write `virtual_cluster: EKS.{s}`; for an existing one, `virtual_cluster_id: \"...\"`"),
                );
                None
            }
            kind => {
                diags.error_help(
                    v.span,
                    format!(
                        "expected a virtual cluster such as `EKS.dailyjob`, found {}",
                        kind.describe()
                    ),
                    "write `virtual_cluster: EKS.<name>`",
                );
                None
            }
        };
    }
    if let Some(v) = app {
        let s = v.string(diags)?;
        if s.value.is_empty() || !s.value.chars().all(|c| c.is_ascii_alphanumeric()) {
            diags.error_help(
                s.span,
                format!("`{}` is not an EMR Serverless application id", s.value),
                "application ids look like \"00fabcdef1234567\"",
            );
        }
        return Some(Target::ApplicationId(s.value));
    }
    if let Some(v) = vc {
        let s = v.string(diags)?;
        if s.value.is_empty() || !s.value.chars().all(|c| c.is_ascii_alphanumeric()) {
            diags.error_help(
                s.span,
                format!("`{}` is not a virtual cluster id", s.value),
                "virtual cluster ids are letters and digits",
            );
        }
        return Some(Target::VirtualCluster(s.value));
    }
    diags.error_help(f.span(), "spark_job! needs a target", "add `runtime: SPARK_RUNTIME` or `virtual_cluster: EKS.dailyjob` (declared in this crate), `application_id: \"...\"` or `virtual_cluster_id: \"...\"`");
    None
}

fn read_execution_role(f: &mut Fields, target: Option<&Target>, diags: &mut Diags) -> Option<ExecutionRole> {
    match f.get("execution_role") {
        Some(v) => {
            match &v.kind {
                ValueKind::Path(p) if p.members.len() == 1 => Some(ExecutionRole::Eks {
                    runtime: PathValue {
                        members: Vec::new(),
                        ..p.clone()
                    },
                    role: Some((p.members[0].name.clone(), p.members[0].span)),
                }),
                ValueKind::Path(_) => v.handle(diags).map(|p| ExecutionRole::Handle(p.clone())),
                ValueKind::Str(s) => match names::role_name_from_arn(s) {
                    Ok(name) => Some(ExecutionRole::Arn { arn: s.clone(), name }),
                    Err((m, h)) => {
                        diags.error_help(v.span, m, h);
                        None
                    }
                },
                _ => {
                    diags.error_help(v.span, format!("expected a role ARN or a runtime handle, found {}", v.kind.describe()), "write `execution_role: \"arn:aws:iam::123456789012:role/x\"` or `execution_role: SPARK_RUNTIME`");
                    None
                }
            }
        }
        None => {
            match target {
                Some(Target::Runtime(p)) => Some(ExecutionRole::Handle(p.clone())),
                Some(Target::Eks { runtime, .. }) => Some(ExecutionRole::Eks {
                    runtime: runtime.clone(),
                    role: None,
                }),
                Some(t) => {
                    let (key, what) = match t {
                        Target::VirtualCluster(_) => ("virtual_cluster_id", "an existing EMR on EKS virtual cluster"),
                        _ => ("application_id", "an existing EMR Serverless application"),
                    };
                    diags.error_help(
                    f.key_span(key).unwrap_or_else(|| f.span()),
                    format!("a job on {what} needs `execution_role`: there is no runtime in this crate to take it from"),
                    "add `execution_role: \"arn:aws:iam::123456789012:role/my-job-role\"`, the role the job runs as",
                );
                    None
                }
                None => None,
            }
        }
    }
}

/// `release_label: "emr-7.3.0-latest"` (checked against the table) or
/// `release_label: unlisted("emr-8.0.0-latest")` for a release newer than the table.
pub(crate) fn read_eks_release(v: &Value, diags: &mut Diags) -> Option<String> {
    crate::reader::Tabled {
        noun: "release label",
        unlisted_example: "emr-x.y.z-latest",
        check: release::check_containers,
        check_unlisted: release::check_unlisted_containers,
    }
    .read(v, diags)
}

/// `profile: critical | shared | notebook`: a default node profile of the job's runtime.
fn read_profile(
    f: &mut Fields,
    target: Option<&Target>,
    diags: &mut Diags,
) -> Option<(crate::constructs::emr_eks_runtime::Profile, proc_macro2::Span)> {
    use crate::constructs::emr_eks_runtime::Profile;
    let w = f.word("profile", diags, &["critical", "shared", "notebook"])?;
    if !matches!(target, Some(Target::Eks { .. }) | None) {
        diags.error_help(
            w.span,
            "`profile` picks pod templates and Spark defaults of an emr_eks_runtime!, and this job does not run on one",
            "run the job on a virtual cluster of an emr_eks_runtime! (`virtual_cluster: EKS.dailyjob`), or remove `profile`",
        );
        return None;
    }
    Profile::from_name(w.value).map(|p| (p, w.span))
}

fn read_s3_logs(f: &mut Fields, diags: &mut Diags) -> S3Logs {
    let Some(v) = f.get("s3_logs") else {
        return S3Logs::Created {
            prefix: String::new(),
            encryption_key_arn: None,
        };
    };
    if let ValueKind::Bool(false) = v.kind {
        return S3Logs::Off;
    }
    let Some(o) = v.object(diags) else { return S3Logs::Off };
    let mut g = Fields::new(o, "s3_logs", diags);
    let bucket = g.str("bucket", diags);
    let prefix = g.str("prefix", diags).map(|p| p.value).unwrap_or_default();
    let key = g.str("encryption_key_arn", diags).map(|k| k.value);
    g.finish(diags);
    match bucket {
        Some(b) => {
            let ok = (3..=63).contains(&b.value.len())
                && b.value
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.');
            let looks_uri = b.value.starts_with("s3://");
            if !ok {
                let help = if looks_uri {
                    "give the bucket name without `s3://`; put the path in `prefix`"
                } else {
                    "bucket names are 3 to 63 lowercase letters, digits, dots and hyphens"
                };
                diags.error_help(b.span, format!("`{}` is not a bucket name", b.value), help);
            }
            S3Logs::Existing {
                bucket: b.value,
                prefix,
                encryption_key_arn: key,
            }
        }
        None => S3Logs::Created {
            prefix,
            encryption_key_arn: key,
        },
    }
}

/// `orchestration`, if written, with its span; a bad value is reported and read as `sync`.
fn read_orchestration(f: &mut Fields, diags: &mut Diags) -> Option<(Orchestration, proc_macro2::Span)> {
    let v = f.get("orchestration")?;
    let o = match &v.kind {
        ValueKind::Path(p) if p.text == "sync" && p.members.is_empty() => Orchestration::Sync,
        ValueKind::Path(p) if p.text == "start" && p.members.is_empty() => Orchestration::Start,
        ValueKind::Call(c) if c.name == "polling" => match c.args.as_slice() {
            [secs] => match secs.kind {
                ValueKind::Int(n) if !(5..=3600).contains(&n) => {
                    diags.error_help(
                        secs.span,
                        format!("a polling interval of {n} s is out of range"),
                        "use 5 to 3600 seconds, e.g. `polling(60)`",
                    );
                    Orchestration::Sync
                }
                _ => secs
                    .int_in(diags, 5, 3600)
                    .map(|n| Orchestration::Polling {
                        interval_seconds: n.value as u32,
                    })
                    .unwrap_or(Orchestration::Sync),
            },
            _ => {
                diags.error_help(
                    c.name_span,
                    "`polling` takes the interval in seconds",
                    "write `orchestration: polling(60)`",
                );
                Orchestration::Sync
            }
        },
        _ => {
            let text = match &v.kind {
                ValueKind::Path(p) => p.text.clone(),
                ValueKind::Call(c) => c.name.clone(),
                other => other.describe().to_string(),
            };
            diags.error_help(
                v.span,
                format!(
                    "`{text}` is not an orchestration mode{}",
                    suggestion(&text, ["sync", "polling", "start"])
                ),
                "use `sync` (the optimized .sync integration, the default), `polling(60)` (check every 60 s) or `start` (start the run and end)",
            );
            Orchestration::Sync
        }
    };
    Some((o, v.span))
}

/// Converts a raw object (StartJobRun request) to JSON, keeping keys exactly as written.
pub fn object_to_json(o: &crate::value::Object, diags: &mut Diags) -> Map<String, Json> {
    let mut m = Map::new();
    for e in &o.entries {
        if m.contains_key(&e.key) {
            diags.error(e.key_span, format!("duplicate key `{}`", e.key));
            continue;
        }
        if let Some(v) = value_to_json(&e.value, diags) {
            m.insert(e.key.clone(), v);
        }
    }
    m
}

fn value_to_json(v: &Value, diags: &mut Diags) -> Option<Json> {
    Some(match &v.kind {
        ValueKind::Str(s) => Json::from(s.clone()),
        ValueKind::Int(n) => match i64::try_from(*n) {
            Ok(n) => Json::from(n),
            Err(_) => {
                diags.error(v.span, "this integer is too large for JSON");
                return None;
            }
        },
        ValueKind::Float(x) => serde_json::Number::from_f64(*x).map(Json::Number).unwrap_or(Json::Null),
        ValueKind::Bool(b) => Json::from(*b),
        ValueKind::List(items) => Json::Array(items.iter().filter_map(|i| value_to_json(i, diags)).collect()),
        ValueKind::Object(o) => Json::Object(object_to_json(o, diags)),
        ValueKind::Path(_) | ValueKind::Call(_) => {
            diags.error_help(
                v.span,
                "job_config holds plain JSON values",
                "write strings, numbers, booleans, lists and objects",
            );
            return None;
        }
    })
}
