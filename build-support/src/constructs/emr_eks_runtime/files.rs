//! The crate's own Kubernetes YAML: pod templates (uploaded as content-hashed assets, named
//! in job confs) and node pools (applied with the runtime's other objects). Both are read
//! and checked at compile time, so a broken file is an error on its path's token.

use super::model::Capacity;
use crate::constructs::pyspark_package::model::{hash_files, relative_path};
use crate::diag::Diags;
use crate::model::Context;
use crate::reader::Spanned;
use crate::value::Value;
use proc_macro2::Span;
use serde_json::Value as Json;
use std::path::PathBuf;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// One `v1` Pod per file.
    PodTemplate,
    /// NodePools and node classes of the runtime's capacity mode.
    NodePool(Capacity),
}

/// A checked file of the crate.
#[derive(Clone, Debug)]
pub struct UserFile {
    /// Relative to the crate, as written.
    pub path: String,
    pub span: Span,
    pub full: PathBuf,
    /// SHA-256 of the file (path and bytes).
    pub hash: String,
    /// The Kubernetes objects it holds.
    pub objects: Vec<Json>,
}

impl UserFile {
    /// The file name, for S3 keys and outputs.
    pub fn file_name(&self) -> &str {
        self.path.rsplit('/').next().unwrap_or(&self.path)
    }
}

