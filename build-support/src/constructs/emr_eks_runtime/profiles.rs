//! DSF's default nodes (spec §6.1): three profiles, each a pair of pod templates, node pools
//! whose labels and taints those templates select, and Spark defaults that name the
//! templates. The pools are `karpenter.sh/v1` NodePools in both capacity modes: on an Auto
//! Mode NodeClass, or on Karpenter EC2NodeClasses (Bottlerocket, IMDSv2, and the critical
//! profile's NVMe disks striped by Karpenter's `instanceStorePolicy: RAID0` instead of DSF's
//! bootstrap-container image). DSF's defects are left out: no duplicated `default` key in
//! the configs (defect 19), node classes that select the cluster's security group and every
//! private subnet (defect 18).

use super::model::{Capacity, EmrEksRuntime, Profile};
use super::roles::id_part;
use serde_json::{json, Map, Value as Json};

/// S3 prefix of pod templates in the runtime's bucket.
pub const POD_TEMPLATE_PREFIX: &str = "pod-templates";
/// The Auto Mode NodeClass and the Karpenter EC2NodeClass the default pools use.
pub const NODE_CLASS: &str = "spark";
/// The critical profile's EC2NodeClass (instance-store NVMe as RAID0).
pub const CRITICAL_NODE_CLASS: &str = "spark-critical";

/// A pod role of a profile.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Driver,
    Executor,
}

impl Role {
    pub const ALL: [Role; 2] = [Role::Driver, Role::Executor];

    pub fn name(self) -> &'static str {
        match self {
            Role::Driver => "driver",
            Role::Executor => "executor",
        }
    }
}

/// A node pool of a profile: labels pods select, taints they tolerate, instances it offers.
struct Pool {
    name: &'static str,
    labels: &'static [(&'static str, &'static str)],
    taints: &'static [(&'static str, &'static str)],
    families: &'static [&'static str],
    arch: &'static str,
    /// Instance sizes left out.
    small: &'static [&'static str],
    spot: bool,
    cpu: &'static str,
    memory: &'static str,
    weight: u32,
}

const TINY: &[&str] = &["nano", "micro", "small"];
const TO_MEDIUM: &[&str] = &["nano", "micro", "small", "medium"];
const TO_LARGE: &[&str] = &["nano", "micro", "small", "medium", "large"];

fn pools(p: Profile) -> &'static [Pool] {
    match p {
        Profile::Critical => &[Pool {
            name: "critical",
            labels: &[("role", "critical"), ("node-lifecycle", "on-demand")],
            taints: &[("role", "critical")],
            families: &["m7gd", "m6gd"],
            arch: "arm64",
            small: TO_LARGE,
            spot: false,
            cpu: "3200",
            memory: "12800Gi",
            weight: 10,
        }],
        Profile::Shared => &[
            Pool {
                name: "shared-driver",
                labels: &[
                    ("role", "shared"),
                    ("node-lifecycle", "on-demand"),
                    ("spark-role", "driver"),
                ],
                taints: &[],
                families: &["m7g", "m6g"],
                arch: "arm64",
                small: TO_MEDIUM,
                spot: false,
                cpu: "40",
                memory: "160Gi",
                weight: 10,
            },
            Pool {
                name: "shared-executor",
                labels: &[
                    ("role", "shared"),
                    ("node-lifecycle", "spot"),
                    ("spark-role", "executor"),
                ],
                taints: &[("node-lifecycle", "spot")],
                families: &["m7g", "m7gd", "m6g", "m6gd"],
                arch: "arm64",
                small: TO_LARGE,
                spot: true,
                cpu: "3200",
                memory: "12800Gi",
                weight: 10,
            },
        ],
        Profile::Notebook => &[
            Pool {
                name: "notebook-driver",
                labels: &[
                    ("role", "notebook"),
                    ("node-lifecycle", "on-demand"),
                    ("spark-role", "driver"),
                ],
                taints: &[("role", "notebook")],
                families: &["t3", "t3a"],
                arch: "amd64",
                small: TINY,
                spot: false,
                cpu: "40",
                memory: "160Gi",
                weight: 20,
            },
            Pool {
                name: "notebook-executor",
                labels: &[
                    ("role", "notebook"),
                    ("node-lifecycle", "spot"),
                    ("spark-role", "executor"),
                ],
                taints: &[("role", "notebook"), ("node-lifecycle", "spot")],
                families: &["t3", "t3a"],
                arch: "amd64",
                small: TO_LARGE,
                spot: true,
                cpu: "800",
                memory: "3200Gi",
                weight: 20,
            },
        ],
    }
}

