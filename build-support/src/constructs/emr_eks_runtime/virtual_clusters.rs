//! The virtual clusters' stack, deployed after the runtime's Kubernetes objects (a virtual
//! cluster needs its namespace): `AWS::EMRContainers::VirtualCluster` per declared one (EMR
//! creates its own access entry, scoped to the namespace, in authentication mode API), the
//! native `AWS::EMRContainers::Endpoint` for interactive endpoints (DSF used a Lambda custom
//! resource), and DSF's grantStartJobExecution for the `start_job_roles`.

use super::model::{EmrEksRuntime, Profile};
use super::profiles::{self, Role};
use super::Ids;
use crate::synth::iam::{document, grantee_roles, statement};
use crate::synth::{att, tags, Linker};
use serde_json::{json, Value as Json};

/// The stack of a runtime's virtual clusters.
pub fn stack_of(r: &EmrEksRuntime) -> String {
    format!("{}-virtual-clusters", r.handle.stack)
}

pub fn synth(r: &EmrEksRuntime, ids: &Ids, link: &mut Linker) {
    if r.virtual_clusters.is_empty() {
        return;
    }
    let stack = stack_of(r);
    // Values of the cluster's stack this one reads (imports).
    let role_arn = |link: &mut Linker, name: &str| {
        let id = ids.execution_role(name);
        link.value(&stack, &r.handle.stack, &format!("{id}Arn"), att(&id, "Arn"))
    };
    let bucket = (r.has_profiles()).then(|| {
        link.value(
            &stack,
            &r.handle.stack,
            &ids.out_pod_template_bucket,
            crate::synth::r#ref(&ids.pod_template_bucket),
        )
    });
    let mut endpoint_roles = Vec::new();
    for e in &r.interactive_endpoints {
        endpoint_roles.push(role_arn(link, &e.execution_role.value));
    }
    let mut grant_roles = Vec::new();
    if !r.start_job_roles.is_empty() {
        for role in &r.execution_roles {
            grant_roles.push(role_arn(link, &role.name));
        }
    }
    let t = link.template(&stack);
    t.kinds.insert("SparkEmrContainersRuntime");
    for vc in &r.virtual_clusters {
        let id = ids.virtual_cluster(&vc.name);
        let mut props = json!({
            "Name": vc.name,
            "ContainerProvider": { "Id": r.cluster_name, "Type": "EKS", "Info": { "EksInfo": { "Namespace": vc.namespace } } },
        });
        let all_tags: Vec<(String, String)> = r.tags.iter().chain(&vc.tags).cloned().collect();
        if !all_tags.is_empty() {
            props["Tags"] = tags(&all_tags);
        }
        t.resource(&id, "AWS::EMRContainers::VirtualCluster", props);
        t.output(
            &format!("{id}Id"),
            att(&id, "Id"),
            &format!("Id of EMR on EKS virtual cluster {}", vc.name),
        );
        t.output(
            &format!("{id}Arn"),
            att(&id, "Arn"),
            &format!("ARN of EMR on EKS virtual cluster {}", vc.name),
        );
    }
    for (e, role) in r.interactive_endpoints.iter().zip(endpoint_roles) {
        let id = ids.endpoint(&e.name);
        let mut props = json!({
            "Name": e.name,
            "VirtualClusterId": att(&ids.virtual_cluster(&e.virtual_cluster.value), "Id"),
            "Type": "JUPYTER_ENTERPRISE_GATEWAY",
            "ReleaseLabel": e.release_label,
            "ExecutionRoleArn": role,
        });
        if let Some(bucket) = &bucket {
            // DSF's default for endpoints: the notebook profile's Spark defaults.
            let uri = |role: Role| format!("s3://${{Bucket}}/{}", super::template_key(Profile::Notebook, role));
            let overrides =
                profiles::cfn_configuration_overrides(Profile::Notebook, &uri(Role::Driver), &uri(Role::Executor));
            props["ConfigurationOverrides"] = sub_strings(&overrides, bucket);
        }
        if !r.tags.is_empty() {
            props["Tags"] = tags(&r.tags);
        }
        t.resource(&id, "AWS::EMRContainers::Endpoint", props);
        t.output(
            &format!("{id}Id"),
            att(&id, "Id"),
            &format!("Id of interactive endpoint {}", e.name),
        );
        t.output(
            &format!("{id}Arn"),
            att(&id, "Arn"),
            &format!("ARN of interactive endpoint {}", e.name),
        );
    }
    if !r.start_job_roles.is_empty() {
        start_job_grants(r, ids, grant_roles, t);
    }
}

/// Every string of `v` that names `${Bucket}` as a `Fn::Sub` with the bucket's value.
fn sub_strings(v: &Json, bucket: &Json) -> Json {
    match v {
        Json::String(s) if s.contains("${Bucket}") => json!({ "Fn::Sub": [s, { "Bucket": bucket }] }),
        Json::Array(items) => Json::Array(items.iter().map(|i| sub_strings(i, bucket)).collect()),
        Json::Object(m) => Json::Object(m.iter().map(|(k, x)| (k.clone(), sub_strings(x, bucket))).collect()),
        other => other.clone(),
    }
}

/// DSF's grantStartJobExecution, with resources IAM accepts: start runs on the virtual
/// clusters only as the runtime's execution roles, and watch, cancel and tag those runs.
fn start_job_grants(r: &EmrEksRuntime, ids: &Ids, role_arns: Vec<Json>, t: &mut crate::synth::Template) {
    let vcs: Vec<Json> = r
        .virtual_clusters
        .iter()
        .map(|v| att(&ids.virtual_cluster(&v.name), "Arn"))
        .collect();
    let runs: Vec<Json> = vcs
        .iter()
        .map(|a| json!({ "Fn::Join": ["", [a, "/jobruns/*"]] }))
        .collect();
    let statements = vec![
        statement(
            true,
            &["emr-containers:StartJobRun"],
            vcs.clone(),
            Some(json!({ "ArnEquals": { "emr-containers:ExecutionRoleArn": role_arns } })),
        ),
        statement(
            true,
            &["emr-containers:ListJobRuns", "emr-containers:DescribeVirtualCluster"],
            vcs,
            None,
        ),
        statement(
            true,
            &[
                "emr-containers:DescribeJobRun",
                "emr-containers:CancelJobRun",
                "emr-containers:TagResource",
            ],
            runs,
            None,
        ),
    ];
    let names = grantee_roles(
        t,
        &r.start_job_roles,
        &format!("the virtual clusters of {}", r.cluster_name),
    );
    t.resource(
        &ids.start_job_policy,
        "AWS::IAM::Policy",
        json!({ "PolicyName": ids.start_job_policy, "PolicyDocument": document(statements), "Roles": names }),
    );
}
