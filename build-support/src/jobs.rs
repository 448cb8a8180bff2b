//! What the runtime needs to start, watch and read the logs of each job, recorded in the
//! manifest: where to find the state machine, the target and the role (stack outputs or
//! literal values), and the StartJobRun request with its placeholders.

use crate::model::spark_job::{ExecutionRole, Orchestration, S3Logs, SparkJob, Target};
use crate::model::Construct;
use crate::synth::{serverless_runtime, spark_job};
use serde::{Deserialize, Serialize};

/// A value known at build time, or a stack output read at run time.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ValueRef {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stack: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output: Option<String>,
}

impl ValueRef {
    pub fn literal(v: &str) -> ValueRef {
        ValueRef {
            value: Some(v.to_string()),
            stack: None,
            output: None,
        }
    }

    pub fn output(stack: &str, output: &str) -> ValueRef {
        ValueRef {
            value: None,
            stack: Some(stack.to_string()),
            output: Some(output.to_string()),
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct JobEntry {
    pub handle: String,
    pub name: String,
    pub stack: String,
    pub state_machine_output: String,
    /// "emr-serverless" or "emr-containers".
    pub service: String,
    /// Application id (EMR Serverless) or virtual cluster id (EMR on EKS).
    pub target_id: ValueRef,
    pub execution_role_arn: ValueRef,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_bucket: Option<ValueRef>,
    /// `s3://.../` where the job writes its logs; `${LogBucket}` stands for `log_bucket`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_uri: Option<String>,
    pub timeout_minutes: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub polling_interval_seconds: Option<u32>,
    /// The StartJobRun request with `${TargetId}`, `${ExecutionRoleArn}`, `${LogBucket}`
    /// and `${ArtifactsBucket}` placeholders.
    pub request: serde_json::Value,
    /// The bucket of the job's package (for `${ArtifactsBucket}`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub artifacts_bucket: Option<ValueRef>,
    /// Set when the job's entry point is a package: `run --local` can run it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub local: Option<LocalRun>,
}

fn runtime<'a>(constructs: &'a [Construct], path_text: &str) -> Option<&'a crate::model::ServerlessRuntime> {
    let ident = path_text.rsplit("::").next().unwrap_or(path_text);
    constructs.iter().find_map(|c| match c {
        Construct::ServerlessRuntime(r) if r.handle.ident == ident => Some(r),
        _ => None,
    })
}

fn entry(j: &SparkJob, constructs: &[Construct]) -> Option<JobEntry> {
    let ids = spark_job::ids(j);
    let target_id = match &j.target {
        Target::Runtime(p) => {
            let r = runtime(constructs, &p.text)?;
            ValueRef::output(&r.handle.stack, &serverless_runtime::ids(r).out_application_id)
        }
        Target::ApplicationId(id) | Target::VirtualCluster(id) => ValueRef::literal(id),
    };
    let execution_role_arn = match &j.execution_role {
        ExecutionRole::Arn { arn, .. } => ValueRef::literal(arn),
        ExecutionRole::OfRuntime(p) => {
            let r = runtime(constructs, &p.text)?;
            ValueRef::output(&r.handle.stack, &serverless_runtime::ids(r).out_execution_role_arn)
        }
    };
    let log_bucket =
        matches!(j.s3_logs, S3Logs::Created { .. }).then(|| ValueRef::output(&j.handle.stack, &ids.out_log_bucket));
    let log_uri = spark_job::log_uri(j);
    let pkg = spark_job::package_of(j, constructs);
    let request = serde_json::Value::Object(spark_job::request(j, log_uri.as_deref(), pkg));
    Some(JobEntry {
        handle: j.handle.ident.clone(),
        name: j.name.clone(),
        stack: j.handle.stack.clone(),
        state_machine_output: ids.out_state_machine_arn,
        service: if j.target.is_eks() {
            "emr-containers"
        } else {
            "emr-serverless"
        }
        .into(),
        target_id,
        execution_role_arn,
        log_bucket,
        log_uri,
        timeout_minutes: j.timeout_minutes,
        polling_interval_seconds: match j.orchestration {
            Orchestration::Sync => None,
            Orchestration::Polling { interval_seconds } => Some(interval_seconds),
        },
        request,
        artifacts_bucket: pkg.map(|p| match &p.artifacts_bucket {
            Some(name) => ValueRef::literal(name),
            None => ValueRef::output(&p.handle.stack, &crate::synth::pyspark_package::ids(p).out_bucket),
        }),
        local: local_run(j, pkg),
    })
}

/// One entry per job whose references resolve.
pub fn entries(constructs: &[Construct]) -> Vec<JobEntry> {
    constructs
        .iter()
        .filter_map(|c| match c {
            Construct::SparkJob(j) => entry(j, constructs),
            _ => None,
        })
        .collect()
}

/// What `run --local` needs: the entry point on this machine and the Spark settings.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct LocalRun {
    /// The .py entry point, relative to the crate.
    pub entry_point: String,
    pub arguments: Vec<String>,
    /// `--conf` pairs of spark_submit_parameters (the EMR venv wiring is not among them).
    pub spark_conf: Vec<(String, String)>,
    /// The id of the package's venv asset, when it has dependencies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub venv_asset: Option<String>,
    /// The Spark project folder (pyproject.toml, tests/), relative to the crate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project_dir: Option<String>,
}

