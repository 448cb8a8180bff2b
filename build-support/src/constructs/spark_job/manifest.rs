//! What the runtime needs to start, watch and read the logs of a job, recorded in the
//! manifest: where to find the state machine, the target and the role (stack outputs or
//! literal values), and the StartJobRun request with its placeholders.

use super::model::{Driver, ExecutionRole, Orchestration, S3Logs, SparkJob, Target};
use super::request::{log_uri, request};
use super::synth::{ids, package_of, role_source, runtime_of};
use crate::constructs::attributes::output_ref;
use crate::constructs::pyspark_package::PySparkPackage;
use crate::constructs::serverless_runtime;
use crate::constructs::Index;
use sparkform_assembly::{Job, LocalRun, ValueRef};

/// The job's entry, when its references resolve.
pub fn entry(j: &SparkJob, index: &Index) -> Option<Job> {
    let ids = ids(j);
    let eks = super::eks::target(j, index);
    let target_id = match &j.target {
        Target::Eks { .. } => {
            let e = eks.as_ref()?;
            let vc = crate::constructs::emr_eks_runtime::Ids::new(e.runtime).virtual_cluster(&e.virtual_cluster.name);
            ValueRef::output(
                crate::constructs::emr_eks_runtime::virtual_clusters::stack_of(e.runtime),
                format!("{vc}Id"),
            )
        }
        Target::Runtime(p) => {
            let r = runtime_of(index, p)?;
            ValueRef::output(&r.handle.stack, serverless_runtime::ids(r).out_application_id)
        }
        Target::ApplicationId(id) | Target::VirtualCluster(id) => ValueRef::literal(id),
    };
    let execution_role_arn = match &j.execution_role {
        ExecutionRole::Arn { arn, .. } => ValueRef::literal(arn),
        ExecutionRole::Eks { .. } => {
            let e = eks.as_ref()?;
            let role = crate::constructs::emr_eks_runtime::Ids::new(e.runtime).execution_role(&e.role.name);
            ValueRef::output(&e.runtime.handle.stack, format!("{role}Arn"))
        }
        ExecutionRole::Handle(p) => {
            let (c, arn, _) = role_source(index, p)?;
            output_ref(c, arn)?
        }
    };
    let log_bucket =
        matches!(j.s3_logs, S3Logs::Created { .. }).then(|| ValueRef::output(&j.handle.stack, &ids.out_log_bucket));
    let pkg = package_of(j, index);
    Some(Job {
        handle: j.handle.ident.clone(),
        name: j.name.clone(),
        stack: j.handle.stack.clone(),
        state_machine_output: ids.out_state_machine_arn,
        service: j.target.service(),
        target_id,
        execution_role_arn,
        log_bucket,
        log_uri: log_uri(j),
        timeout_minutes: j.timeout_minutes,
        polling_interval_seconds: match j.orchestration {
            Orchestration::Sync | Orchestration::Start => None,
            Orchestration::Polling { interval_seconds } => Some(interval_seconds),
        },
        request: serde_json::Value::Object(request(j, pkg, eks.as_ref())),
        artifacts_bucket: pkg.map(PySparkPackage::bucket_ref),
        pod_template_bucket: eks
            .as_ref()
            .filter(|e| e.runtime.has_template_bucket())
            .and_then(|e| output_ref(e.runtime, "pod_template_bucket_name")),
        local: local_run(j, pkg),
    })
}

/// What `run --local` needs: the entry point on this machine and the Spark settings.
fn local_run(j: &SparkJob, pkg: Option<&PySparkPackage>) -> Option<LocalRun> {
    let pkg = pkg?;
    let Driver::Submit {
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
