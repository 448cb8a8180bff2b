//! A recording Kubernetes API server on loopback, for the apply step's tests: no real API
//! server can be had on these machines (see eks-and-cicd-facts). It speaks HTTP/1.1 (plain,
//! or TLS with a given certificate), records every request, and keeps objects the way
//! server-side apply does for what these tests look at: a PATCH merges the body into the
//! stored object, bumps `resourceVersion` only when something changed, honours `dryRun`,
//! and answers 404 for unknown group versions (a CRD not installed) and for missing
//! namespaces, 409 when told to, and any status for a path when told to.

#![allow(dead_code)]

use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub query: BTreeMap<String, String>,
    pub content_type: Option<String>,
    pub authorization: Option<String>,
    pub body: Option<Value>,
    pub at: Instant,
}

#[derive(Default)]
pub struct State {
    pub log: Vec<Recorded>,
    /// Object path -> stored object.
    pub objects: BTreeMap<String, Value>,
    next_rv: u64,
    /// Object path -> how many 409s its next PATCHes get.
    pub conflicts: BTreeMap<String, u32>,
    /// Object path -> how many GETs still find it after its DELETE (finalizers).
    pub finalizing: BTreeMap<String, u32>,
    /// Discovery documents: `/apis/<group>/<version>` -> APIResourceList.
    pub discovery: BTreeMap<String, Value>,
    /// Group versions served (`/api/v1`, `/apis/networking.k8s.io/v1`, ...).
    pub served: Vec<String>,
    /// Path -> (status, Status body) answered to any method.
    pub scripted: BTreeMap<String, (u16, Value)>,
    /// Path -> file served to GET as it is (a download, not the Kubernetes API).
    pub files: BTreeMap<String, String>,
    /// How many GETs of a new CRD find it not yet established; once established, its
    /// group versions are served.
    pub establish_after: u32,
    establishing: BTreeMap<String, u32>,
}

const CRDS: &str = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/";

pub struct ApiServer {
    /// `127.0.0.1:<port>`.
    pub addr: String,
    pub state: Arc<Mutex<State>>,
}

impl ApiServer {
    /// The core groups sparkform writes, Karpenter and Auto Mode served.
    pub fn default_served() -> Vec<String> {
        [
            "/api/v1",
            "/apis/networking.k8s.io/v1",
            "/apis/rbac.authorization.k8s.io/v1",
            "/apis/karpenter.sh/v1",
            "/apis/karpenter.k8s.aws/v1",
            "/apis/eks.amazonaws.com/v1",
            "/apis/apps/v1",
            "/apis/policy/v1",
            "/apis/apiextensions.k8s.io/v1",
        ]
        .map(String::from)
        .to_vec()
    }

    pub async fn start(tls: Option<tokio_rustls::TlsAcceptor>) -> ApiServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(Mutex::new(State {
            served: ApiServer::default_served(),
            next_rv: 100,
            ..State::default()
        }));
        let s = state.clone();
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let s = s.clone();
                let tls = tls.clone();
                tokio::spawn(async move {
                    match tls {
                        Some(acceptor) => {
                            if let Ok(stream) = acceptor.accept(stream).await {
                                serve(stream, s).await
                            }
                        }
                        None => serve(stream, s).await,
                    }
                });
            }
        });
        ApiServer {
            addr: format!("127.0.0.1:{}", addr.port()),
            state,
        }
    }

    pub fn log(&self) -> Vec<Recorded> {
        self.state.lock().unwrap().log.clone()
    }

    /// The recorded requests as `METHOD path`, discovery and all.
    pub fn lines(&self) -> Vec<String> {
        self.log().iter().map(|r| format!("{} {}", r.method, r.path)).collect()
    }

    pub fn object(&self, path: &str) -> Option<Value> {
        self.state.lock().unwrap().objects.get(path).cloned()
    }
}