/// Reads `["k8s/a.yaml", ...]`, each file checked for its kind.
pub fn read_files(list: &[Value], crate_dir: &std::path::Path, kind: Kind, diags: &mut Diags) -> Vec<UserFile> {
    let ctx = Context {
        crate_dir: crate_dir.to_path_buf(),
        ..Context::default()
    };
    let mut out: Vec<UserFile> = Vec::new();
    for v in list {
        let Some(s) = v.string(diags) else { continue };
        let Some(full) = relative_path(&s, &ctx, diags, false) else {
            continue;
        };
        let text = match std::fs::read_to_string(&full) {
            Ok(t) => t,
            Err(e) => {
                diags.error_help(
                    s.span,
                    format!("`{}` could not be read: {e}", s.value),
                    "give a UTF-8 YAML file",
                );
                continue;
            }
        };
        let Some(objects) = parse(&s, &text, kind, diags) else {
            continue;
        };
        if out.iter().any(|f| f.file_name() == file_name(&s.value)) {
            diags.error_help(
                s.span,
                format!("a second file is named `{}`", file_name(&s.value)),
                "give each file its own name",
            );
        }
        out.push(UserFile {
            hash: hash_files(crate_dir, std::slice::from_ref(&full), &[]),
            path: s.value,
            span: s.span,
            full,
            objects,
        });
    }
    out
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// The YAML documents of a file, checked for its kind.
fn parse(s: &Spanned<String>, text: &str, kind: Kind, diags: &mut Diags) -> Option<Vec<Json>> {
    let docs: Vec<Json> = match serde_saphyr::from_multiple::<Json>(text) {
        Ok(d) => d.into_iter().filter(|d| !d.is_null()).collect(),
        Err(e) => {
            let first = e.to_string().lines().next().unwrap_or_default().to_string();
            diags.error_help(
                s.span,
                format!("`{}` is not valid YAML: {first}", s.value),
                "fix the file; each document is one Kubernetes object",
            );
            return None;
        }
    };
    let problems: Vec<String> = match kind {
        Kind::PodTemplate => pod_template_problems(&docs),
        Kind::NodePool(capacity) => docs.iter().flat_map(|d| node_pool_problems(d, capacity)).collect(),
    };
    if docs.is_empty() {
        diags.error_help(
            s.span,
            format!("`{}` holds no Kubernetes object", s.value),
            "write the object's YAML in it",
        );
        return None;
    }
    if let Some(p) = problems.first() {
        let help = match kind {
            Kind::PodTemplate => "a pod template is one object with `apiVersion: v1` and `kind: Pod` (EMR fills in the containers' images and commands)".to_string(),
            Kind::NodePool(Capacity::Auto) => "with `capacity: auto`, write `karpenter.sh/v1` NodePools whose `nodeClassRef` is an `eks.amazonaws.com` NodeClass, and `eks.amazonaws.com/v1` NodeClasses".to_string(),
            Kind::NodePool(_) => "with `capacity: karpenter`, write `karpenter.sh/v1` NodePools whose `nodeClassRef` is a `karpenter.k8s.aws` EC2NodeClass, and `karpenter.k8s.aws/v1` EC2NodeClasses".to_string(),
        };
        diags.error_help(s.span, format!("`{}`: {p}", s.value), help);
        return None;
    }
    Some(docs)
}

fn name_of(o: &Json) -> Option<&str> {
    o["metadata"]["name"].as_str().filter(|n| !n.is_empty())
}

fn pod_template_problems(docs: &[Json]) -> Vec<String> {
    if docs.len() > 1 {
        return vec![format!("holds {} documents; a pod template is one Pod", docs.len())];
    }
    let Some(d) = docs.first() else { return Vec::new() };
    let mut out = Vec::new();
    if d["apiVersion"] != "v1" || d["kind"] != "Pod" {
        out.push(format!(
            "is `{}` `{}`, not a `v1` `Pod`",
            d["apiVersion"].as_str().unwrap_or("?"),
            d["kind"].as_str().unwrap_or("?")
        ));
    }
    if !d.get("spec").is_some_and(Json::is_object) {
        out.push("has no `spec`".into());
    }
    out
}

fn node_pool_problems(o: &Json, capacity: Capacity) -> Vec<String> {
    let (api, kind) = (
        o["apiVersion"].as_str().unwrap_or("?"),
        o["kind"].as_str().unwrap_or("?"),
    );
    let Some(name) = name_of(o) else {
        return vec![format!("a `{kind}` has no `metadata.name`")];
    };
    let class = match capacity {
        Capacity::Auto => ("eks.amazonaws.com/v1", "NodeClass", "eks.amazonaws.com"),
        _ => ("karpenter.k8s.aws/v1", "EC2NodeClass", "karpenter.k8s.aws"),
    };
    match (api, kind) {
        ("karpenter.sh/v1", "NodePool") => {
            let r = &o["spec"]["template"]["spec"]["nodeClassRef"];
            if r["group"] != class.2 || r["kind"] != class.1 {
                vec![format!(
                    "NodePool `{name}` refers to a `{}` `{}`, and this runtime's node classes are `{}` `{}`",
                    r["group"].as_str().unwrap_or("?"),
                    r["kind"].as_str().unwrap_or("?"),
                    class.2,
                    class.1
                )]
            } else {
                Vec::new()
            }
        }
        (a, k) if a == class.0 && k == class.1 => Vec::new(),
        _ => vec![format!(
            "`{name}` is a `{api}` `{kind}`, which is neither a NodePool nor a {}",
            class.1
        )],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn node_pools_match_the_capacity_mode() {
        let pool = |group: &str, kind: &str| {
            json!({ "apiVersion": "karpenter.sh/v1", "kind": "NodePool", "metadata": { "name": "gpu" },
                "spec": { "template": { "spec": { "nodeClassRef": { "group": group, "kind": kind, "name": "x" } } } } })
        };
        assert!(node_pool_problems(&pool("eks.amazonaws.com", "NodeClass"), Capacity::Auto).is_empty());
        assert!(!node_pool_problems(&pool("karpenter.k8s.aws", "EC2NodeClass"), Capacity::Auto).is_empty());
        assert!(node_pool_problems(&pool("karpenter.k8s.aws", "EC2NodeClass"), Capacity::Karpenter).is_empty());
        let cm = json!({ "apiVersion": "v1", "kind": "ConfigMap", "metadata": { "name": "x" } });
        assert!(node_pool_problems(&cm, Capacity::Auto)[0].contains("neither"));
        assert_eq!(pod_template_problems(&[cm]).len(), 2);
    }
}
