//! The StartJobRun request a job's state machine sends (and `run --direct` sends itself),
//! with `${Placeholder}`s for what is known only once stacks are deployed.

use super::eks::EksTarget;
use super::model::{Driver, EntryPoint, Mode, Retry, S3Logs, SparkJob};
use super::service::JobService;
use crate::constructs::pyspark_package::{venv_conf, PySparkPackage};
use crate::model::classification::{classifications, Classification};
use serde_json::{json, Map, Value as Json};
use sparkform_assembly::{Placeholder, Service};

/// Where the job's logs go; `${LogBucket}` stands for a bucket the job creates.
pub fn log_uri(j: &SparkJob) -> Option<String> {
    match &j.s3_logs {
        S3Logs::Created { prefix, .. } => Some(format!("s3://{}/{}", Placeholder::LogBucket, with_slash(prefix))),
        S3Logs::Existing { bucket, prefix, .. } => Some(format!("s3://{bucket}/{}", with_slash(prefix))),
        S3Logs::Off => None,
    }
}

/// `a/b` -> `a/b/`, `` -> ``.
pub fn with_slash(prefix: &str) -> String {
    let p = prefix.trim_matches('/');
    if p.is_empty() {
        String::new()
    } else {
        format!("{p}/")
    }
}

/// The request; `pkg` is the job's package when its entry point is one, `eks` the
/// `emr_eks_runtime!` it runs on, if it runs on one.
pub fn request(j: &SparkJob, pkg: Option<&PySparkPackage>, eks: Option<&EksTarget>) -> Map<String, Json> {
    let service = j.target.service();
    let mut p = Map::new();
    match &j.driver {
        Driver::Raw(raw) => p.extend(raw.clone()),
        Driver::Submit {
            entry_point,
            arguments,
            spark_submit_parameters,
        } => {
            p.insert(
                "JobDriver".into(),
                job_driver(service, entry_point, arguments, spark_submit_parameters.as_deref(), pkg),
            );
            let overrides = configuration_overrides(j, service, eks);
            if !overrides.is_empty() {
                p.insert("ConfigurationOverrides".into(), Json::Object(overrides));
            }
            p.insert("Name".into(), json!(j.name));
            if !j.tags.is_empty() {
                p.insert(
                    "Tags".into(),
                    Json::Object(j.tags.iter().map(|(k, v)| (k.clone(), json!(v))).collect()),
                );
            }
        }
    }
    p.insert(service.target_key().into(), json!(Placeholder::TargetId.token()));
    p.insert("ExecutionRoleArn".into(), json!(Placeholder::ExecutionRoleArn.token()));
    if !p.contains_key("ClientToken") {
        p.insert("ClientToken.$".into(), json!("States.UUID()"));
    }
    match service {
        Service::EmrContainers => {
            let release = j.release_label.clone().or_else(|| eks.map(|e| e.release_label(j)));
            if let Some(r) = release {
                p.entry("ReleaseLabel").or_insert_with(|| json!(r));
            }
            if let Some(Retry::EksAttempts(n)) = j.retry {
                p.entry("RetryPolicyConfiguration")
                    .or_insert_with(|| json!({ "MaxAttempts": n.max(1) }));
            }
        }
        Service::EmrServerless => {
            p.entry("ExecutionTimeoutMinutes")
                .or_insert_with(|| json!(j.timeout_minutes));
            if j.mode == Mode::Streaming {
                p.entry("Mode").or_insert_with(|| json!("STREAMING"));
            }
            let retry = match j.retry {
                Some(Retry::Attempts(n)) => Some(json!({ "MaxAttempts": n })),
                Some(Retry::FailuresPerHour(n)) => Some(json!({ "MaxFailedAttemptsPerHour": n })),
                _ => None,
            };
            if let Some(r) = retry {
                p.entry("RetryPolicy").or_insert(r);
            }
        }
    }
    p
}