/// The pool a profile's pods of `role` run on.
fn pool_of(p: Profile, role: Role) -> &'static Pool {
    let all = pools(p);
    all.iter()
        .find(|x| x.labels.contains(&("spark-role", role.name())))
        .unwrap_or(&all[0])
}

/// The pod template of a profile's driver or executor: the pool's labels as node selector,
/// its taints tolerated.
pub fn pod_template(p: Profile, role: Role) -> Json {
    let pool = pool_of(p, role);
    let selector: Map<String, Json> = pool.labels.iter().map(|(k, v)| (k.to_string(), json!(v))).collect();
    let tolerations: Vec<Json> = pool
        .taints
        .iter()
        .map(|(k, v)| json!({ "key": k, "operator": "Equal", "value": v, "effect": "NoSchedule" }))
        .collect();
    let mut spec = json!({ "nodeSelector": selector });
    if !tolerations.is_empty() {
        spec["tolerations"] = Json::Array(tolerations);
    }
    json!({ "apiVersion": "v1", "kind": "Pod", "spec": spec })
}

/// The file name of a default pod template, e.g. `critical-driver.yaml` (JSON is YAML).
pub fn template_file(p: Profile, role: Role) -> String {
    format!("{}-{}.yaml", p.name(), role.name())
}

/// The attribute naming a default template's S3 URI, e.g. `critical_driver_pod_template`.
pub fn template_attribute(p: Profile, role: Role) -> &'static str {
    match (p, role) {
        (Profile::Critical, Role::Driver) => "critical_driver_pod_template",
        (Profile::Critical, Role::Executor) => "critical_executor_pod_template",
        (Profile::Shared, Role::Driver) => "shared_driver_pod_template",
        (Profile::Shared, Role::Executor) => "shared_executor_pod_template",
        (Profile::Notebook, Role::Driver) => "notebook_driver_pod_template",
        (Profile::Notebook, Role::Executor) => "notebook_executor_pod_template",
    }
}

/// The attribute holding a profile's Spark defaults (DSF's `criticalDefaultConfig`, ...).
pub fn config_attribute(p: Profile) -> &'static str {
    match p {
        Profile::Critical => "critical_default_config",
        Profile::Shared => "shared_default_config",
        Profile::Notebook => "notebook_default_config",
    }
}

