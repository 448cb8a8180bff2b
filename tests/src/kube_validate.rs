//! Judges for the Kubernetes objects the compiler writes into a cloud assembly:
//! - core kinds (Namespace, ResourceQuota, LimitRange, NetworkPolicy, ServiceAccount, RBAC,
//!   ...) through PyPI `kubernetes-validate --strict` against Kubernetes [`KUBERNETES_VERSION`];
//! - Karpenter `karpenter.sh/v1` NodePool and `karpenter.k8s.aws/v1` EC2NodeClass through
//!   npm `@kubernetes-models/karpenter`'s validators, plus unknown-field strictness from the
//!   package's type declarations (`tests/kube/karpenter-judge.mjs`);
//! - the EKS Auto Mode `eks.amazonaws.com/v1` NodeClass against its documented fields
//!   ([`auto_mode`]).
//!
//! Both tools are installed by `scripts/test-services start`.

use serde_json::Value;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// The Kubernetes version core kinds are checked against (k8s-openapi's `v1_33` too).
pub const KUBERNETES_VERSION: &str = "1.33.0";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Judge {
    /// kubernetes-validate --strict
    Kubernetes,
    /// @kubernetes-models/karpenter
    Karpenter,
    /// the documented Auto Mode NodeClass fields
    AutoMode,
}

/// An object a judge refused, with its reasons.
#[derive(Clone, Debug)]
pub struct Rejection {
    pub index: usize,
    /// `Kind/namespace/name`
    pub object: String,
    pub judge: Judge,
    pub errors: Vec<String>,
}

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "#{} {} ({:?}):", self.index, self.object, self.judge)?;
        for e in &self.errors {
            writeln!(f, "    {e}")?;
        }
        Ok(())
    }
}

fn describe(o: &Value) -> String {
    let kind = o["kind"].as_str().unwrap_or("?");
    let name = o["metadata"]["name"].as_str().unwrap_or("?");
    match o["metadata"]["namespace"].as_str() {
        Some(ns) => format!("{kind}/{ns}/{name}"),
        None => format!("{kind}/{name}"),
    }
}

pub fn judge_of(o: &Value) -> Judge {
    let api_version = o["apiVersion"].as_str().unwrap_or_default();
    match api_version.split('/').next().unwrap_or_default() {
        "karpenter.sh" | "karpenter.k8s.aws" => Judge::Karpenter,
        "eks.amazonaws.com" => Judge::AutoMode,
        _ => Judge::Kubernetes,
    }
}

/// Every object, each by its judge; the rejections in input order (empty: all valid).
pub fn validate(objects: &[Value]) -> Vec<Rejection> {
    let mut out = Vec::new();
    let pick =
        |j: Judge| -> Vec<(usize, &Value)> { objects.iter().enumerate().filter(|(_, o)| judge_of(o) == j).collect() };
    let core = pick(Judge::Kubernetes);
    for (index, errors) in kubernetes_validate(&core) {
        out.push(rejection(objects, index, Judge::Kubernetes, errors));
    }
    let karpenter = pick(Judge::Karpenter);
    for (index, errors) in karpenter_validate(&karpenter) {
        out.push(rejection(objects, index, Judge::Karpenter, errors));
    }
    for (index, o) in pick(Judge::AutoMode) {
        let errors = auto_mode::check(o);
        if !errors.is_empty() {
            out.push(rejection(objects, index, Judge::AutoMode, errors));
        }
    }
    out.sort_by_key(|r| r.index);
    out
}

/// Panics with every rejection, for tests of generated manifests.
pub fn assert_valid(objects: &[Value]) {
    let rejected = validate(objects);
    assert!(
        rejected.is_empty(),
        "{} of {} Kubernetes objects were rejected:\n{}",
        rejected.len(),
        objects.len(),
        rejected.iter().map(|r| r.to_string()).collect::<String>()
    );
}

fn rejection(objects: &[Value], index: usize, judge: Judge, errors: Vec<String>) -> Rejection {
    Rejection {
        index,
        object: describe(&objects[index]),
        judge,
        errors,
    }
}

fn tool(var: &str) -> String {
    crate::services()
        .get(var)
        .cloned()
        .unwrap_or_else(|| panic!("{var} is not set: run `scripts/test-services start`"))
}

