//! The apply step against a recording API server on loopback: a real kube client over a real
//! socket, with the EKS token this crate signs. Paths, field manager, content type, order,
//! the retry on a conflict, idempotence, deletion in reverse, diff, and the errors.

#[path = "kube/apiserver.rs"]
mod apiserver;
#[path = "kube/certs.rs"]
mod certs;

use apiserver::{status, ApiServer};
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_credential_types::Credentials;
use base64::Engine;
use certs::certificates;
use serde_json::{json, Value};
use sparkform::kubernetes::apply::{self, Options, Outcome, Removal};
use sparkform::kubernetes::diff::{self, Change};
use sparkform::kubernetes::download::{cached_path, sha256_hex};
use sparkform::kubernetes::{Cluster, KubeError, Session};
use sparkform_assembly::{KubeGroup, RemoteCrd, ValueRef};
use std::sync::Mutex;
use std::time::Duration;

const CLUSTER: &str = "data-platform";

fn session(server: &ApiServer, scheme: &str, ca: Vec<Vec<u8>>) -> Session {
    let cluster = Cluster {
        name: CLUSTER.into(),
        endpoint: format!("{scheme}://{}", server.addr).parse().unwrap(),
        ca,
    };
    let creds = Credentials::new("AKIDEXAMPLE", "secret", Some("token".into()), None, "test");
    Session::new(cluster, "eu-west-1", SharedCredentialsProvider::new(creds))
}

fn options() -> Options {
    Options {
        attempts: 4,
        backoff: Duration::from_millis(40),
        poll: Duration::from_millis(20),
        delete_timeout: Duration::from_secs(5),
        establish_timeout: Duration::from_secs(5),
        // Groups without CRDs never download.
        downloads: std::env::temp_dir().join("sparkform-kube-apply-no-downloads"),
    }
}

fn group(objects: Vec<Value>) -> KubeGroup {
    KubeGroup {
        id: "EksManifests".into(),
        construct: "EMR_EKS".into(),
        cluster: ValueRef::literal(CLUSTER),
        after_stack: "cluster".into(),
        before_stacks: vec!["virtual-cluster".into()],
        objects,
        values: Default::default(),
        role: None,
        crds: Vec::new(),
        network: None,
    }
}

/// One object of each kind sparkform writes, plus a PriorityClass (found by discovery).
fn objects() -> Vec<Value> {
    vec![
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "dailyjobns", "labels": {"pod-security.kubernetes.io/enforce": "baseline"}}}),
        json!({"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "compute-resources", "namespace": "dailyjobns"}, "spec": {"hard": {"requests.cpu": "1000"}}}),
        json!({"apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": "cpu-min-max", "namespace": "dailyjobns"}, "spec": {"limits": [{"type": "Container", "min": {"cpu": "100m"}}]}}),
        json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "spark", "namespace": "dailyjobns"}}),
        json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "allow-pod-to-pod-and-internet", "namespace": "dailyjobns"}, "spec": {"podSelector": {}}}),
        json!({"apiVersion": "karpenter.k8s.aws/v1", "kind": "EC2NodeClass", "metadata": {"name": "critical"}, "spec": {"role": "node-role"}}),
        json!({"apiVersion": "karpenter.sh/v1", "kind": "NodePool", "metadata": {"name": "critical"}, "spec": {"limits": {"cpu": "3200"}}}),
        json!({"apiVersion": "eks.amazonaws.com/v1", "kind": "NodeClass", "metadata": {"name": "spark"}, "spec": {"role": "node-role"}}),
        json!({"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": {"name": "spark-high"}, "value": 1000}),
    ]
}

const PATHS: [&str; 9] = [
    "/api/v1/namespaces/dailyjobns",
    "/api/v1/namespaces/dailyjobns/resourcequotas/compute-resources",
    "/api/v1/namespaces/dailyjobns/limitranges/cpu-min-max",
    "/api/v1/namespaces/dailyjobns/serviceaccounts/spark",
    "/apis/networking.k8s.io/v1/namespaces/dailyjobns/networkpolicies/allow-pod-to-pod-and-internet",
    "/apis/karpenter.k8s.aws/v1/ec2nodeclasses/critical",
    "/apis/karpenter.sh/v1/nodepools/critical",
    "/apis/eks.amazonaws.com/v1/nodeclasses/spark",
    "/apis/scheduling.k8s.io/v1/priorityclasses/spark-high",
];

