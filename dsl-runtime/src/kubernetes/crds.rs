//! A group's upstream CustomResourceDefinitions (Karpenter's): fetched pinned by SHA-256,
//! applied before the group's objects and waited for until the API serves their kinds, so
//! the NodePools after them are accepted; deleted after the objects, by name (no download).

use super::apply::{apply_one, get_live, report, ObjectReport, Options, Removal, Step};
use super::cluster::Session;
use super::diff::{Change, FieldChange, ObjectDiff};
use super::download::{self, Downloader, FetchError, Source};
use super::objects::Object;
use super::{kinds, KubeError};
use serde_json::{json, Value};
use sparkform_assembly::{KubeGroup, RemoteCrd};
use std::time::Instant;

/// The digest of the file an applied CRD came from: what `diff` compares, without a
/// download.
pub const DIGEST_ANNOTATION: &str = "sparkform.dev/sha256";

const API_VERSION: &str = "apiextensions.k8s.io/v1";
const KIND: &str = "CustomResourceDefinition";

/// `CustomResourceDefinition/name`, as progress lines and diffs name it.
pub fn describe(crd: &RemoteCrd) -> String {
    format!("{KIND}/{}", crd.name)
}

/// The CRD object of a downloaded file: one YAML document, the CRD `crd` names, annotated
/// with the file's digest.
pub fn parse(crd: &RemoteCrd, bytes: &[u8]) -> Result<Value, KubeError> {
    let bad = |reason: String| KubeError::BadCrd {
        url: crd.url.clone(),
        reason,
    };
    let mut value: Value = serde_saphyr::from_slice(bytes).map_err(|e| bad(format!("not one YAML document: {e}")))?;
    let field = |v: &Value, path: &str| v.pointer(path).and_then(Value::as_str).map(str::to_string);
    if field(&value, "/apiVersion").as_deref() != Some(API_VERSION) || field(&value, "/kind").as_deref() != Some(KIND) {
        return Err(bad(format!("not an {API_VERSION} {KIND}")));
    }
    match field(&value, "/metadata/name") {
        Some(name) if name == crd.name => {}
        other => {
            return Err(bad(format!(
                "it defines `{}`, not `{}`",
                other.unwrap_or_default(),
                crd.name
            )))
        }
    }
    let meta = value["metadata"].as_object_mut().expect("checked above");
    let annotations = meta.entry("annotations").or_insert_with(|| json!({}));
    if !annotations.is_object() {
        *annotations = json!({});
    }
    annotations[DIGEST_ANNOTATION] = json!(crd.sha256);
    Ok(value)
}

async fn fetch(
    downloader: &Downloader,
    group: &KubeGroup,
    crd: &RemoteCrd,
    options: &Options,
    progress: &(dyn Fn(&str) + Sync),
) -> Result<Value, KubeError> {
    let (bytes, source) = downloader
        .fetch(&crd.url, &crd.sha256, &options.downloads)
        .await
        .map_err(|e| match e {
            FetchError::Unavailable(reason) => KubeError::CrdUnavailable {
                url: crd.url.clone(),
                reason,
                cached: download::cached_path(&options.downloads, &crd.sha256)
                    .display()
                    .to_string(),
            },
            FetchError::Digest { actual } => KubeError::CrdDigest {
                url: crd.url.clone(),
                expected: crd.sha256.clone(),
                actual,
            },
        })?;
    if source == Source::Network {
        progress(&format!(
            "{}: downloaded {} ({} KB, SHA-256 checked)",
            group.id,
            crd.url,
            bytes.len().div_ceil(1024)
        ));
    }
    parse(crd, &bytes)
}

fn step(value: &Value) -> Step<'_> {
    let name = value["metadata"]["name"].as_str().unwrap_or_default().to_string();
    Step {
        object: Object {
            api_version: API_VERSION.into(),
            kind: KIND.into(),
            name,
            namespace: None,
            value,
        },
        target: kinds::known(API_VERSION, KIND).expect("CustomResourceDefinition is a known kind"),
    }
}

/// Downloads (or reads from the cache) every CRD first, so a missing or altered file
/// applies nothing; then applies each and waits until it is established.
pub async fn apply(
    session: &Session,
    group: &KubeGroup,
    progress: &(dyn Fn(&str) + Sync),
    options: &Options,
) -> Result<Vec<ObjectReport>, KubeError> {
    let mut values = Vec::new();
    let downloader = Downloader::default();
    for crd in &group.crds {
        values.push(fetch(&downloader, group, crd, options, progress).await?);
    }
    let mut reports = Vec::new();
    for value in &values {
        let s = step(value);
        let applied = apply_one(session, &s, options).await?;
        established(session, &s, options).await?;
        reports.push(report(&group.id, &s, applied, progress));
    }
    Ok(reports)
}

