//! What differs between a job on EMR Serverless and one on EMR on EKS, in one place: the
//! StartJobRun request's field names, the Step Functions integrations and the IAM actions.

use super::model::Service;
use serde_json::{json, Value as Json};

/// The compile-time knowledge of a job's service.
pub trait JobService {
    /// The DSF construct this replaces (the template description names it).
    fn dsf_name(self) -> &'static str;
    /// The request field that names the target (`ApplicationId`, `VirtualClusterId`).
    fn target_key(self) -> &'static str;
    /// The job driver's key in the request.
    fn driver_key(self) -> &'static str;
    /// The service name in Step Functions' AWS SDK integrations (`aws-sdk:<name>:...`).
    fn sdk_name(self) -> &'static str;
    /// The SDK action that reads a run's state.
    fn get_action(self) -> &'static str;
    /// The state of a run that succeeded.
    fn success_state(self) -> &'static str;
    /// What the polling loop keeps of StartJobRun's answer.
    fn start_selector(self) -> Json;
    /// The parameters that name a run, from what `start_selector` kept in `$.JobRun`.
    fn run_params(self) -> Json;
    /// The managed EventBridge rule the optimized `.sync` integration watches runs with.
    fn sync_rule(self) -> &'static str;
    /// Whether the S3 log configuration takes `EncryptionKeyArn`.
    fn s3_log_encryption(self) -> bool;
}

impl JobService for Service {
    fn dsf_name(self) -> &'static str {
        match self {
            Service::EmrServerless => "SparkEmrServerlessJob",
            Service::EmrContainers => "SparkEmrContainersJob",
        }
    }

    fn target_key(self) -> &'static str {
        match self {
            Service::EmrServerless => "ApplicationId",
            Service::EmrContainers => "VirtualClusterId",
        }
    }

    fn driver_key(self) -> &'static str {
        match self {
            Service::EmrServerless => "SparkSubmit",
            Service::EmrContainers => "SparkSubmitJobDriver",
        }
    }

    fn sdk_name(self) -> &'static str {
        match self {
            Service::EmrServerless => "emrserverless",
            Service::EmrContainers => "emrcontainers",
        }
    }

    fn get_action(self) -> &'static str {
        match self {
            Service::EmrServerless => "getJobRun",
            Service::EmrContainers => "describeJobRun",
        }
    }

    fn success_state(self) -> &'static str {
        match self {
            Service::EmrServerless => "SUCCESS",
            Service::EmrContainers => "COMPLETED",
        }
    }

    fn start_selector(self) -> Json {
        match self {
            Service::EmrServerless => json!({ "JobRunId.$": "$.JobRunId", "ApplicationId.$": "$.ApplicationId" }),
            Service::EmrContainers => json!({ "Id.$": "$.Id", "VirtualClusterId.$": "$.VirtualClusterId" }),
        }
    }

    fn run_params(self) -> Json {
        match self {
            Service::EmrServerless => {
                json!({ "JobRunId.$": "$.JobRun.JobRunId", "ApplicationId.$": "$.JobRun.ApplicationId" })
            }
            Service::EmrContainers => {
                json!({ "Id.$": "$.JobRun.Id", "VirtualClusterId.$": "$.JobRun.VirtualClusterId" })
            }
        }
    }

    fn sync_rule(self) -> &'static str {
        match self {
            Service::EmrServerless => "StepFunctionsGetEventsForEMRServerlessJobRule",
            Service::EmrContainers => "StepFunctionsGetEventsForEMR*",
        }
    }

    fn s3_log_encryption(self) -> bool {
        self == Service::EmrServerless
    }
}
