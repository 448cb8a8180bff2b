//! What the runtime needs to start, watch and read the logs of each job, recorded in the
//! manifest: where to find the state machine, the target and the role (stack outputs or
//! literal values), and the StartJobRun request with its placeholders.

use crate::model::spark_job::{ExecutionRole, Orchestration, S3Logs, SparkJob, Target};
use crate::model::Construct;
use crate::synth::{serverless_runtime, spark_job};
use sparkform_assembly::{Asset as AssetEntry, AssetSource, Job as JobEntry, LocalRun, Service, ValueRef};

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
            Service::EmrContainers
        } else {
            Service::EmrServerless
        },
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
        let stack = bucket.stack().unwrap_or(&p.handle.stack).to_string();
        out.push(AssetEntry {
            id: p.handle.id("Entrypoint"),
            package: p.handle.ident.clone(),
            source: AssetSource::File {
                source: p.entrypoint.clone(),
            },
            hash: p.entrypoint_hash.clone(),
            bucket: bucket.clone(),
            key: p.entrypoint_key(),
            stack: stack.clone(),
        });
        if let (Some(v), Some(key)) = (&p.venv, p.venv_key()) {
            out.push(AssetEntry {
                id: p.handle.id("Venv"),
                package: p.handle.ident.clone(),
                source: AssetSource::Venv(v.recipe.clone()),
                hash: v.hash.clone(),
                bucket,
                key,
                stack,
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
        project_dir: pkg.venv.as_ref().map(|v| v.recipe.context.clone()),
    })
}
