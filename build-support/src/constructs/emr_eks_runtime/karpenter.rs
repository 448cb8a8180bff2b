//! The Karpenter controller, installed by the runtime as plain objects instead of its Helm
//! chart: the upstream CustomResourceDefinitions (downloaded at deploy, pinned by SHA-256)
//! and what the chart renders with its default values plus sparkform's settings (service
//! account, RBAC, metrics Service, PodDisruptionBudget, Deployment on the tooling nodes).
//! The AWS side (its role, Pod Identity association, interruption queue and rules) is in
//! `capacity.rs`.

use super::capacity::{KARPENTER_NAMESPACE as NAMESPACE, KARPENTER_SERVICE_ACCOUNT};
use super::model::EmrEksRuntime;
use serde_json::{json, Value as Json};
use sparkform_assembly::RemoteCrd;

/// The Karpenter release installed: supports Kubernetes 1.30 to 1.36 (its compatibility
/// matrix), which covers every version the EKS table accepts.
pub const VERSION: &str = "1.14.1";

/// The controller image of [`VERSION`], by digest (the chart's `controller.image.digest`),
/// so a re-pushed tag cannot change what runs.
const IMAGE: &str = "public.ecr.aws/karpenter/controller:1.14.1@sha256:723130949e4cab989461ff07d1be4cd781d63515432494641b33c235f300ae23";

/// The name the chart's objects share.
const NAME: &str = "karpenter";

/// The value the runtime fills with the interruption queue's name (a stack output).
pub const QUEUE_VALUE: &str = "InterruptionQueue";

/// `(file, CRD name, SHA-256 of the file)` in `pkg/apis/crds` at tag `v1.14.1`: every CRD the
/// chart installs (the controller watches NodeOverlays and CapacityBuffers too).
const CRDS: [(&str, &str, &str); 5] = [
    (
        "karpenter.sh_nodepools.yaml",
        "nodepools.karpenter.sh",
        "3bb64a20c80776b77aa19a699ebdaf34480a7b2e7ec4ef890b43225b3517f878",
    ),
    (
        "karpenter.sh_nodeclaims.yaml",
        "nodeclaims.karpenter.sh",
        "96037dc241031fe0f7a09ddf78183d885ce6a1dfe115f7b3fbf8a12c564be694",
    ),
    (
        "karpenter.k8s.aws_ec2nodeclasses.yaml",
        "ec2nodeclasses.karpenter.k8s.aws",
        "62dec59f01c0972d4503ca3ed25f243ba9c2f561be0d964ce7a14c8df406132f",
    ),
    (
        "karpenter.sh_nodeoverlays.yaml",
        "nodeoverlays.karpenter.sh",
        "6ff6199aff096cc87cd9508f8c5ae62c6d3452aa90c2828ee36380340f3ece62",
    ),
    (
        "autoscaling.x-k8s.io_capacitybuffers.yaml",
        "capacitybuffers.autoscaling.x-k8s.io",
        "66fd5680b902b38fb9657ad2b432196a06c42b37d078e53be2e39909200a6342",
    ),
];

/// The CRDs, from the release tag's sources on GitHub.
pub fn crds() -> Vec<RemoteCrd> {
    CRDS.iter()
        .map(|(file, name, sha256)| RemoteCrd {
            name: name.to_string(),
            url: format!(
                "https://raw.githubusercontent.com/aws/karpenter-provider-aws/v{VERSION}/pkg/apis/crds/{file}"
            ),
            sha256: sha256.to_string(),
        })
        .collect()
}

fn labels() -> Json {
    json!({
        "app.kubernetes.io/name": NAME,
        "app.kubernetes.io/instance": NAME,
        "app.kubernetes.io/version": VERSION,
        "app.kubernetes.io/managed-by": "sparkform",
    })
}

fn selector() -> Json {
    json!({ "app.kubernetes.io/name": NAME, "app.kubernetes.io/instance": NAME })
}

fn meta(name: &str, namespaced: bool) -> Json {
    let mut m = json!({ "name": name, "labels": labels() });
    if namespaced {
        m["namespace"] = json!(NAMESPACE);
    }
    m
}

/// A rule of a Role or ClusterRole.
fn rule(groups: &[&str], resources: &[&str], verbs: &[&str]) -> Json {
    json!({ "apiGroups": groups, "resources": resources, "verbs": verbs })
}

fn binding(kind: &str, role_kind: &str, name: &str) -> Json {
    json!({
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": kind,
        "metadata": meta(name, kind == "RoleBinding"),
        "roleRef": { "apiGroup": "rbac.authorization.k8s.io", "kind": role_kind, "name": name },
        "subjects": [{ "kind": "ServiceAccount", "name": KARPENTER_SERVICE_ACCOUNT, "namespace": NAMESPACE }],
    })
}

fn role(kind: &str, name: &str, rules: Vec<Json>) -> Json {
    json!({
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": kind,
        "metadata": meta(name, kind == "Role"),
        "rules": rules,
    })
}