/// One file per object, all in one run; a line that is not `INFO` (an error, or a warning
/// such as a kind with no schema) rejects its file's object.
fn kubernetes_validate(objects: &[(usize, &Value)]) -> Vec<(usize, Vec<String>)> {
    if objects.is_empty() {
        return Vec::new();
    }
    let dir = tempdir("kubernetes-validate");
    let files: Vec<(usize, PathBuf)> = objects
        .iter()
        .map(|(i, o)| {
            let f = dir.join(format!("object-{i}.json"));
            std::fs::write(&f, serde_json::to_string(o).unwrap()).unwrap();
            (*i, f)
        })
        .collect();
    let out = Command::new(tool("KUBERNETES_VALIDATE"))
        .args(["--strict", "-k", KUBERNETES_VERSION])
        .args(files.iter().map(|(_, f)| f))
        .output()
        .unwrap_or_else(|e| panic!("cannot run kubernetes-validate ({e}): run `scripts/test-services start`"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let mut rejected: Vec<(usize, Vec<String>)> = Vec::new();
    let mut passed = 0;
    for (index, file) in &files {
        let name = file.to_string_lossy();
        let lines: Vec<&str> = text.lines().filter(|l| l.contains(name.as_ref())).collect();
        let errors: Vec<String> = lines
            .iter()
            .filter(|l| !l.starts_with("INFO"))
            .map(|l| {
                l.replace(name.as_ref(), "")
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        if lines.iter().any(|l| l.starts_with("INFO") && l.contains("passed")) && errors.is_empty() {
            passed += 1;
        } else if errors.is_empty() {
            rejected.push((
                *index,
                vec![format!("kubernetes-validate said nothing about it:\n{text}")],
            ));
        } else {
            rejected.push((*index, errors));
        }
    }
    assert!(
        out.status.success() || passed < files.len(),
        "kubernetes-validate failed without naming an object:\n{text}"
    );
    let _ = std::fs::remove_dir_all(&dir);
    rejected
}

fn karpenter_validate(objects: &[(usize, &Value)]) -> Vec<(usize, Vec<String>)> {
    if objects.is_empty() {
        return Vec::new();
    }
    let script = crate::workspace().join("tests/kube/karpenter-judge.mjs");
    let mut child = Command::new("node")
        .arg(&script)
        .arg(tool("SPARKFORM_NODE_MODULES"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run node ({e}): run `scripts/test-services start`"));
    let input: Vec<&Value> = objects.iter().map(|(_, o)| *o).collect();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin
            .write_all(serde_json::to_string(&input).unwrap().as_bytes())
            .unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "the Karpenter judge failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let results: Vec<Vec<String>> = serde_json::from_slice(&out.stdout).expect("the judge prints JSON");
    assert_eq!(results.len(), objects.len(), "one result per object");
    objects
        .iter()
        .zip(results)
        .filter(|(_, errors)| !errors.is_empty())
        .map(|((i, _), errors)| (*i, errors))
        .collect()
}

fn tempdir(what: &str) -> PathBuf {
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("sparkform-{what}-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The EKS Auto Mode NodeClass (`eks.amazonaws.com/v1`), checked against its documented
/// fields. Source: the Amazon EKS User Guide, "Create a Node Class for Amazon EKS",
/// section "Node Class Specification" (awsdocs/amazon-eks-user-guide,
/// `latest/ug/automode/create-node-class.adoc`): role, subnetSelectorTerms (id | tags),
/// securityGroupSelectorTerms (id | name | tags), snatPolicy, networkPolicy,
/// networkPolicyEventLogs, ephemeralStorage (size 1-59000Gi / 1-64000G / 1-58Ti / 1-64T,
/// iops 3000-16000, throughput 125-1000), tags; and the fields that page and the guide's
/// Auto Mode change log (`auto-change.adoc`) added since: podSubnetSelectorTerms and
/// podSecurityGroupSelectorTerms (set together), ephemeralStorage.kmsKeyID, instanceProfile
/// (instead of role), advancedNetworking (associatePublicIPAddress, httpsProxy, noProxy,
/// ipv4PrefixSize Auto | "32"), advancedSecurity.fips, certificateBundles (name, data) and
/// capacityReservationSelectorTerms (id | owner | tags). No schema package ships this CRD.
pub mod auto_mode {
    use serde_json::Value;

    pub enum Shape {
        Str,
        Bool,
        Int(i64, i64),
        Enum(&'static [&'static str]),
        /// Labels and tags: string to string.
        StrMap,
        /// An ephemeral storage size.
        Size,
        List(&'static Shape),
        Obj(&'static [(&'static str, Shape)]),
    }
    use Shape::*;

    const ID_TAGS: Shape = List(&Obj(&[("id", Str), ("tags", StrMap)]));

    pub const SPEC: Shape = Obj(&[
        ("role", Str),
        ("instanceProfile", Str),
        ("subnetSelectorTerms", ID_TAGS),
        (
            "securityGroupSelectorTerms",
            List(&Obj(&[("id", Str), ("name", Str), ("tags", StrMap)])),
        ),
        ("podSubnetSelectorTerms", ID_TAGS),
        ("podSecurityGroupSelectorTerms", ID_TAGS),
        (
            "capacityReservationSelectorTerms",
            List(&Obj(&[("id", Str), ("owner", Str), ("tags", StrMap)])),
        ),
        ("snatPolicy", Enum(&["Random", "Disabled"])),
        ("networkPolicy", Enum(&["DefaultAllow", "DefaultDeny"])),
        ("networkPolicyEventLogs", Enum(&["Disabled", "Enabled"])),
        (
            "ephemeralStorage",
            Obj(&[
                ("size", Size),
                ("iops", Int(3000, 16000)),
                ("throughput", Int(125, 1000)),
                ("kmsKeyID", Str),
            ]),
        ),
        (
            "advancedNetworking",
            Obj(&[
                ("associatePublicIPAddress", Bool),
                ("httpsProxy", Str),
                ("noProxy", List(&Str)),
                ("ipv4PrefixSize", Enum(&["Auto", "32"])),
            ]),
        ),
        ("advancedSecurity", Obj(&[("fips", Bool)])),
        ("certificateBundles", List(&Obj(&[("name", Str), ("data", Str)]))),
        ("tags", StrMap),
    ]);

    const METADATA: Shape = Obj(&[("name", Str), ("labels", StrMap), ("annotations", StrMap)]);

    fn size_ok(s: &str) -> bool {
        let digits = s.trim_end_matches(|c: char| c.is_ascii_alphabetic());
        let max = match &s[digits.len()..] {
            "Gi" => 59000,
            "G" => 64000,
            "Ti" => 58,
            "T" => 64,
            _ => return false,
        };
        digits.parse::<u64>().is_ok_and(|n| (1..=max).contains(&n))
    }

    fn walk(v: &Value, shape: &Shape, path: &str, errors: &mut Vec<String>) {
        let mut bad = |what: &str| errors.push(format!("{path}: {what}"));
        match shape {
            Str => {
                if v.as_str().is_none_or(str::is_empty) {
                    bad("must be a non-empty string");
                }
            }
            Bool => {
                if !v.is_boolean() {
                    bad("must be true or false");
                }
            }
            Int(lo, hi) => {
                if !v.as_i64().is_some_and(|n| (*lo..=*hi).contains(&n)) {
                    bad(&format!("must be an integer from {lo} to {hi}"));
                }
            }
            Enum(values) => {
                if !v.as_str().is_some_and(|s| values.contains(&s)) {
                    bad(&format!("must be one of {}", values.join(", ")));
                }
            }
            StrMap => {
                if !v.as_object().is_some_and(|m| m.values().all(Value::is_string)) {
                    bad("must map strings to strings");
                }
            }
            Size => {
                if !v.as_str().is_some_and(size_ok) {
                    bad("must be a size of 1-59000Gi, 1-64000G, 1-58Ti or 1-64T");
                }
            }
            List(item) => match v.as_array() {
                Some(items) if !items.is_empty() => {
                    for (i, x) in items.iter().enumerate() {
                        walk(x, item, &format!("{path}[{i}]"), errors);
                    }
                }
                _ => bad("must be a non-empty list"),
            },
            Obj(fields) => match v.as_object() {
                Some(m) if !m.is_empty() => {
                    for (k, x) in m {
                        match fields.iter().find(|(name, _)| name == k) {
                            Some((_, s)) => walk(x, s, &format!("{path}.{k}"), errors),
                            None => errors.push(format!("{path}.{k}: unknown field")),
                        }
                    }
                }
                _ => bad("must be a non-empty object"),
            },
        }
    }

    /// The reasons `o` is not a valid Auto Mode NodeClass (empty: valid).
    pub fn check(o: &Value) -> Vec<String> {
        let mut errors = Vec::new();
        if o["apiVersion"] != "eks.amazonaws.com/v1" || o["kind"] != "NodeClass" {
            return vec![format!(
                "{} {}: the only eks.amazonaws.com kind is v1 NodeClass",
                o["apiVersion"], o["kind"]
            )];
        }
        let Some(top) = o.as_object() else {
            return vec!["not an object".into()];
        };
        for k in top
            .keys()
            .filter(|k| !["apiVersion", "kind", "metadata", "spec"].contains(&k.as_str()))
        {
            errors.push(format!("{k}: unknown field"));
        }
        walk(&o["metadata"], &METADATA, "metadata", &mut errors);
        if o["metadata"]["name"].is_null() {
            errors.push("metadata.name: required".into());
        }
        let spec = &o["spec"];
        walk(spec, &SPEC, "spec", &mut errors);
        for required in ["subnetSelectorTerms", "securityGroupSelectorTerms"] {
            if spec[required].is_null() {
                errors.push(format!("spec.{required}: required"));
            }
        }
        if spec["role"].is_null() == spec["instanceProfile"].is_null() {
            errors.push("spec: exactly one of role and instanceProfile".into());
        }
        if spec["podSubnetSelectorTerms"].is_null() != spec["podSecurityGroupSelectorTerms"].is_null() {
            errors.push("spec: podSubnetSelectorTerms and podSecurityGroupSelectorTerms go together".into());
        }
        for terms in [
            "subnetSelectorTerms",
            "securityGroupSelectorTerms",
            "podSubnetSelectorTerms",
            "podSecurityGroupSelectorTerms",
        ] {
            for (i, t) in spec[terms].as_array().into_iter().flatten().enumerate() {
                if t.as_object().is_some_and(|m| m.contains_key("id") && m.len() > 1) {
                    errors.push(format!("spec.{terms}[{i}]: an id selects alone"));
                }
            }
        }
        errors
    }
}
