//! `run --direct` and `logs` of EMR on EKS jobs, through EMR's containers API: the job's
//! StartJobRun request (what its state machine sends) sent as is, its run followed to a
//! final state, and its newest run found by name.

use super::{s, string_map, RunEnd};
use crate::aws::{explain, Aws};
use aws_sdk_emrcontainers::types as emr;
use serde_json::Value;

fn monitoring(m: &Value) -> Result<emr::MonitoringConfiguration, String> {
    let mut b = emr::MonitoringConfiguration::builder()
        .set_persistent_app_ui(m.get("PersistentAppUI").and_then(s).map(|p| p.as_str().into()));
    if let Some(s3) = m.get("S3MonitoringConfiguration") {
        b = b.s3_monitoring_configuration(
            emr::S3MonitoringConfiguration::builder()
                .set_log_uri(s3.get("LogUri").and_then(s))
                .build()
                .map_err(|e| e.to_string())?,
        );
    }
    if let Some(cw) = m.get("CloudWatchMonitoringConfiguration") {
        b = b.cloud_watch_monitoring_configuration(
            emr::CloudWatchMonitoringConfiguration::builder()
                .set_log_group_name(cw.get("LogGroupName").and_then(s))
                .set_log_stream_name_prefix(cw.get("LogStreamNamePrefix").and_then(s))
                .build()
                .map_err(|e| e.to_string())?,
        );
    }
    if let Some(r) = m.get("ContainerLogRotationConfiguration") {
        b = b.container_log_rotation_configuration(
            emr::ContainerLogRotationConfiguration::builder()
                .set_rotation_size(r.get("RotationSize").and_then(s))
                .set_max_files_to_keep(r.get("MaxFilesToKeep").and_then(Value::as_i64).map(|n| n as i32))
                .build()
                .map_err(|e| e.to_string())?,
        );
    }
    Ok(b.build())
}

/// Starts the request (placeholders filled) on its virtual cluster; returns the run id.
pub async fn start(aws: &Aws, r: &Value, job: &str) -> Result<String, String> {
    let vc = r["VirtualClusterId"].as_str().unwrap_or_default();
    let submit = &r["JobDriver"]["SparkSubmitJobDriver"];
    let driver = emr::SparkSubmitJobDriver::builder()
        .set_entry_point(submit.get("EntryPoint").and_then(s))
        .set_entry_point_arguments(
            submit
                .get("EntryPointArguments")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(s).collect()),
        )
        .set_spark_submit_parameters(submit.get("SparkSubmitParameters").and_then(s))
        .build()
        .map_err(|e| format!("the job's driver is incomplete: {e}"))?;
    let mut call = aws
        .emr_containers
        .start_job_run()
        .virtual_cluster_id(vc)
        .set_name(r.get("Name").and_then(s))
        .set_execution_role_arn(r.get("ExecutionRoleArn").and_then(s))
        .set_release_label(r.get("ReleaseLabel").and_then(s))
        .client_token(super::client_token())
        .job_driver(emr::JobDriver::builder().spark_submit_job_driver(driver).build())
        .set_tags(r.get("Tags").and_then(string_map));
    if let Some(o) = r.get("ConfigurationOverrides") {
        let mut b = emr::ConfigurationOverrides::builder();
        if let Some(a) = o.get("ApplicationConfiguration") {
            let make = |(classification, properties, nested)| {
                emr::Configuration::builder()
                    .set_classification(classification)
                    .set_properties(properties)
                    .set_configurations(nested)
                    .build()
                    .map_err(|e| e.to_string())
            };
            b = b.set_application_configuration(Some(super::configurations(a, &make)?));
        }
        if let Some(m) = o.get("MonitoringConfiguration") {
            b = b.monitoring_configuration(monitoring(m)?);
        }
        call = call.configuration_overrides(b.build());
    }
    if let Some(n) = r["RetryPolicyConfiguration"]["MaxAttempts"].as_i64() {
        call = call.retry_policy_configuration(
            emr::RetryPolicyConfiguration::builder()
                .max_attempts(n as i32)
                .build()
                .map_err(|e| e.to_string())?,
        );
    }
    let out = call
        .send()
        .await
        .map_err(|e| explain(&format!("cannot start {job} on virtual cluster {vc}"), &e))?;
    out.id()
        .map(str::to_string)
        .ok_or_else(|| "EMR on EKS returned no job run id".to_string())
}

/// Follows a job run to a final state, printing each change.
pub async fn wait(aws: &Aws, vc: &str, run: &str, say: &dyn Fn(String)) -> Result<RunEnd, String> {
    super::follow(run, say, || async {
        let out = aws
            .emr_containers
            .describe_job_run()
            .virtual_cluster_id(vc)
            .id(run)
            .send()
            .await
            .map_err(|e| explain(&format!("cannot read job run {run}"), &e))?;
        let jr = out.job_run().ok_or("EMR on EKS returned no job run")?;
        let state = jr.state().map(|s| s.as_str().to_string()).unwrap_or_default();
        let reason = jr.failure_reason().map(|r| r.as_str().to_string());
        let details = match (reason, jr.state_details().filter(|d| !d.is_empty())) {
            (Some(r), Some(d)) => Some(format!("{r}: {d}")),
            (r, d) => r.or(d.map(str::to_string)),
        };
        Ok(RunEnd::of(state, "COMPLETED", &["FAILED", "CANCELLED"], details))
    })
    .await
}

/// The newest run of the job named `name` on the virtual cluster.
pub async fn latest_run(aws: &Aws, vc: &str, name: &str) -> Result<String, String> {
    let out = aws
        .emr_containers
        .list_job_runs()
        .virtual_cluster_id(vc)
        .name(name)
        .send()
        .await
        .map_err(|e| explain(&format!("cannot list the job runs of virtual cluster {vc}"), &e))?;
    out.job_runs()
        .iter()
        .filter(|r| r.name() == Some(name))
        .max_by_key(|r| r.created_at().map(|t| t.secs()).unwrap_or_default())
        .and_then(|r| r.id().map(str::to_string))
        .ok_or_else(|| format!("job {name} has no runs on virtual cluster {vc}; start one with `run {name}`"))
}