/// What Karpenter's core reads and writes cluster-wide (the chart's `karpenter-core`).
fn core_rules() -> Vec<Json> {
    let read = ["get", "list", "watch"];
    vec![
        rule(
            &["karpenter.sh"],
            &[
                "nodepools",
                "nodepools/status",
                "nodeclaims",
                "nodeclaims/status",
                "nodeoverlays",
                "nodeoverlays/status",
            ],
            &read,
        ),
        rule(
            &["autoscaling.x-k8s.io"],
            &["capacitybuffers", "capacitybuffers/status"],
            &read,
        ),
        rule(
            &[""],
            &[
                "pods",
                "nodes",
                "persistentvolumes",
                "persistentvolumeclaims",
                "replicationcontrollers",
                "namespaces",
                "podtemplates",
                "events",
            ],
            &read,
        ),
        rule(
            &["storage.k8s.io"],
            &["storageclasses", "csinodes", "volumeattachments"],
            &read,
        ),
        rule(
            &["apps"],
            &["daemonsets", "deployments", "replicasets", "statefulsets"],
            &read,
        ),
        rule(&["policy"], &["poddisruptionbudgets"], &read),
        rule(
            &["karpenter.sh"],
            &["nodeclaims", "nodeclaims/status"],
            &["create", "delete", "update", "patch"],
        ),
        rule(
            &["karpenter.sh"],
            &["nodepools", "nodepools/status", "nodeoverlays/status"],
            &["update", "patch"],
        ),
        rule(
            &["autoscaling.x-k8s.io"],
            &["capacitybuffers/status"],
            &["update", "patch"],
        ),
        rule(&[""], &["events"], &["create", "patch"]),
        rule(&[""], &["nodes"], &["patch", "delete", "update"]),
        rule(&[""], &["pods/eviction"], &["create"]),
        rule(&[""], &["pods"], &["delete"]),
    ]
}

/// Leader election in its namespace, and reading kube-dns (for the nodes' DNS address).
fn namespace_rules() -> (Vec<Json>, Vec<Json>) {
    let leases = vec![
        rule(&["coordination.k8s.io"], &["leases"], &["get", "watch", "create"]),
        json!({
            "apiGroups": ["coordination.k8s.io"],
            "resources": ["leases"],
            "verbs": ["patch", "update"],
            "resourceNames": ["karpenter-leader-election"],
        }),
    ];
    let dns = vec![json!({
        "apiGroups": [""],
        "resources": ["services"],
        "resourceNames": ["kube-dns"],
        "verbs": ["get"],
    })];
    (leases, dns)
}

fn env(name: &str, value: &str) -> Json {
    json!({ "name": name, "value": value })
}

/// The controller's settings: the chart's defaults, with the cluster and its queue.
fn settings(r: &EmrEksRuntime) -> Vec<Json> {
    vec![
        env("KUBERNETES_MIN_VERSION", "1.19.0-0"),
        env("KARPENTER_SERVICE", NAME),
        env("LOG_LEVEL", "info"),
        env("METRICS_PORT", "8080"),
        env("HEALTH_PROBE_PORT", "8081"),
        json!({ "name": "SYSTEM_NAMESPACE", "valueFrom": { "fieldRef": { "fieldPath": "metadata.namespace" } } }),
        json!({ "name": "CPU_REQUESTS", "valueFrom": { "resourceFieldRef": {
            "containerName": "controller", "divisor": "1m", "resource": "requests.cpu" } } }),
        json!({ "name": "MEMORY_LIMIT", "valueFrom": { "resourceFieldRef": {
            "containerName": "controller", "divisor": "0", "resource": "limits.memory" } } }),
        env(
            "FEATURE_GATES",
            "ReservedCapacity=true,SpotToSpotConsolidation=false,NodeRepair=false,NodeOverlay=false,StaticCapacity=false,CapacityBuffer=false",
        ),
        env("AWS_FEATURE_GATES", "NodeClassCEL=false"),
        env("BATCH_MAX_DURATION", "10s"),
        env("BATCH_IDLE_DURATION", "1s"),
        env("PREFERENCE_POLICY", "Respect"),
        env("MIN_VALUES_POLICY", "Strict"),
        env("CLUSTER_NAME", &r.cluster_name),
        env("VM_MEMORY_OVERHEAD_PERCENT", "0.075"),
        env("INTERRUPTION_QUEUE", &format!("${{{QUEUE_VALUE}}}")),
        env("RESERVED_ENIS", "0"),
        env("IGNORE_DRA_REQUESTS", "true"),
    ]
}