/// Waits until the API serves the CRD's kind (condition `Established`); a name the API
/// refused (`NamesAccepted: False`) fails at once.
async fn established(session: &Session, s: &Step<'_>, options: &Options) -> Result<(), KubeError> {
    let start = Instant::now();
    loop {
        let live = get_live(session, s).await?;
        let status = live
            .as_ref()
            .map(|o| o.data["status"]["conditions"].clone())
            .unwrap_or_default();
        let condition = |kind: &str| {
            status
                .as_array()
                .and_then(|c| c.iter().find(|c| c["type"] == kind))
                .map(|c| {
                    (
                        c["status"] == "True",
                        c["message"].as_str().unwrap_or_default().to_string(),
                    )
                })
        };
        if let Some((false, message)) = condition("NamesAccepted") {
            return Err(KubeError::Invalid {
                object: s.object.describe(),
                message,
            });
        }
        if let Some((true, _)) = condition("Established") {
            return Ok(());
        }
        if start.elapsed() >= options.establish_timeout {
            return Err(KubeError::NotEstablished {
                object: s.object.describe(),
                seconds: options.establish_timeout.as_secs(),
                conditions: status.to_string(),
            });
        }
        tokio::time::sleep(options.poll).await;
    }
}

/// Deletes the CRDs in reverse order, each waited for until it is gone (its objects go
/// with it). Missing ones are fine.
pub async fn delete(
    session: &Session,
    group: &KubeGroup,
    progress: &(dyn Fn(&str) + Sync),
    options: &Options,
) -> Result<Vec<(String, Removal)>, KubeError> {
    let mut out = Vec::new();
    for crd in group.crds.iter().rev() {
        let value = json!({ "apiVersion": API_VERSION, "kind": KIND, "metadata": { "name": crd.name } });
        let s = step(&value);
        let removal = super::apply::delete_one(session, &s, options, progress, &group.id).await?;
        out.push((s.object.describe(), removal));
    }
    Ok(out)
}

/// Each CRD against the cluster: missing ones are created; present ones are compared by the
/// digest they were applied from, so `diff` downloads nothing.
pub async fn diff(session: &Session, group: &KubeGroup) -> Result<Vec<ObjectDiff>, KubeError> {
    let mut out = Vec::new();
    for crd in &group.crds {
        let value = json!({ "apiVersion": API_VERSION, "kind": KIND, "metadata": { "name": crd.name } });
        let s = step(&value);
        let change = match get_live(session, &s).await? {
            None => Change::Create,
            Some(live) => {
                let applied = live
                    .metadata
                    .annotations
                    .as_ref()
                    .and_then(|a| a.get(DIGEST_ANNOTATION))
                    .cloned();
                if applied.as_deref() == Some(crd.sha256.as_str()) {
                    Change::Unchanged
                } else {
                    Change::Update(vec![FieldChange {
                        path: format!("metadata.annotations[{}]", Value::String(DIGEST_ANNOTATION.into())),
                        before: applied.map(Value::String),
                        after: Some(Value::String(crd.sha256.clone())),
                    }])
                }
            }
        };
        out.push(ObjectDiff {
            object: describe(crd),
            change,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crd() -> RemoteCrd {
        RemoteCrd {
            name: "nodepools.karpenter.sh".into(),
            url: "https://example.com/karpenter.sh_nodepools.yaml".into(),
            sha256: "ab".repeat(32),
        }
    }

    #[test]
    fn a_file_is_the_named_crd_or_an_error_that_says_what_it_is() {
        let ok = b"---\napiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: nodepools.karpenter.sh\n  annotations:\n    controller-gen.kubebuilder.io/version: v0.20.1\nspec:\n  group: karpenter.sh\n";
        let v = parse(&crd(), ok).unwrap();
        assert_eq!(v["metadata"]["annotations"][DIGEST_ANNOTATION], json!("ab".repeat(32)));
        assert_eq!(
            v["metadata"]["annotations"]["controller-gen.kubebuilder.io/version"],
            json!("v0.20.1")
        );
        assert_eq!(v["spec"]["group"], json!("karpenter.sh"));

        let other = b"apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: nodeclaims.karpenter.sh\n";
        assert_eq!(
            parse(&crd(), other).unwrap_err().to_string(),
            "https://example.com/karpenter.sh_nodepools.yaml is not the CRD sparkform expects: it defines `nodeclaims.karpenter.sh`, not `nodepools.karpenter.sh`"
        );
        let not_crd = b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n";
        assert!(parse(&crd(), not_crd)
            .unwrap_err()
            .to_string()
            .contains("not an apiextensions.k8s.io/v1 CustomResourceDefinition"));
        assert!(parse(&crd(), b"<html>rate limited</html>\n: :").is_err());
    }
}