async fn serve<S: AsyncRead + AsyncWrite + Unpin>(stream: S, state: Arc<Mutex<State>>) {
    let mut stream = BufReader::new(stream);
    loop {
        let mut line = String::new();
        if stream.read_line(&mut line).await.unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let (Some(method), Some(target)) = (parts.next(), parts.next()) else {
            return;
        };
        let (method, target) = (method.to_string(), target.to_string());
        let mut headers = BTreeMap::new();
        loop {
            let mut h = String::new();
            if stream.read_line(&mut h).await.unwrap_or(0) == 0 {
                return;
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
            }
        }
        let len: usize = headers.get("content-length").and_then(|l| l.parse().ok()).unwrap_or(0);
        let mut body = vec![0; len];
        if stream.read_exact(&mut body).await.is_err() {
            return;
        }
        let (path, query) = match target.split_once('?') {
            Some((p, q)) => (p.to_string(), parse_query(q)),
            None => (target.clone(), BTreeMap::new()),
        };
        let recorded = Recorded {
            method: method.clone(),
            path: path.clone(),
            query,
            content_type: headers.get("content-type").cloned(),
            authorization: headers.get("authorization").cloned(),
            body: serde_json::from_slice(&body).ok(),
            at: Instant::now(),
        };
        let (code, text, content_type) = {
            let mut st = state.lock().unwrap();
            st.log.push(recorded.clone());
            answer(&mut st, &recorded)
        };
        let reason = match code {
            200 => "OK",
            201 => "Created",
            404 => "Not Found",
            409 => "Conflict",
            _ => "Status",
        };
        let head = format!(
            "HTTP/1.1 {code} {reason}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\n\r\n",
            text.len()
        );
        // One write: a head and a body in two segments would wait on delayed ACKs.
        let inner = stream.get_mut();
        if inner.write_all(format!("{head}{text}").as_bytes()).await.is_err() {
            return;
        }
        let _ = inner.flush().await;
    }
}

fn parse_query(q: &str) -> BTreeMap<String, String> {
    q.split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), v.replace("%2F", "/")))
        .collect()
}

pub fn status(code: u16, reason: &str, message: &str, details: Value) -> Value {
    json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
           "message": message, "reason": reason, "details": details, "code": code})
}

/// `(group version prefix, namespace, plural, name)` of an object path.
fn split_path(path: &str) -> Option<(String, Option<String>, String, String)> {
    let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let (gv, rest) = match segs.first() {
        Some(&"api") if segs.len() >= 2 => (format!("/api/{}", segs[1]), &segs[2..]),
        Some(&"apis") if segs.len() >= 3 => (format!("/apis/{}/{}", segs[1], segs[2]), &segs[3..]),
        _ => return None,
    };
    match rest {
        ["namespaces", ns, plural, name] => Some((gv, Some(ns.to_string()), plural.to_string(), name.to_string())),
        [plural, name] => Some((gv, None, plural.to_string(), name.to_string())),
        _ => None,
    }
}

fn server_fields() -> [&'static str; 4] {
    ["resourceVersion", "uid", "creationTimestamp", "managedFields"]
}

fn strip(mut v: Value) -> Value {
    if let Some(m) = v.get_mut("metadata").and_then(Value::as_object_mut) {
        for k in server_fields() {
            m.remove(k);
        }
    }
    v
}

fn merge(into: &mut Value, from: &Value) {
    match (into, from) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                merge(a.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
        (a, b) => *a = b.clone(),
    }
}