fn deployment(r: &EmrEksRuntime) -> Json {
    let pods = json!({ "matchLabels": selector() });
    json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": meta(NAME, true),
        "spec": {
            "replicas": 2,
            "revisionHistoryLimit": 10,
            "strategy": { "rollingUpdate": { "maxUnavailable": 1 } },
            "selector": { "matchLabels": selector() },
            "template": {
                "metadata": { "labels": selector() },
                "spec": {
                    "automountServiceAccountToken": true,
                    "serviceAccountName": KARPENTER_SERVICE_ACCOUNT,
                    "securityContext": { "fsGroup": 65532, "seccompProfile": { "type": "RuntimeDefault" } },
                    "priorityClassName": "system-cluster-critical",
                    "dnsPolicy": "ClusterFirst",
                    "containers": [{
                        "name": "controller",
                        "image": IMAGE,
                        "imagePullPolicy": "IfNotPresent",
                        "securityContext": {
                            "privileged": false,
                            "allowPrivilegeEscalation": false,
                            "readOnlyRootFilesystem": true,
                            "runAsNonRoot": true,
                            "runAsUser": 65532,
                            "runAsGroup": 65532,
                            "capabilities": { "drop": ["ALL"] },
                        },
                        "env": settings(r),
                        "ports": [
                            { "name": "http-metrics", "containerPort": 8080, "protocol": "TCP" },
                            { "name": "http", "containerPort": 8081, "protocol": "TCP" },
                        ],
                        "livenessProbe": { "initialDelaySeconds": 30, "timeoutSeconds": 30,
                                           "httpGet": { "path": "/healthz", "port": "http" } },
                        "readinessProbe": { "initialDelaySeconds": 5, "timeoutSeconds": 30,
                                            "httpGet": { "path": "/readyz", "port": "http" } },
                        // Karpenter's getting-started sizing; no CPU limit (throttling
                        // slows scheduling), memory limited so MEMORY_LIMIT is set.
                        "resources": {
                            "requests": { "cpu": "1", "memory": "1Gi" },
                            "limits": { "memory": "1Gi" },
                        },
                    }],
                    "nodeSelector": { "kubernetes.io/os": "linux" },
                    // Never on nodes it manages: on the tooling node group.
                    "affinity": {
                        "nodeAffinity": { "requiredDuringSchedulingIgnoredDuringExecution": { "nodeSelectorTerms": [
                            { "matchExpressions": [{ "key": "karpenter.sh/nodepool", "operator": "DoesNotExist" }] },
                        ] } },
                        "podAntiAffinity": { "requiredDuringSchedulingIgnoredDuringExecution": [
                            { "topologyKey": "kubernetes.io/hostname", "labelSelector": pods },
                        ] },
                    },
                    "topologySpreadConstraints": [{
                        "maxSkew": 1,
                        "topologyKey": "topology.kubernetes.io/zone",
                        "whenUnsatisfiable": "DoNotSchedule",
                        "labelSelector": pods,
                    }],
                    "tolerations": [{ "key": "CriticalAddonsOnly", "operator": "Exists" }],
                },
            },
        },
    })
}

/// The controller's objects, in apply order (what they need first).
pub fn objects(r: &EmrEksRuntime) -> Vec<Json> {
    let (leases, dns) = namespace_rules();
    let dns_name = format!("{NAME}-dns");
    let core_name = format!("{NAME}-core");
    vec![
        json!({
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": meta(KARPENTER_SERVICE_ACCOUNT, true),
            // Mounted by the pod spec only.
            "automountServiceAccountToken": false,
        }),
        role("ClusterRole", &core_name, core_rules()),
        role(
            "ClusterRole",
            NAME,
            vec![
                rule(&["karpenter.k8s.aws"], &["ec2nodeclasses"], &["get", "list", "watch"]),
                rule(
                    &["karpenter.k8s.aws"],
                    &["ec2nodeclasses", "ec2nodeclasses/status"],
                    &["patch", "update"],
                ),
            ],
        ),
        binding("ClusterRoleBinding", "ClusterRole", &core_name),
        binding("ClusterRoleBinding", "ClusterRole", NAME),
        role("Role", NAME, leases),
        role("Role", &dns_name, dns),
        binding("RoleBinding", "Role", NAME),
        binding("RoleBinding", "Role", &dns_name),
        json!({
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": meta(NAME, true),
            "spec": {
                "type": "ClusterIP",
                "ports": [{ "name": "http-metrics", "port": 8080, "targetPort": "http-metrics", "protocol": "TCP" }],
                "selector": selector(),
            },
        }),
        json!({
            "apiVersion": "policy/v1",
            "kind": "PodDisruptionBudget",
            "metadata": meta(NAME, true),
            "spec": { "maxUnavailable": 1, "selector": { "matchLabels": selector() } },
        }),
        deployment(r),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crds_are_pinned_to_the_release_tag() {
        let crds = crds();
        assert_eq!(crds.len(), 5);
        for c in &crds {
            assert!(
                c.url
                    .starts_with("https://raw.githubusercontent.com/aws/karpenter-provider-aws/v1.14.1/pkg/apis/crds/"),
                "{}",
                c.url
            );
            assert_eq!(c.sha256.len(), 64);
            assert!(c
                .sha256
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
            // The file is named group_plural.yaml for a CRD named plural.group.
            let (plural, group) = c.name.split_once('.').unwrap();
            assert!(c.url.ends_with(&format!("/{group}_{plural}.yaml")), "{}", c.url);
        }
        assert!(IMAGE.contains(&format!(":{VERSION}@sha256:")));
    }
}