fn job_driver(
    service: Service,
    entry_point: &EntryPoint,
    arguments: &[String],
    spark_submit_parameters: Option<&str>,
    pkg: Option<&PySparkPackage>,
) -> Json {
    let entry = match (entry_point, pkg) {
        (EntryPoint::Uri(u), _) => u.clone(),
        (EntryPoint::Package(_), Some(pkg)) => pkg.entrypoint_uri(),
        (EntryPoint::Package(p), None) => p.text.clone(),
    };
    let mut submit = json!({ "EntryPoint": entry });
    if !arguments.is_empty() {
        submit["EntryPointArguments"] = json!(arguments);
    }
    let venv = pkg
        .map(|pkg| venv_conf(pkg, service == Service::EmrContainers))
        .unwrap_or_default();
    let params: Vec<&str> = [spark_submit_parameters.unwrap_or(""), venv.as_str()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect();
    if !params.is_empty() {
        submit["SparkSubmitParameters"] = json!(params.join(" "));
    }
    json!({ service.driver_key(): submit })
}

fn configuration_overrides(j: &SparkJob, service: Service, eks: Option<&EksTarget>) -> Map<String, Json> {
    let mut overrides = Map::new();
    let profile = j.profile.zip(eks).map(|((p, _), e)| e.runtime.profile_defaults(p));
    let configuration = with_profile(&j.application_configuration, profile);
    if !configuration.is_empty() {
        overrides.insert("ApplicationConfiguration".into(), classifications(&configuration));
    }
    let mut monitoring = Map::new();
    if let Some(uri) = log_uri(j) {
        let mut s3 = json!({ "LogUri": uri });
        if let S3Logs::Existing {
            encryption_key_arn: Some(k),
            ..
        }
        | S3Logs::Created {
            encryption_key_arn: Some(k),
            ..
        } = &j.s3_logs
        {
            if service.s3_log_encryption() {
                s3["EncryptionKeyArn"] = json!(k);
            }
        }
        monitoring.insert("S3MonitoringConfiguration".into(), s3);
    }
    if let Some(cw) = &j.cloudwatch_logs {
        match service {
            Service::EmrContainers => {
                let prefix = cw.stream_prefix.clone().unwrap_or_else(|| j.name.clone());
                monitoring.insert(
                    "CloudWatchMonitoringConfiguration".into(),
                    json!({ "LogGroupName": cw.log_group, "LogStreamNamePrefix": prefix }),
                );
            }
            Service::EmrServerless => {
                let mut c = json!({ "Enabled": true, "LogGroupName": cw.log_group });
                if let Some(pfx) = &cw.stream_prefix {
                    c["LogStreamNamePrefix"] = json!(pfx);
                }
                if let Some(k) = &cw.encryption_key_arn {
                    c["EncryptionKeyArn"] = json!(k);
                }
                monitoring.insert("CloudWatchLoggingConfiguration".into(), c);
            }
        }
    }
    if !monitoring.is_empty() {
        overrides.insert("MonitoringConfiguration".into(), Json::Object(monitoring));
    }
    overrides
}

/// The job's classifications with a profile's Spark defaults under its own `spark-defaults`
/// (a property the job sets wins).
fn with_profile(own: &[Classification], profile: Option<Vec<(String, String)>>) -> Vec<Classification> {
    let Some(defaults) = profile else {
        return own.to_vec();
    };
    let mut out = own.to_vec();
    match out.iter_mut().find(|c| c.classification == "spark-defaults") {
        Some(c) => {
            let mut merged: Vec<(String, String)> = defaults
                .into_iter()
                .filter(|(k, _)| !c.properties.iter().any(|(x, _)| x == k))
                .collect();
            merged.append(&mut c.properties);
            c.properties = merged;
        }
        None => out.insert(
            0,
            Classification {
                classification: "spark-defaults".into(),
                properties: defaults,
                configurations: Vec::new(),
            },
        ),
    }
    out
}
