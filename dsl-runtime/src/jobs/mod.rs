//! `run`, `status` and `logs`: start a job (through its state machine, or straight on EMR
//! with `--direct`), follow it to the end, and read its driver's output from S3.

#[cfg(feature = "kubernetes")]
mod eks;

use crate::assembly::{Assembly, Job, Service};
use crate::aws::{explain, Aws};
use crate::deploy::sdk::Sdk;
use aws_sdk_emrserverless::types as emr;
use serde_json::Value;
use sparkform_assembly::placeholder::{self, Placeholder};
use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

/// Stack outputs for the job commands.
pub type Outputs<'a> = crate::deploy::outputs::Outputs<'a, Sdk>;

/// Where each placeholder `text` uses gets its value, resolved from the stacks' outputs
/// (`TargetId` from `application_id` when given).
async fn placeholder_values(
    outputs: &Outputs<'_>,
    job: &Job,
    text: &str,
    application_id: Option<&str>,
) -> Result<BTreeMap<Placeholder, String>, String> {
    let bindings = job.bindings();
    let mut values = BTreeMap::new();
    for p in placeholder::used_in(text) {
        let value = match (p, application_id) {
            (Placeholder::TargetId, Some(id)) => id.to_string(),
            _ => match bindings.get(&p) {
                Some(r) => outputs.resolve(r).await.map_err(|e| e.to_string())?,
                None => continue,
            },
        };
        values.insert(p, value);
    }
    Ok(values)
}

/// Finds a job by handle (`PI_JOB`) or job name (`PiCalculation`), without case.
pub fn find<'a>(asm: &'a Assembly, job: &str) -> Result<&'a Job, String> {
    asm.manifest
        .jobs
        .iter()
        .find(|j| j.handle.eq_ignore_ascii_case(job) || j.name.eq_ignore_ascii_case(job))
        .ok_or_else(|| {
            let known: Vec<String> = asm
                .manifest
                .jobs
                .iter()
                .map(|j| format!("{} ({})", j.handle, j.name))
                .collect();
            if known.is_empty() {
                "this app declares no spark_job!".to_string()
            } else {
                format!("there is no job `{job}`; the jobs are: {}", known.join(", "))
            }
        })
}

/// The request with its placeholders filled in.
async fn request(outputs: &Outputs<'_>, job: &Job, application_id: Option<&str>) -> Result<Value, String> {
    let values = placeholder_values(outputs, job, &job.request.to_string(), application_id).await?;
    placeholder::fill_json(&job.request, &values).map_err(|e| e.to_string())
}

fn s(v: &Value) -> Option<String> {
    v.as_str().map(str::to_string)
}

fn string_map(v: &Value) -> Option<HashMap<String, String>> {
    v.as_object().map(|m| {
        m.iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string()),
                )
            })
            .collect()
    })
}

/// One EMR configuration: classification, properties and nested configurations.
type ConfigurationParts<T> = (Option<String>, Option<HashMap<String, String>>, Option<Vec<T>>);

/// A request's `ApplicationConfiguration` list, each built with one SDK's type by `make`
/// (EMR Serverless and EMR on EKS have the same shape in different crates).
fn configurations<T>(v: &Value, make: &dyn Fn(ConfigurationParts<T>) -> Result<T, String>) -> Result<Vec<T>, String> {
    let mut out = Vec::new();
    for c in v.as_array().into_iter().flatten() {
        let nested = match c.get("Configurations") {
            Some(n) => Some(configurations(n, make)?),
            None => None,
        };
        out.push(make((
            c.get("Classification").and_then(s),
            c.get("Properties").and_then(string_map),
            nested,
        ))?);
    }
    Ok(out)
}

/// A run started with `--direct`: on an EMR Serverless application or an EMR on EKS
/// virtual cluster (`target`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirectRun {
    pub service: Service,
    pub target: String,
    pub run: String,
}

impl DirectRun {
    /// `application` or `virtual cluster`, for messages.
    pub fn target_kind(&self) -> &'static str {
        match self.service {
            Service::EmrServerless => "application",
            Service::EmrContainers => "virtual cluster",
        }
    }

    /// The JSON key of the target: `application_id` or `virtual_cluster_id`.
    pub fn target_key(&self) -> &'static str {
        match self.service {
            Service::EmrServerless => "application_id",
            Service::EmrContainers => "virtual_cluster_id",
        }
    }
}