async fn start() -> ApiServer {
    let server = ApiServer::start(None).await;
    {
        let mut st = server.state.lock().unwrap();
        st.served.push("/apis/scheduling.k8s.io/v1".into());
        st.discovery.insert(
            "/apis/scheduling.k8s.io/v1".into(),
            json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": "scheduling.k8s.io/v1",
                   "resources": [{"name": "priorityclasses", "singularName": "priorityclass", "namespaced": false,
                                  "kind": "PriorityClass", "verbs": ["create", "delete", "get", "list", "patch", "update", "watch"]}]}),
        );
    }
    server
}

fn lines() -> (impl Fn(&str), std::sync::Arc<Mutex<Vec<String>>>) {
    let out = std::sync::Arc::new(Mutex::new(Vec::new()));
    let o = out.clone();
    (move |l: &str| o.lock().unwrap().push(l.to_string()), out)
}

#[tokio::test]
async fn applies_in_order_with_the_field_manager_and_retries_a_conflict() {
    let server = start().await;
    server.state.lock().unwrap().conflicts.insert(PATHS[6].into(), 1);
    let s = session(&server, "http", vec![]);
    let g = group(objects());
    let (progress, said) = lines();
    let report = apply::apply(&s, &g, &progress, &options()).await.unwrap();

    let patches: Vec<_> = server.log().into_iter().filter(|r| r.method == "PATCH").collect();
    let paths: Vec<&str> = patches.iter().map(|r| r.path.as_str()).collect();
    let mut expected: Vec<&str> = PATHS.to_vec();
    expected.insert(7, PATHS[6]); // the NodePool again after its 409
    assert_eq!(paths, expected);
    for (r, object) in patches
        .iter()
        .zip(objects().iter().take(7).chain(objects().iter().skip(6)))
    {
        assert_eq!(
            r.content_type.as_deref(),
            Some("application/apply-patch+yaml"),
            "{}",
            r.path
        );
        assert_eq!(
            r.query.get("fieldManager").map(String::as_str),
            Some("sparkform"),
            "{}",
            r.path
        );
        assert_eq!(r.query.get("force").map(String::as_str), Some("true"), "{}", r.path);
        assert_eq!(
            r.query.get("fieldValidation").map(String::as_str),
            Some("Strict"),
            "{}",
            r.path
        );
        assert_eq!(
            r.body.as_ref(),
            Some(object),
            "{}: the body is the object as written",
            r.path
        );
    }
    // The retry waited for the backoff.
    assert!(patches[7].at - patches[6].at >= Duration::from_millis(40));

    // Discovery only for the kind sparkform does not know.
    let discovery: Vec<String> = server
        .lines()
        .into_iter()
        .filter(|l| !l.contains("/namespaces/") && l.starts_with("GET") && !PATHS.iter().any(|p| l.ends_with(p)))
        .collect();
    assert_eq!(discovery, ["GET /apis/scheduling.k8s.io/v1"]);

    // Every request carries the EKS token for this cluster.
    for r in server.log() {
        let auth = r.authorization.expect("a bearer token");
        let token = auth.strip_prefix("Bearer k8s-aws-v1.").expect("an EKS token");
        let url = String::from_utf8(base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(token).unwrap()).unwrap();
        assert!(
            url.starts_with("https://sts.eu-west-1.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15&"),
            "{url}"
        );
        assert!(url.contains("X-Amz-SignedHeaders=host%3Bx-k8s-aws-id"), "{url}");
    }

    assert_eq!(report.cluster, CLUSTER);
    assert!(report.objects.iter().all(|o| o.outcome == Outcome::Created));
    let conflicts: Vec<u32> = report.objects.iter().map(|o| o.conflicts).collect();
    assert_eq!(conflicts, [0, 0, 0, 0, 0, 0, 1, 0, 0]);
    assert_eq!(said.lock().unwrap()[0], "EksManifests: Namespace/dailyjobns created");
    assert_eq!(said.lock().unwrap()[6], "EksManifests: NodePool/critical created");
}

