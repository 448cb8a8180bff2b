//! `spark_serverless_runtime!` -> EMR Serverless application, optional VPC, execution role
//! scoped to the application, and least-privilege start-job grants.

use super::model::{Monitoring, Network, ServerlessRuntime};
use crate::model::classification::classifications;
use crate::synth::iam::{document, start_job_grant, trust, user_statement};
use crate::synth::{att, r#ref, sub, tags, user_str, vpc, Template};
use serde_json::{json, Map, Value as Json};

/// Logical IDs and output names a runtime creates; the macro's handle carries the same.
pub struct RuntimeIds {
    pub application: String,
    pub execution_role: String,
    pub start_job_policy: String,
    pub out_application_id: String,
    pub out_application_arn: String,
    pub out_execution_role_arn: String,
}

pub fn ids(r: &ServerlessRuntime) -> RuntimeIds {
    let h = &r.handle;
    RuntimeIds {
        application: h.id("Application"),
        execution_role: h.id("ExecutionRole"),
        start_job_policy: h.id("StartJobPolicy"),
        out_application_id: h.id("ApplicationId"),
        out_application_arn: h.id("ApplicationArn"),
        out_execution_role_arn: h.id("ExecutionRoleArn"),
    }
}

/// `shared_role_arn`: the ARN of the runtime's `execution_role!`, as this stack sees it.
pub fn synth(r: &ServerlessRuntime, shared_role_arn: Option<Json>, t: &mut Template) {
    t.kinds.insert("SparkServerlessRuntime");
    let ids = ids(r);
    let mut props = Map::new();
    props.insert("Name".into(), json!(r.name));
    props.insert("ReleaseLabel".into(), json!(r.release_label));
    props.insert("Type".into(), json!("Spark"));
    if let Some(a) = r.architecture {
        props.insert("Architecture".into(), json!(a));
    }
    let network = match &r.network {
        Network::DefaultVpc(spec) => {
            let desc = format!("Security group used by emr serverless application {}", r.name);
            let refs = vpc::synth(t, &r.handle.prefix, spec, r.removal, &desc);
            json!({ "SubnetIds": refs.private_subnets, "SecurityGroupIds": [refs.security_group] })
        }
        Network::Existing {
            subnet_ids,
            security_group_ids,
        } => {
            let mut n = json!({ "SubnetIds": subnet_ids });
            if !security_group_ids.is_empty() {
                n["SecurityGroupIds"] = json!(security_group_ids);
            }
            n
        }
    };
    props.insert("NetworkConfiguration".into(), network);
    if let Some(m) = &r.maximum_capacity {
        let mut c = json!({ "Cpu": format!("{} vCPU", m.vcpu), "Memory": format!("{} GB", m.memory_gb) });
        if let Some(d) = m.disk_gb {
            c["Disk"] = json!(format!("{d} GB"));
        }
        props.insert("MaximumCapacity".into(), c);
    }
    if !r.initial_capacity.is_empty() {
        let list: Vec<Json> = r
            .initial_capacity
            .iter()
            .map(|c| {
                let mut w = json!({ "Cpu": format!("{} vCPU", c.vcpu), "Memory": format!("{} GB", c.memory_gb) });
                if let Some(d) = c.disk_gb {
                    w["Disk"] = json!(format!("{d} GB"));
                }
                if let Some(d) = c.disk_type {
                    w["DiskType"] = json!(d);
                }
                json!({ "Key": c.worker.to_ascii_uppercase(), "Value": { "WorkerCount": c.workers, "WorkerConfiguration": w } })
            })
            .collect();
        props.insert("InitialCapacity".into(), json!(list));
    }
    if let Some(uri) = &r.image_uri {
        props.insert("ImageConfiguration".into(), json!({ "ImageUri": uri }));
    }
    if !r.worker_images.is_empty() {
        let specs: Map<String, Json> = r
            .worker_images
            .iter()
            .map(|(w, uri)| (w.to_string(), json!({ "ImageConfiguration": { "ImageUri": uri } })))
            .collect();
        props.insert("WorkerTypeSpecifications".into(), Json::Object(specs));
    }
    if !r.runtime_configuration.is_empty() {
        props.insert("RuntimeConfiguration".into(), classifications(&r.runtime_configuration));
    }
    if let Some(b) = r.auto_start {
        props.insert("AutoStartConfiguration".into(), json!({ "Enabled": b }));
    }
    if let Some(a) = &r.auto_stop {
        let mut s = json!({ "Enabled": a.enabled });
        if let Some(m) = a.idle_timeout_minutes {
            s["IdleTimeoutMinutes"] = json!(m);
        }
        props.insert("AutoStopConfiguration".into(), s);
    }
    if let Some(i) = &r.interactive {
        let mut m = Map::new();
        for (k, v) in [
            ("LivyEndpointEnabled", i.livy_endpoint),
            ("StudioEnabled", i.studio),
            ("SessionEnabled", i.sessions),
        ] {
            if let Some(v) = v {
                m.insert(k.into(), json!(v));
            }
        }
        props.insert("InteractiveConfiguration".into(), Json::Object(m));
    }
    if let Some(m) = &r.monitoring {
        props.insert("MonitoringConfiguration".into(), monitoring(m));
    }
    if let Some(s) = &r.scheduler {
        let mut m = Map::new();
        if let Some(v) = s.queue_timeout_minutes {
            m.insert("QueueTimeoutMinutes".into(), json!(v));
        }
        if let Some(v) = s.max_concurrent_runs {
            m.insert("MaxConcurrentRuns".into(), json!(v));
        }
        props.insert("SchedulerConfiguration".into(), Json::Object(m));
    }
    if let Some(arn) = &r.identity_center_instance_arn {
        props.insert(
            "IdentityCenterConfiguration".into(),
            json!({ "IdentityCenterInstanceArn": arn }),
        );
    }
    if !r.tags.is_empty() {
        props.insert("Tags".into(), tags(&r.tags));
    }
    // DSF leaves the application out of its removal policy (defect 3); here it follows it.
    t.data_resource(
        &ids.application,
        "AWS::EMRServerless::Application",
        Json::Object(props),
        r.removal,
    );

    if let Some(role) = &r.execution_role {
        execution_role(&ids, role, t);
    }
    let role_arn = shared_role_arn.or_else(|| r.execution_role.as_ref().map(|_| att(&ids.execution_role, "Arn")));
    if let (false, Some(role_arn)) = (r.start_job_roles.is_empty(), role_arn) {
        start_job_grants(r, &ids, role_arn, t);
    }
}

fn monitoring(m: &Monitoring) -> Json {
    let mut out = Map::new();
    if m.s3_log_uri.is_some() || m.s3_encryption_key_arn.is_some() {
        let mut s = Map::new();
        if let Some(u) = &m.s3_log_uri {
            s.insert("LogUri".into(), json!(u));
        }
        if let Some(k) = &m.s3_encryption_key_arn {
            s.insert("EncryptionKeyArn".into(), json!(k));
        }
        out.insert("S3MonitoringConfiguration".into(), Json::Object(s));
    }
    if let Some(b) = m.managed_persistence {
        out.insert(
            "ManagedPersistenceMonitoringConfiguration".into(),
            json!({ "Enabled": b }),
        );
    }
    if let Some(u) = &m.prometheus_remote_write_url {
        out.insert(
            "PrometheusMonitoringConfiguration".into(),
            json!({ "RemoteWriteUrl": u }),
        );
    }
    if let Some(cw) = &m.cloudwatch {
        let mut c = json!({ "Enabled": cw.enabled });
        if let Some(g) = &cw.log_group {
            c["LogGroupName"] = json!(g);
        }
        if let Some(p) = &cw.stream_prefix {
            c["LogStreamNamePrefix"] = json!(p);
        }
        if let Some(k) = &cw.encryption_key_arn {
            c["EncryptionKeyArn"] = json!(k);
        }
        if !cw.log_types.is_empty() {
            c["LogTypeMap"] = Json::Array(
                cw.log_types
                    .iter()
                    .map(|(k, v)| json!({ "Key": k, "Value": v }))
                    .collect(),
            );
        }
        out.insert("CloudWatchLoggingConfiguration".into(), c);
    }
    Json::Object(out)
}

/// The job execution role: trusted by EMR Serverless only for this application.
fn execution_role(ids: &RuntimeIds, role: &super::model::ExecutionRole, t: &mut Template) {
    let condition = json!({
        "StringEquals": { "aws:SourceAccount": r#ref("AWS::AccountId") },
        "ArnLike": { "aws:SourceArn": att(&ids.application, "Arn") },
    });
    let mut props =
        json!({ "AssumeRolePolicyDocument": trust(&["emr-serverless.amazonaws.com".to_string()], Some(condition)) });
    if !role.statements.is_empty() {
        props["Policies"] = json!([{
            "PolicyName": "ExecutionPolicy",
            "PolicyDocument": document(role.statements.iter().map(user_statement).collect()),
        }]);
    }
    if !role.managed_policy_arns.is_empty() {
        props["ManagedPolicyArns"] = Json::Array(role.managed_policy_arns.iter().map(|a| user_str(a)).collect());
    }
    t.resource(&ids.execution_role, "AWS::IAM::Role", props);
}

/// DSF's grantStartExecution: the runtime's `start_job_roles` may pass its execution role
/// and start, watch and cancel jobs on its application.
fn start_job_grants(r: &ServerlessRuntime, ids: &RuntimeIds, role_arn: Json, t: &mut Template) {
    start_job_grant(
        t,
        &ids.start_job_policy,
        &r.start_job_roles,
        role_arn,
        vec![(
            att(&ids.application, "Arn"),
            sub(&format!("${{{}.Arn}}/jobruns/*", ids.application)),
        )],
        &r.name,
    );
}
