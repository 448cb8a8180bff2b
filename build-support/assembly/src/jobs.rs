//! What the runtime needs to start, watch and read the logs of each job.

use crate::placeholder::{Bindings, Placeholder};
use crate::value_ref::ValueRef;
use serde::{Deserialize, Serialize};

/// The EMR flavour a job runs on.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq, Hash)]
pub enum Service {
    #[serde(rename = "emr-serverless")]
    EmrServerless,
    #[serde(rename = "emr-containers")]
    EmrContainers,
}

impl Service {
    /// The IAM / ARN service prefix.
    pub fn prefix(self) -> &'static str {
        match self {
            Service::EmrServerless => "emr-serverless",
            Service::EmrContainers => "emr-containers",
        }
    }

    /// How people name it.
    pub fn title(self) -> &'static str {
        match self {
            Service::EmrServerless => "EMR Serverless",
            Service::EmrContainers => "EMR on EKS",
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Job {
    pub handle: String,
    pub name: String,
    pub stack: String,
    pub state_machine_output: String,
    pub service: Service,
    /// Application id (EMR Serverless) or virtual cluster id (EMR on EKS): `${TargetId}`.
    pub target_id: ValueRef,
    /// `${ExecutionRoleArn}`.
    pub execution_role_arn: ValueRef,
    /// The S3 log bucket the job created: `${LogBucket}`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub log_bucket: Option<ValueRef>,
    /// `s3://.../` where the job writes its logs (may hold `${LogBucket}`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub log_uri: Option<String>,
    pub timeout_minutes: u32,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub polling_interval_seconds: Option<u32>,
    /// The StartJobRun request, with placeholders.
    pub request: serde_json::Value,
    /// The bucket of the job's package: `${ArtifactsBucket}`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub artifacts_bucket: Option<ValueRef>,
    /// The pod-template bucket of the job's `emr_eks_runtime!`: `${PodTemplateBucket}`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub pod_template_bucket: Option<ValueRef>,
    /// Set when the job's entry point is a file of the crate: `run --local` can run it.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub local: Option<LocalRun>,
}

impl Job {
    /// Where each placeholder of the request and log URI gets its value.
    pub fn bindings(&self) -> Bindings {
        let mut b = Bindings::new();
        b.insert(Placeholder::TargetId, self.target_id.clone());
        b.insert(Placeholder::ExecutionRoleArn, self.execution_role_arn.clone());
        if let Some(v) = &self.log_bucket {
            b.insert(Placeholder::LogBucket, v.clone());
        }
        if let Some(v) = &self.artifacts_bucket {
            b.insert(Placeholder::ArtifactsBucket, v.clone());
        }
        if let Some(v) = &self.pod_template_bucket {
            b.insert(Placeholder::PodTemplateBucket, v.clone());
        }
        b
    }
}

/// What `run <job> --local` needs.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct LocalRun {
    /// The `.py` entry point, relative to the crate.
    pub entry_point: String,
    #[serde(default)]
    pub arguments: Vec<String>,
    /// `--conf` pairs of spark_submit_parameters (the EMR venv wiring is not among them).
    #[serde(default)]
    pub spark_conf: Vec<(String, String)>,
    /// The id of the package's venv asset, when it has dependencies.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub venv_asset: Option<String>,
    /// The Spark project folder (pyproject.toml, tests/), relative to the crate.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub project_dir: Option<String>,
}