/// A file the runtime uploads before the stacks that use it run jobs.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct AssetEntry {
    pub id: String,
    /// The `pyspark_package!` handle it belongs to.
    pub package: String,
    /// "file" (uploaded as is) or "venv" (built in Docker, then uploaded).
    pub kind: String,
    /// For "file": the file, relative to the crate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// For "venv": the build context folder, relative to the crate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
    /// For "venv": the user's Dockerfile (relative to the crate), or none: sparkform writes one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dockerfile: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project_file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_image: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub archive_path: Option<String>,
    /// Content hash of the inputs (the key contains it too).
    pub hash: String,
    pub bucket: ValueRef,
    pub key: String,
}

/// The assets of every package.
pub fn assets(constructs: &[Construct]) -> Vec<AssetEntry> {
    let mut out = Vec::new();
    for c in constructs {
        let Construct::PySparkPackage(p) = c else { continue };
        let ids = crate::synth::pyspark_package::ids(p);
        let bucket = match &p.artifacts_bucket {
            Some(name) => ValueRef::literal(name),
            None => ValueRef::output(&p.handle.stack, &ids.out_bucket),
        };
        out.push(AssetEntry {
            id: p.handle.id("Entrypoint"),
            package: p.handle.ident.clone(),
            kind: "file".into(),
            source: Some(p.entrypoint.clone()),
            context: None,
            dockerfile: None,
            project_file: None,
            base_image: None,
            archive_path: None,
            hash: p.entrypoint_hash.clone(),
            bucket: bucket.clone(),
            key: p.entrypoint_key(),
        });
        if let (Some(v), Some(key)) = (&p.venv, p.venv_key()) {
            out.push(AssetEntry {
                id: p.handle.id("Venv"),
                package: p.handle.ident.clone(),
                kind: "venv".into(),
                source: None,
                context: Some(v.context.clone()),
                dockerfile: v.dockerfile.clone(),
                project_file: v.project_file.clone(),
                base_image: v.base_image.clone(),
                archive_path: Some(v.archive_path.clone()),
                hash: v.hash.clone(),
                bucket,
                key,
            });
        }
    }
    out
}

fn local_run(j: &SparkJob, pkg: Option<&crate::model::PySparkPackage>) -> Option<LocalRun> {
    let pkg = pkg?;
    let crate::model::spark_job::Driver::Submit {
        arguments,
        spark_submit_parameters,
        ..
    } = &j.driver
    else {
        return None;
    };
    let spark_conf = spark_submit_parameters
        .as_deref()
        .and_then(|p| crate::checks::spark_submit::check(p).ok())
        .unwrap_or_default();
    Some(LocalRun {
        entry_point: pkg.entrypoint.clone(),
        arguments: arguments.clone(),
        spark_conf,
        venv_asset: pkg.venv.as_ref().map(|_| pkg.handle.id("Venv")),
        project_dir: pkg.venv.as_ref().map(|v| v.context.clone()),
    })
}