#[tokio::test]
async fn applying_again_changes_nothing_and_a_change_is_configured() {
    let server = start().await;
    let s = session(&server, "http", vec![]);
    let g = group(objects());
    apply::apply(&s, &g, &|_| {}, &options()).await.unwrap();
    let before = server.object(PATHS[6]).unwrap();

    let again = apply::apply(&s, &g, &|_| {}, &options()).await.unwrap();
    assert!(!again.changed(), "{again:?}");
    assert_eq!(server.object(PATHS[6]).unwrap(), before);

    let mut changed = objects();
    changed[6]["spec"]["limits"]["cpu"] = json!("6400");
    let third = apply::apply(&s, &group(changed), &|_| {}, &options()).await.unwrap();
    let outcomes: Vec<Outcome> = third.objects.iter().map(|o| o.outcome).collect();
    let mut expected = vec![Outcome::Unchanged; 9];
    expected[6] = Outcome::Configured;
    assert_eq!(outcomes, expected);
    assert_eq!(server.object(PATHS[6]).unwrap()["spec"]["limits"]["cpu"], "6400");
}

#[tokio::test]
async fn deletes_in_reverse_waits_for_finalizers_and_skips_missing_objects() {
    let server = start().await;
    let s = session(&server, "http", vec![]);
    let g = group(objects());
    apply::apply(&s, &g, &|_| {}, &options()).await.unwrap();
    {
        let mut st = server.state.lock().unwrap();
        st.objects.remove(PATHS[3]); // someone deleted the ServiceAccount already
        st.finalizing.insert(PATHS[6].into(), 2); // Karpenter drains the NodePool's nodes
    }
    let start = server.log().len();
    let (progress, said) = lines();
    let report = apply::delete(&s, &g, &progress, &options()).await.unwrap();

    let deletes: Vec<String> = server.log()[start..]
        .iter()
        .filter(|r| r.method == "DELETE")
        .map(|r| r.path.clone())
        .collect();
    let reversed: Vec<String> = PATHS.iter().rev().map(|p| p.to_string()).collect();
    assert_eq!(deletes, reversed);
    let removals: Vec<(&str, Removal)> = report.objects.iter().map(|(o, r)| (o.as_str(), *r)).collect();
    assert_eq!(removals[5], ("ServiceAccount/dailyjobns/spark", Removal::Absent));
    assert_eq!(removals[2], ("NodePool/critical", Removal::Deleted));
    assert!(said
        .lock()
        .unwrap()
        .contains(&"EksManifests: NodePool/critical: waiting for its finalizers".to_string()));
    assert!(server.state.lock().unwrap().objects.is_empty());

    // Nothing left: a second destroy only finds absent objects.
    let again = apply::delete(&s, &g, &|_| {}, &options()).await.unwrap();
    assert!(again.objects.iter().all(|(_, r)| *r == Removal::Absent));
}

#[tokio::test]
async fn a_finalizer_that_never_finishes_times_out_with_advice() {
    let server = start().await;
    let s = session(&server, "http", vec![]);
    let g = group(objects()[6..7].to_vec());
    apply::apply(&s, &g, &|_| {}, &options()).await.unwrap();
    server
        .state
        .lock()
        .unwrap()
        .finalizing
        .insert(PATHS[6].into(), u32::MAX);
    let opts = Options {
        delete_timeout: Duration::from_millis(100),
        ..options()
    };
    let err = apply::delete(&s, &g, &|_| {}, &opts).await.unwrap_err();
    assert!(matches!(err, KubeError::DeleteTimeout { .. }), "{err}");
    assert!(err.to_string().contains("NodePool/critical: still present"), "{err}");
}