fn answer(st: &mut State, r: &Recorded) -> (u16, String, &'static str) {
    let json_ok = |code: u16, v: &Value| (code, v.to_string(), "application/json");
    if let Some((code, body)) = st.scripted.get(&r.path) {
        return json_ok(*code, body);
    }
    if let Some(file) = st.files.get(&r.path).filter(|_| r.method == "GET") {
        return (200, file.clone(), "text/yaml");
    }
    if r.method == "GET" && r.path.starts_with(CRDS) {
        establish(st, &r.path);
    }
    if r.method == "GET" {
        if let Some(d) = st.discovery.get(&r.path) {
            return json_ok(200, d);
        }
    }
    let Some((gv, ns, plural, name)) = split_path(&r.path) else {
        return (404, "404 page not found".into(), "text/plain");
    };
    if !st.served.contains(&gv) {
        return (404, "404 page not found".into(), "text/plain");
    }
    let not_found = |kind: &str, name: &str| {
        status(
            404,
            "NotFound",
            &format!("{kind} \"{name}\" not found"),
            json!({"name": name, "kind": kind}),
        )
    };
    match r.method.as_str() {
        "GET" => {
            if let Some(n) = st.finalizing.get_mut(&r.path) {
                if *n > 0 {
                    *n -= 1;
                    let mut o = st.objects.get(&r.path).cloned().unwrap_or(json!({}));
                    o["metadata"]["deletionTimestamp"] = json!("2026-01-01T00:00:00Z");
                    return json_ok(200, &o);
                }
                st.finalizing.remove(&r.path);
                st.objects.remove(&r.path);
            }
            match st.objects.get(&r.path) {
                Some(o) => json_ok(200, o),
                None => json_ok(404, &not_found(&plural, &name)),
            }
        }
        "PATCH" => {
            if r.content_type.as_deref() != Some("application/apply-patch+yaml") {
                return json_ok(
                    415,
                    &status(415, "UnsupportedMediaType", "not an apply patch", json!({})),
                );
            }
            if let Some(n) = st.conflicts.get_mut(&r.path) {
                if *n > 0 {
                    *n -= 1;
                    return json_ok(
                        409,
                        &status(
                            409,
                            "Conflict",
                            "Operation cannot be fulfilled: the object has been modified",
                            json!({"name": name, "kind": plural}),
                        ),
                    );
                }
            }
            if let Some(ns) = &ns {
                if !st.objects.contains_key(&format!("/api/v1/namespaces/{ns}")) {
                    return json_ok(404, &not_found("namespaces", ns));
                }
            }
            let body = r.body.clone().unwrap_or(json!({}));
            let existing = st.objects.get(&r.path).cloned();
            let mut merged = existing.clone().map(strip).unwrap_or(json!({}));
            merge(&mut merged, &body);
            let unchanged = existing.as_ref().map(|e| strip(e.clone())) == Some(merged.clone());
            let mut stored = merged;
            let meta = stored["metadata"].as_object_mut().cloned().unwrap_or_default();
            let mut meta: Map<String, Value> = meta;
            let rv = match (&existing, unchanged) {
                (Some(e), true) => e["metadata"]["resourceVersion"].clone(),
                _ => {
                    st.next_rv += 1;
                    json!(st.next_rv.to_string())
                }
            };
            meta.insert("resourceVersion".into(), rv);
            meta.insert("uid".into(), json!(format!("uid-{name}")));
            stored["metadata"] = Value::Object(meta);
            if r.query.get("dryRun").map(String::as_str) != Some("All") {
                if r.path.starts_with(CRDS) && existing.is_none() {
                    let after = st.establish_after;
                    st.establishing.insert(r.path.clone(), after);
                }
                st.objects.insert(r.path.clone(), stored.clone());
            }
            json_ok(if existing.is_some() { 200 } else { 201 }, &stored)
        }
        "DELETE" => {
            if !st.objects.contains_key(&r.path) {
                return json_ok(404, &not_found(&plural, &name));
            }
            if !st.finalizing.contains_key(&r.path) {
                st.objects.remove(&r.path);
            }
            json_ok(200, &json!({"kind": "Status", "apiVersion": "v1", "status": "Success"}))
        }
        _ => json_ok(405, &status(405, "MethodNotAllowed", "", json!({}))),
    }
}

/// A stored CRD counts down its GETs, then is established: its condition set and its
/// group versions served.
fn establish(st: &mut State, path: &str) {
    let Some(n) = st.establishing.get_mut(path) else {
        return;
    };
    if *n > 0 {
        *n -= 1;
        return;
    }
    st.establishing.remove(path);
    let Some(crd) = st.objects.get_mut(path) else {
        return;
    };
    crd["status"] = json!({"conditions": [
        {"type": "NamesAccepted", "status": "True", "reason": "NoConflicts"},
        {"type": "Established", "status": "True", "reason": "InitialNamesAccepted"},
    ]});
    let group = crd["spec"]["group"].as_str().unwrap_or_default().to_string();
    let versions: Vec<String> = crd["spec"]["versions"]
        .as_array()
        .map(|v| v.iter().filter_map(|x| x["name"].as_str().map(String::from)).collect())
        .unwrap_or_default();
    for v in versions {
        let gv = format!("/apis/{group}/{v}");
        if !st.served.contains(&gv) {
            st.served.push(gv);
        }
    }
}