/// A profile's `spark-defaults`: DSF's values (Glue catalog, dynamic allocation with
/// shuffle tracking, pod sizes) and the pod templates, given their S3 URIs.
pub fn spark_defaults(p: Profile, driver_template: &str, executor_template: &str) -> Vec<(String, String)> {
    let (min, max, batch, exec_cores, exec_mem, driver_cores, driver_mem) = match p {
        Profile::Critical => ("8", "40", "8", "7.7", "20800m", "2.5", "6800m"),
        Profile::Shared => ("8", "40", "8", "3.8", "10400m", "1.7", "4900m"),
        Profile::Notebook => ("0", "20", "2", "3.7", "10200m", "1.6", "4700m"),
    };
    [
        (
            "spark.hadoop.hive.metastore.client.factory.class",
            "com.amazonaws.glue.catalog.metastore.AWSGlueDataCatalogHiveClientFactory",
        ),
        ("spark.sql.catalogImplementation", "hive"),
        ("spark.dynamicAllocation.enabled", "true"),
        ("spark.dynamicAllocation.minExecutors", min),
        ("spark.dynamicAllocation.maxExecutors", max),
        ("spark.dynamicAllocation.executorAllocationRatio", "1"),
        ("spark.dynamicAllocation.shuffleTracking.enabled", "true"),
        ("spark.dynamicAllocation.shuffleTracking.timeout", "300s"),
        ("spark.kubernetes.allocation.batch.size", batch),
        ("spark.kubernetes.executor.request.cores", exec_cores),
        ("spark.executor.memory", exec_mem),
        ("spark.kubernetes.driver.request.cores", driver_cores),
        ("spark.driver.memory", driver_mem),
        ("spark.kubernetes.driver.podTemplateFile", driver_template),
        ("spark.kubernetes.executor.podTemplateFile", executor_template),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

/// A profile's `configurationOverrides` as the EMR on EKS API takes it (DSF's
/// `criticalDefaultConfig`, ...: for StartJobRun requests of the app's own code).
pub fn configuration_overrides(p: Profile, driver_template: &str, executor_template: &str) -> Json {
    let props: Map<String, Json> = spark_defaults(p, driver_template, executor_template)
        .into_iter()
        .map(|(k, v)| (k, json!(v)))
        .collect();
    json!({ "applicationConfiguration": [{ "classification": "spark-defaults", "properties": props }] })
}

/// The same in CloudFormation's spelling (an interactive endpoint's `ConfigurationOverrides`).
pub fn cfn_configuration_overrides(p: Profile, driver_template: &str, executor_template: &str) -> Json {
    let props: Map<String, Json> = spark_defaults(p, driver_template, executor_template)
        .into_iter()
        .map(|(k, v)| (k, json!(v)))
        .collect();
    json!({ "ApplicationConfiguration": [{ "Classification": "spark-defaults", "Properties": props }] })
}

/// A `NodePool` requirement.
fn req(key: &str, op: &str, values: &[&str]) -> Json {
    json!({ "key": key, "operator": op, "values": values })
}

/// The default node classes and pools. `zones`: the `${AzN}` values of the runtime's
/// subnets when it created them (one pool per zone, as DSF), else none (pools span every
/// zone of the node class's subnets).
pub fn node_objects(r: &EmrEksRuntime, zones: &[String]) -> Vec<Json> {
    let mut out = node_classes(r);
    let (label_prefix, group, kind) = match r.capacity {
        Capacity::Auto => ("eks.amazonaws.com", "eks.amazonaws.com", "NodeClass"),
        _ => ("karpenter.k8s.aws", "karpenter.k8s.aws", "EC2NodeClass"),
    };
    let zone_list: Vec<Option<&str>> = if zones.is_empty() {
        vec![None]
    } else {
        zones.iter().map(|z| Some(z.as_str())).collect()
    };
    for p in Profile::ALL {
        for pool in pools(p) {
            for (i, zone) in zone_list.iter().enumerate() {
                let class = if p == Profile::Critical && r.capacity == Capacity::Karpenter {
                    CRITICAL_NODE_CLASS
                } else {
                    NODE_CLASS
                };
                let mut requirements = vec![
                    req(&format!("{label_prefix}/instance-family"), "In", pool.families),
                    req(&format!("{label_prefix}/instance-size"), "NotIn", pool.small),
                    req(&format!("{label_prefix}/instance-hypervisor"), "In", &["nitro"]),
                    req("kubernetes.io/arch", "In", &[pool.arch]),
                    req(
                        "karpenter.sh/capacity-type",
                        "In",
                        &[if pool.spot { "spot" } else { "on-demand" }],
                    ),
                ];
                if let Some(z) = zone {
                    requirements.push(req("topology.kubernetes.io/zone", "In", &[z]));
                }
                let labels: Map<String, Json> = pool.labels.iter().map(|(k, v)| (k.to_string(), json!(v))).collect();
                let mut spec = json!({
                    "nodeClassRef": { "group": group, "kind": kind, "name": class },
                    "requirements": requirements,
                    "expireAfter": "720h",
                });
                if !pool.taints.is_empty() {
                    spec["taints"] = Json::Array(
                        pool.taints
                            .iter()
                            .map(|(k, v)| json!({ "key": k, "value": v, "effect": "NoSchedule" }))
                            .collect(),
                    );
                }
                let name = match zone {
                    Some(_) => format!("{}-{}", pool.name, i + 1),
                    None => pool.name.to_string(),
                };
                out.push(json!({
                    "apiVersion": "karpenter.sh/v1",
                    "kind": "NodePool",
                    "metadata": { "name": name },
                    "spec": {
                        "template": { "metadata": { "labels": labels }, "spec": spec },
                        "disruption": { "consolidationPolicy": "WhenEmptyOrUnderutilized", "consolidateAfter": "300s" },
                        "limits": { "cpu": pool.cpu, "memory": pool.memory },
                        "weight": pool.weight,
                    },
                }));
            }
        }
    }
    out
}

/// The node classes: where nodes go (the cluster's private subnets and security group)
/// and as which role (`${NodeRole}`, filled by the runtime from the stack's output).
fn node_classes(r: &EmrEksRuntime) -> Vec<Json> {
    let subnets = subnet_terms(r);
    match r.capacity {
        Capacity::Auto => vec![json!({
            "apiVersion": "eks.amazonaws.com/v1",
            "kind": "NodeClass",
            "metadata": { "name": NODE_CLASS },
            "spec": {
                "role": "${NodeRole}",
                "subnetSelectorTerms": subnets,
                "securityGroupSelectorTerms": [{ "tags": { "aws:eks:cluster-name": r.cluster_name } }],
                "ephemeralStorage": { "size": "160Gi" },
            },
        })],
        _ => [(NODE_CLASS, false), (CRITICAL_NODE_CLASS, true)]
            .into_iter()
            .map(|(name, raid)| {
                let mut spec = json!({
                    "role": "${NodeRole}",
                    "amiFamily": "Bottlerocket",
                    "amiSelectorTerms": [{ "alias": "bottlerocket@latest" }],
                    "subnetSelectorTerms": subnets,
                    "securityGroupSelectorTerms": [{ "tags": { format!("kubernetes.io/cluster/{}", r.cluster_name): "owned" } }],
                    "metadataOptions": { "httpEndpoint": "enabled", "httpTokens": "required", "httpPutResponseHopLimit": 2 },
                    "tags": { "sparkform:node-class": name },
                });
                if raid {
                    spec["instanceStorePolicy"] = json!("RAID0");
                }
                json!({ "apiVersion": "karpenter.k8s.aws/v1", "kind": "EC2NodeClass", "metadata": { "name": name }, "spec": spec })
            })
            .collect(),
    }
}

fn subnet_terms(r: &EmrEksRuntime) -> Json {
    match &r.network {
        super::model::Network::Existing { subnet_ids, .. } => {
            Json::Array(subnet_ids.iter().map(|s| json!({ "id": s })).collect())
        }
        super::model::Network::DefaultVpc(_) => json!([{ "tags": {
            "kubernetes.io/role/internal-elb": "1",
            format!("kubernetes.io/cluster/{}", r.cluster_name): "shared",
        } }]),
    }
}

/// A logical ID part for a profile's resources.
pub fn profile_id(p: Profile, role: Role) -> String {
    format!("{}{}", id_part(p.name()), id_part(role.name()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_select_their_pools() {
        for p in Profile::ALL {
            for role in Role::ALL {
                let t = pod_template(p, role);
                let pool = pool_of(p, role);
                for (k, v) in pool.labels {
                    assert_eq!(t["spec"]["nodeSelector"][k], *v, "{p:?} {role:?}");
                }
                let tolerated = t["spec"]["tolerations"].as_array().map_or(0, Vec::len);
                assert_eq!(tolerated, pool.taints.len(), "{p:?} {role:?}");
            }
        }
        let c = configuration_overrides(Profile::Shared, "s3://b/d.yaml", "s3://b/e.yaml");
        assert!(c.get("default").is_none(), "DSF's duplicated `default` key (defect 19)");
        assert_eq!(
            c["applicationConfiguration"][0]["properties"]["spark.kubernetes.executor.podTemplateFile"],
            "s3://b/e.yaml"
        );
    }
}