#[tokio::test]
async fn diff_shows_what_apply_would_change_without_changing_it() {
    let server = start().await;
    let s = session(&server, "http", vec![]);
    apply::apply(&s, &group(objects()[..7].to_vec()), &|_| {}, &options())
        .await
        .unwrap();
    // Another manager set a label: not sparkform's, so not a change.
    server.state.lock().unwrap().objects.get_mut(PATHS[6]).unwrap()["metadata"]["labels"] = json!({"team": "data"});
    let stored = server.state.lock().unwrap().objects.clone();

    let mut desired = objects();
    desired[6]["spec"]["limits"]["cpu"] = json!("6400");
    desired[1]["spec"]["hard"]["requests.memory"] = json!("4000Gi");
    let d = diff::diff(&s, &group(desired), &options()).await.unwrap();

    assert_eq!(server.state.lock().unwrap().objects, stored, "diff changed nothing");
    let dry: Vec<_> = server
        .log()
        .into_iter()
        .filter(|r| r.method == "PATCH" && r.query.contains_key("dryRun"))
        .collect();
    assert!(dry.iter().all(|r| r.query["dryRun"] == "All"));
    assert_eq!(dry.len(), 7);

    let text = d.to_string();
    assert_eq!(
        text,
        "EksManifests:   Namespace/dailyjobns (no changes)\n\
         EksManifests: ~ ResourceQuota/dailyjobns/compute-resources\n    \
         + spec.hard[\"requests.memory\"]: \"4000Gi\"\n\
         EksManifests:   LimitRange/dailyjobns/cpu-min-max (no changes)\n\
         EksManifests:   ServiceAccount/dailyjobns/spark (no changes)\n\
         EksManifests:   NetworkPolicy/dailyjobns/allow-pod-to-pod-and-internet (no changes)\n\
         EksManifests:   EC2NodeClass/critical (no changes)\n\
         EksManifests: ~ NodePool/critical\n    \
         ~ spec.limits.cpu: \"3200\" -> \"6400\"\n\
         EksManifests: + NodeClass/spark (create)\n\
         EksManifests: + PriorityClass/spark-high (create)\n"
    );
    assert!(d.has_changes());
    assert!(matches!(d.objects[8].change, Change::Create));
}

#[tokio::test]
async fn errors_name_the_object_and_say_what_to_do() {
    // A CRD that is not installed: the group version is not served.
    let server = start().await;
    server.state.lock().unwrap().served.retain(|g| !g.contains("karpenter"));
    let s = session(&server, "http", vec![]);
    let err = apply::apply(&s, &group(objects()[5..7].to_vec()), &|_| {}, &options())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, KubeError::NotServed { kind, .. } if kind == "EC2NodeClass"),
        "{err}"
    );
    assert!(err.to_string().contains("EC2NodeClass/critical: the cluster does not serve karpenter.k8s.aws/v1 EC2NodeClass: the cluster needs Karpenter v1 (`capacity: karpenter` installs it first)"), "{err}");

    // A namespaced object before its namespace.
    let err = apply::apply(&s, &group(objects()[1..2].to_vec()), &|_| {}, &options())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, KubeError::NamespaceMissing { namespace, .. } if namespace == "dailyjobns"),
        "{err}"
    );

    // Forbidden: the deploying principal has no access entry.
    server.state.lock().unwrap().scripted.insert(
        PATHS[0].into(),
        (403, status(403, "Forbidden", "namespaces \"dailyjobns\" is forbidden: User \"arn:aws:sts::1:assumed-role/deployer\" cannot patch resource \"namespaces\"", json!({}))),
    );
    let err = apply::apply(&s, &group(objects()[..1].to_vec()), &|_| {}, &options())
        .await
        .unwrap_err();
    assert!(matches!(err, KubeError::Forbidden { .. }), "{err}");
    assert!(err.to_string().contains("Namespace/dailyjobns: forbidden"), "{err}");
    assert!(err.to_string().contains("needs an access entry"), "{err}");

    // The token is refused.
    server.state.lock().unwrap().scripted.insert(
        PATHS[0].into(),
        (401, status(401, "Unauthorized", "Unauthorized", json!({}))),
    );
    let err = apply::apply(&s, &group(objects()[..1].to_vec()), &|_| {}, &options())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, KubeError::Unauthorized { cluster, .. } if cluster == CLUSTER),
        "{err}"
    );

    // Conflicts that never end.
    let server = start().await;
    server.state.lock().unwrap().conflicts.insert(PATHS[0].into(), 100);
    let s = session(&server, "http", vec![]);
    let err = apply::apply(&s, &group(objects()[..1].to_vec()), &|_| {}, &options())
        .await
        .unwrap_err();
    assert!(matches!(err, KubeError::Conflict { attempts: 4, .. }), "{err}");

    // A malformed object and a missing namespace are caught before any request.
    let err = apply::apply(
        &s,
        &group(vec![
            json!({"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "q"}}),
        ]),
        &|_| {},
        &options(),
    )
    .await
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("ResourceQuota is namespaced: set metadata.namespace"),
        "{err}"
    );
    let err = apply::apply(&s, &group(vec![json!({"kind": "Namespace"})]), &|_| {}, &options())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("object #0 of `EksManifests`"), "{err}");

    // Nothing listening.
    drop(server);
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let cluster = Cluster {
        name: CLUSTER.into(),
        endpoint: format!("http://127.0.0.1:{port}").parse().unwrap(),
        ca: vec![],
    };
    let creds = Credentials::new("AKIDEXAMPLE", "secret", None, None, "test");
    let s = Session::new(cluster, "eu-west-1", SharedCredentialsProvider::new(creds));
    let err = apply::apply(&s, &group(objects()[..1].to_vec()), &|_| {}, &options())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, KubeError::Unreachable { endpoint, .. } if endpoint.contains(&port.to_string())),
        "{err}"
    );
    assert!(err.to_string().contains("private-only endpoint"), "{err}");
}