/// The `--application-id` or `--virtual-cluster-id` given for `run --direct`, if it fits
/// where the job runs.
pub fn direct_target<'a>(
    job: &Job,
    application_id: Option<&'a str>,
    virtual_cluster_id: Option<&'a str>,
) -> Result<Option<&'a str>, String> {
    match (job.service, application_id, virtual_cluster_id) {
        (Service::EmrServerless, _, Some(_)) => Err(format!(
            "{} runs on EMR Serverless: give --application-id, not --virtual-cluster-id",
            job.handle
        )),
        (Service::EmrContainers, Some(_), _) => Err(format!(
            "{} runs on EMR on EKS: give --virtual-cluster-id, not --application-id",
            job.handle
        )),
        (_, a, v) => Ok(a.or(v)),
    }
}

/// A client token unique to this start, so a retried call never starts the run twice.
fn client_token() -> String {
    format!("sparkform-{}-{}", std::process::id(), now_ms())
}

/// Starts the job straight on EMR (no state machine), on `target` (an application or
/// virtual cluster id) instead of the job's own when given.
pub async fn start_direct(aws: &Aws, asm: &Assembly, job: &Job, target: Option<&str>) -> Result<DirectRun, String> {
    let cfn = Sdk(aws.cfn.clone());
    let outputs = Outputs::new(asm, &cfn);
    let r = request(&outputs, job, target).await?;
    match job.service {
        Service::EmrServerless => {
            let (target, run) = start_serverless(aws, job, &r).await?;
            Ok(DirectRun {
                service: job.service,
                target,
                run,
            })
        }
        #[cfg(feature = "kubernetes")]
        Service::EmrContainers => Ok(DirectRun {
            service: job.service,
            target: r["VirtualClusterId"].as_str().unwrap_or_default().to_string(),
            run: eks::start(aws, &r, &job.name).await?,
        }),
        #[cfg(not(feature = "kubernetes"))]
        Service::EmrContainers => Err(needs_kubernetes(job, "`run --direct`")),
    }
}

/// What to do when the EMR on EKS client was not built in.
#[cfg(not(feature = "kubernetes"))]
fn needs_kubernetes(job: &Job, what: &str) -> String {
    format!(
        "{what} of {} (EMR on EKS) needs sparkform's `kubernetes` feature, which adds EMR on EKS's API client: \
         `cargo add sparkform --features kubernetes`; or run it through its state machine (without --direct)",
        job.handle
    )
}

async fn start_serverless(aws: &Aws, job: &Job, r: &Value) -> Result<(String, String), String> {
    let app = r["ApplicationId"].as_str().unwrap_or_default().to_string();
    let submit = &r["JobDriver"]["SparkSubmit"];
    let driver = emr::SparkSubmit::builder()
        .set_entry_point(submit.get("EntryPoint").and_then(s))
        .set_entry_point_arguments(
            submit
                .get("EntryPointArguments")
                .and_then(|a| a.as_array())
                .map(|a| a.iter().filter_map(s).collect()),
        )
        .set_spark_submit_parameters(submit.get("SparkSubmitParameters").and_then(s))
        .build()
        .map_err(|e| format!("the job's driver is incomplete: {e}"))?;
    let mut call = aws
        .emr
        .start_job_run()
        .application_id(&app)
        .set_execution_role_arn(r.get("ExecutionRoleArn").and_then(s))
        .set_name(r.get("Name").and_then(s))
        .client_token(client_token())
        .set_execution_timeout_minutes(r.get("ExecutionTimeoutMinutes").and_then(|v| v.as_i64()))
        .job_driver(emr::JobDriver::SparkSubmit(driver))
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
            b = b.set_application_configuration(Some(configurations(a, &make)?));
        }
        if let Some(m) = o.get("MonitoringConfiguration") {
            let mut mb = emr::MonitoringConfiguration::builder();
            if let Some(s3) = m.get("S3MonitoringConfiguration") {
                mb = mb.s3_monitoring_configuration(
                    emr::S3MonitoringConfiguration::builder()
                        .set_log_uri(s3.get("LogUri").and_then(s))
                        .set_encryption_key_arn(s3.get("EncryptionKeyArn").and_then(s))
                        .build(),
                );
            }
            if let Some(cw) = m.get("CloudWatchLoggingConfiguration") {
                mb = mb.cloud_watch_logging_configuration(
                    emr::CloudWatchLoggingConfiguration::builder()
                        .enabled(cw.get("Enabled").and_then(|v| v.as_bool()).unwrap_or(true))
                        .set_log_group_name(cw.get("LogGroupName").and_then(s))
                        .set_log_stream_name_prefix(cw.get("LogStreamNamePrefix").and_then(s))
                        .set_encryption_key_arn(cw.get("EncryptionKeyArn").and_then(s))
                        .build()
                        .map_err(|e| e.to_string())?,
                );
            }
            b = b.monitoring_configuration(mb.build());
        }
        call = call.configuration_overrides(b.build());
    }
    let out = call
        .send()
        .await
        .map_err(|e| explain(&format!("cannot start {} on application {app}", job.name), &e))?;
    Ok((app, out.job_run_id().to_string()))
}