#[tokio::test]
async fn https_with_the_cluster_ca_from_describe_cluster_and_no_other() {
    let dir = tempfile::tempdir().unwrap();
    let (ca, cert, key) = certificates(dir.path(), "cluster");
    let (other_ca, _, _) = certificates(dir.path(), "other");
    let server = ApiServer::start(Some(certs::acceptor(&cert, &key))).await;
    let info = |ca: &str| sparkform::kubernetes::ClusterInfo {
        name: CLUSTER.into(),
        status: "ACTIVE".into(),
        endpoint: Some(format!("https://{}", server.addr)),
        certificate_authority: Some(base64::engine::general_purpose::STANDARD.encode(ca)),
    };
    let creds = SharedCredentialsProvider::new(Credentials::new("AKIDEXAMPLE", "secret", None, None, "test"));

    let s = Session::new(Cluster::from_info(&info(&ca)).unwrap(), "eu-west-1", creds.clone());
    let report = apply::apply(&s, &group(objects()[..1].to_vec()), &|_| {}, &options())
        .await
        .unwrap();
    assert_eq!(report.objects[0].outcome, Outcome::Created);

    // Signed by another CA: refused, even though the system might trust neither.
    let s = Session::new(Cluster::from_info(&info(&other_ca)).unwrap(), "eu-west-1", creds);
    let err = apply::apply(&s, &group(objects()[..1].to_vec()), &|_| {}, &options())
        .await
        .unwrap_err();
    assert!(matches!(err, KubeError::Unreachable { .. }), "{err}");
    assert!(err.to_string().to_lowercase().contains("certificate"), "{err}");
}

#[test]
fn describe_cluster_answers_become_a_connection_or_an_error_that_says_why() {
    let base = sparkform::kubernetes::ClusterInfo {
        name: CLUSTER.into(),
        status: "CREATING".into(),
        endpoint: Some("https://ABC.gr7.eu-west-1.eks.amazonaws.com".into()),
        certificate_authority: Some("bm90IGEgY2VydGlmaWNhdGU=".into()),
    };
    let err = Cluster::from_info(&base).unwrap_err();
    assert!(err.to_string().contains("is CREATING, not ACTIVE"), "{err}");
    let active = sparkform::kubernetes::ClusterInfo {
        status: "ACTIVE".into(),
        ..base
    };
    let err = Cluster::from_info(&active).unwrap_err();
    assert!(err.to_string().contains("holds no PEM certificate"), "{err}");
    let err = Cluster::from_info(&sparkform::kubernetes::ClusterInfo {
        endpoint: None,
        ..active
    })
    .unwrap_err();
    assert!(err.to_string().contains("no endpoint"), "{err}");
}

/// A CRD file as Karpenter publishes one (a leading `---`, controller-gen's annotation).
const NODEPOOL_CRD: &str = "---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  annotations:
    controller-gen.kubebuilder.io/version: v0.20.1
  name: nodepools.karpenter.sh
spec:
  group: karpenter.sh
  names:
    kind: NodePool
    plural: nodepools
    singular: nodepool
  scope: Cluster
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          x-kubernetes-preserve-unknown-fields: true
";
const CRD_PATH: &str = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/nodepools.karpenter.sh";
const FILE_PATH: &str = "/files/karpenter.sh_nodepools.yaml";

/// A server that serves the CRD file but not Karpenter's group until the CRD is established
/// (after two GETs), and a group of that CRD and a NodePool.
async fn karpenter_server() -> (ApiServer, KubeGroup) {
    let server = ApiServer::start(None).await;
    {
        let mut st = server.state.lock().unwrap();
        st.served.retain(|g| !g.starts_with("/apis/karpenter.sh"));
        st.files.insert(FILE_PATH.into(), NODEPOOL_CRD.into());
        st.establish_after = 2;
    }
    let mut g = group(objects()[6..7].to_vec());
    g.crds = vec![RemoteCrd {
        name: "nodepools.karpenter.sh".into(),
        url: format!("http://{}{FILE_PATH}", server.addr),
        sha256: sha256_hex(NODEPOOL_CRD.as_bytes()),
    }];
    (server, g)
}

#[tokio::test]
async fn crds_are_downloaded_checked_established_and_applied_before_the_objects() {
    let (server, g) = karpenter_server().await;
    let s = session(&server, "http", vec![]);
    let cache = tempfile::tempdir().unwrap();
    let opts = Options {
        downloads: cache.path().to_path_buf(),
        ..options()
    };
    let (progress, said) = lines();
    let report = apply::apply(&s, &g, &progress, &opts).await.unwrap();

    let outcomes: Vec<(&str, Outcome)> = report.objects.iter().map(|o| (o.object.as_str(), o.outcome)).collect();
    assert_eq!(
        outcomes,
        [
            ("CustomResourceDefinition/nodepools.karpenter.sh", Outcome::Created),
            ("NodePool/critical", Outcome::Created)
        ]
    );
    // The file first, the CRD applied and polled until established, then the NodePool
    // (whose group is served only from then on).
    let crd_gets = format!("GET {CRD_PATH}");
    assert_eq!(
        server.lines(),
        [
            format!("GET {FILE_PATH}"),
            crd_gets.clone(),
            format!("PATCH {CRD_PATH}"),
            crd_gets.clone(),
            crd_gets.clone(),
            crd_gets,
            format!("GET {}", PATHS[6]),
            format!("PATCH {}", PATHS[6]),
        ]
    );
    let patch = server
        .log()
        .into_iter()
        .find(|r| r.path == CRD_PATH && r.method == "PATCH")
        .unwrap();
    assert_eq!(patch.query.get("fieldManager").map(String::as_str), Some("sparkform"));
    assert_eq!(patch.content_type.as_deref(), Some("application/apply-patch+yaml"));
    let body = patch.body.unwrap();
    assert_eq!(body["spec"]["names"]["kind"], "NodePool");
    assert_eq!(
        body["metadata"]["annotations"],
        json!({"controller-gen.kubebuilder.io/version": "v0.20.1", "sparkform.dev/sha256": g.crds[0].sha256})
    );
    let said = said.lock().unwrap().clone();
    assert!(
        said[0].starts_with(&format!(
            "EksManifests: downloaded {} (1 KB, SHA-256 checked)",
            g.crds[0].url
        )),
        "{said:?}"
    );
    assert_eq!(
        std::fs::read_to_string(cached_path(cache.path(), &g.crds[0].sha256)).unwrap(),
        NODEPOOL_CRD
    );

    // The next deploy reads the cache: the file is gone upstream and nothing changes.
    server.state.lock().unwrap().files.clear();
    let start = server.log().len();
    let again = apply::apply(&s, &g, &|_| {}, &opts).await.unwrap();
    assert!(!again.changed(), "{again:?}");
    assert!(server.log()[start..].iter().all(|r| !r.path.starts_with("/files/")));

    // diff compares the digest the CRD was applied from, without downloading.
    let d = diff::diff(&s, &g, &opts).await.unwrap();
    assert_eq!(d.objects[0].change, Change::Unchanged);
    let mut newer = g.clone();
    newer.crds[0].sha256 = "0".repeat(64);
    let d = diff::diff(&s, &newer, &opts).await.unwrap();
    let Change::Update(changes) = &d.objects[0].change else {
        panic!("{d:?}")
    };
    assert_eq!(
        changes[0].to_string(),
        format!(
            "~ metadata.annotations[\"sparkform.dev/sha256\"]: \"{}\" -> \"{}\"",
            g.crds[0].sha256,
            "0".repeat(64)
        )
    );

    // destroy: the NodePool while its CRD (and controller) exist, the CRD last.
    let start = server.log().len();
    let removed = apply::delete(&s, &g, &|_| {}, &opts).await.unwrap();
    let deletes: Vec<String> = server.log()[start..]
        .iter()
        .filter(|r| r.method == "DELETE")
        .map(|r| r.path.clone())
        .collect();
    assert_eq!(deletes, [PATHS[6], CRD_PATH]);
    assert!(
        removed.objects.iter().all(|(_, r)| *r == Removal::Deleted),
        "{removed:?}"
    );
}