fn now_ms() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or_default()
}

/// How often `--wait` checks (SPARKFORM_POLL_MS overrides, for tests).
pub fn poll_interval() -> Duration {
    std::env::var("SPARKFORM_POLL_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map(Duration::from_millis)
        .unwrap_or(Duration::from_secs(5))
}

/// A finished run: its final state and, for failures, why.
#[derive(Debug, Clone, PartialEq)]
pub struct RunEnd {
    pub state: String,
    pub details: Option<String>,
    pub succeeded: bool,
}

/// Follows a run started with `--direct` to a final state, printing each change.
pub async fn wait_direct(aws: &Aws, run: &DirectRun, say: &dyn Fn(String)) -> Result<RunEnd, String> {
    match run.service {
        Service::EmrServerless => wait_serverless(aws, &run.target, &run.run, say).await,
        #[cfg(feature = "kubernetes")]
        Service::EmrContainers => eks::wait(aws, &run.target, &run.run, say).await,
        #[cfg(not(feature = "kubernetes"))]
        Service::EmrContainers => Err("EMR on EKS runs need sparkform's `kubernetes` feature".into()),
    }
}

async fn wait_serverless(aws: &Aws, app: &str, run: &str, say: &dyn Fn(String)) -> Result<RunEnd, String> {
    follow(run, say, || async {
        let out = aws
            .emr
            .get_job_run()
            .application_id(app)
            .job_run_id(run)
            .send()
            .await
            .map_err(|e| explain(&format!("cannot read job run {run}"), &e))?;
        let jr = out.job_run().ok_or("EMR Serverless returned no job run")?;
        let state = jr.state().as_str().to_string();
        let details = Some(jr.state_details().to_string()).filter(|d| !d.is_empty());
        Ok(RunEnd::of(state, "SUCCESS", &["FAILED", "CANCELLED"], details))
    })
    .await
}

impl RunEnd {
    /// The state of a run, and how it ended if `state` is final: `success`, or one of
    /// `failures` (with `details`).
    fn of(state: String, success: &str, failures: &[&str], details: Option<String>) -> (String, Option<RunEnd>) {
        let end = if state == success {
            Some(RunEnd {
                state: state.clone(),
                details: None,
                succeeded: true,
            })
        } else if failures.contains(&state.as_str()) {
            Some(RunEnd {
                state: state.clone(),
                details,
                succeeded: false,
            })
        } else {
            None
        };
        (state, end)
    }
}

/// Polls a run until it ends, printing each change of state: `read` gives the state and,
/// once it is final, how the run ended.
async fn follow<F, Fut>(run: &str, say: &dyn Fn(String), mut read: F) -> Result<RunEnd, String>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<(String, Option<RunEnd>), String>>,
{
    let mut last = String::new();
    loop {
        let (state, end) = read().await?;
        if state != last {
            say(format!("{run}: {state}"));
            last = state;
        }
        if let Some(end) = end {
            return Ok(end);
        }
        tokio::time::sleep(poll_interval()).await;
    }
}

/// Starts the job's state machine; returns the execution ARN.
pub async fn start_state_machine(aws: &Aws, asm: &Assembly, job: &Job) -> Result<String, String> {
    let cfn = Sdk(aws.cfn.clone());
    let arn = Outputs::new(asm, &cfn)
        .get(&job.stack, &job.state_machine_output)
        .await
        .map_err(|e| e.to_string())?;
    let out = aws
        .sfn
        .start_execution()
        .state_machine_arn(&arn)
        .input("{}")
        .send()
        .await
        .map_err(|e| explain(&format!("cannot start the state machine of {}", job.name), &e))?;
    Ok(out.execution_arn().to_string())
}

/// Follows a state machine execution to its end, printing each change.
pub async fn wait_state_machine(aws: &Aws, execution: &str, say: &dyn Fn(String)) -> Result<RunEnd, String> {
    let mut last = String::new();
    loop {
        let d = aws
            .sfn
            .describe_execution()
            .execution_arn(execution)
            .send()
            .await
            .map_err(|e| explain("cannot read the execution", &e))?;
        let state = d.status().as_str().to_string();
        if state != last {
            say(format!("execution: {state}"));
            last = state.clone();
        }
        match state.as_str() {
            "SUCCEEDED" => {
                return Ok(RunEnd {
                    state,
                    details: None,
                    succeeded: true,
                })
            }
            "RUNNING" | "PENDING_REDRIVE" => tokio::time::sleep(poll_interval()).await,
            _ => {
                let details = match (d.error(), d.cause()) {
                    (Some(e), Some(c)) => Some(format!("{e}: {c}")),
                    (Some(e), None) => Some(e.to_string()),
                    (None, c) => c.map(str::to_string),
                };
                return Ok(RunEnd {
                    state,
                    details,
                    succeeded: false,
                });
            }
        }
    }
}

/// The driver's stdout and stderr of a run, from the job's S3 log location.
pub async fn driver_logs(
    aws: &Aws,
    asm: &Assembly,
    job: &Job,
    run_id: Option<&str>,
) -> Result<Vec<(String, String)>, String> {
    let Some(uri) = &job.log_uri else {
        return Err(format!(
            "{} writes no S3 logs (`s3_logs: false`); see its CloudWatch group if it has one",
            job.handle
        ));
    };
    #[cfg(not(feature = "kubernetes"))]
    if job.service == Service::EmrContainers && run_id.is_none() {
        return Err(format!(
            "{}, or name the run: `logs {} --run-id <id>`",
            needs_kubernetes(job, "finding the newest run"),
            job.handle
        ));
    }
    let cfn = Sdk(aws.cfn.clone());
    let outputs = Outputs::new(asm, &cfn);
    let values = placeholder_values(&outputs, job, uri, None).await?;
    let uri = placeholder::fill(uri, &values).map_err(|e| e.to_string())?;
    let app = outputs.resolve(&job.target_id).await.map_err(|e| e.to_string())?;
    let run = match (run_id, job.service) {
        (Some(r), _) => r.to_string(),
        (None, Service::EmrServerless) => latest_run(aws, &app, &job.name).await?,
        #[cfg(feature = "kubernetes")]
        (None, Service::EmrContainers) => eks::latest_run(aws, &app, &job.name).await?,
        #[cfg(not(feature = "kubernetes"))]
        (None, Service::EmrContainers) => unreachable!("refused above"),
    };
    let rest = uri
        .strip_prefix("s3://")
        .ok_or("the log location is not an s3:// URI")?;
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    let base = if job.service == Service::EmrServerless {
        format!("{prefix}applications/{app}/jobs/{run}/SPARK_DRIVER")
    } else {
        format!("{prefix}{app}/jobs/{run}/containers/spark-{run}/spark-{run}-driver")
    };
    let mut out = Vec::new();
    for stream in ["stdout", "stderr"] {
        let key = format!("{base}/{stream}.gz");
        match aws.s3.get_object().bucket(bucket).key(&key).send().await {
            Ok(obj) => {
                let bytes = obj
                    .body
                    .collect()
                    .await
                    .map_err(|e| format!("cannot read s3://{bucket}/{key}: {e}"))?
                    .into_bytes();
                let mut text = String::new();
                use std::io::Read;
                flate2::read::GzDecoder::new(&bytes[..])
                    .read_to_string(&mut text)
                    .map_err(|e| format!("s3://{bucket}/{key} is not gzip text: {e}"))?;
                out.push((stream.to_string(), text));
            }
            Err(e)
                if format!("{}", aws_smithy_types::error::display::DisplayErrorContext(&e)).contains("NoSuchKey") => {}
            Err(e) => return Err(explain(&format!("cannot read s3://{bucket}/{key}"), &e)),
        }
    }
    if out.is_empty() {
        return Err(format!(
            "no driver logs yet under s3://{bucket}/{base}/ (run {run}); EMR writes them while the job runs: try again in a minute"
        ));
    }
    Ok(out)
}

/// The newest run of the job named `name` on the application.
async fn latest_run(aws: &Aws, app: &str, name: &str) -> Result<String, String> {
    let out = aws
        .emr
        .list_job_runs()
        .application_id(app)
        .send()
        .await
        .map_err(|e| explain(&format!("cannot list the job runs of application {app}"), &e))?;
    out.job_runs()
        .iter()
        .filter(|r| r.name() == Some(name))
        .max_by_key(|r| r.created_at().secs())
        .map(|r| r.id().to_string())
        .ok_or_else(|| format!("job {name} has no runs on application {app}; start one with `run {name}`"))
}

/// Recent executions of the job's state machine: (name, status, start time).
pub async fn recent_executions(
    aws: &Aws,
    job: &Job,
    outputs: &Outputs<'_>,
) -> Result<Vec<(String, String, String)>, String> {
    let arn = outputs
        .get(&job.stack, &job.state_machine_output)
        .await
        .map_err(|e| e.to_string())?;
    let out = aws
        .sfn
        .list_executions()
        .state_machine_arn(&arn)
        .max_results(5)
        .send()
        .await
        .map_err(|e| explain(&format!("cannot list the executions of {}", job.name), &e))?;
    Ok(out
        .executions()
        .iter()
        .map(|e| {
            (
                e.name().to_string(),
                e.status().as_str().to_string(),
                e.start_date().to_string(),
            )
        })
        .collect())
}