#[tokio::test]
async fn a_crd_file_that_is_not_the_pinned_one_applies_nothing() {
    let (server, mut g) = karpenter_server().await;
    let s = session(&server, "http", vec![]);
    let cache = tempfile::tempdir().unwrap();
    let opts = Options {
        downloads: cache.path().to_path_buf(),
        ..options()
    };
    let pinned = sha256_hex(b"the reviewed file");
    g.crds[0].sha256 = pinned.clone();
    let err = apply::apply(&s, &g, &|_| {}, &opts).await.unwrap_err();
    assert!(matches!(err, KubeError::CrdDigest { .. }), "{err}");
    assert_eq!(
        err.to_string(),
        format!(
            "{}: its SHA-256 is {}, not the pinned {pinned}: refusing it (the file changed upstream or on the way); nothing was applied",
            g.crds[0].url,
            sha256_hex(NODEPOOL_CRD.as_bytes())
        )
    );
    assert_eq!(server.lines(), [format!("GET {FILE_PATH}")]);
    assert!(!cached_path(cache.path(), &pinned).exists());

    // Unreachable: the error says where an offline machine can be given the file.
    g.crds[0].url = "http://127.0.0.1:9/karpenter.sh_nodepools.yaml".into();
    let err = apply::apply(&s, &g, &|_| {}, &opts).await.unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with("could not download http://127.0.0.1:9/karpenter.sh_nodepools.yaml: "),
        "{text}"
    );
    assert!(
        text.contains(&format!("keeps it as {}", cached_path(cache.path(), &pinned).display())),
        "{text}"
    );
}

#[tokio::test]
async fn a_crd_that_is_never_established_times_out_with_its_conditions() {
    let (server, g) = karpenter_server().await;
    server.state.lock().unwrap().establish_after = u32::MAX;
    let s = session(&server, "http", vec![]);
    let cache = tempfile::tempdir().unwrap();
    let opts = Options {
        downloads: cache.path().to_path_buf(),
        establish_timeout: Duration::from_millis(100),
        ..options()
    };
    let err = apply::apply(&s, &g, &|_| {}, &opts).await.unwrap_err();
    assert!(matches!(err, KubeError::NotEstablished { .. }), "{err}");
    assert!(
        err.to_string()
            .starts_with("CustomResourceDefinition/nodepools.karpenter.sh: not established after 0 s"),
        "{err}"
    );
    // The NodePool was not tried.
    assert!(server.log().iter().all(|r| r.path != PATHS[6]));
}
