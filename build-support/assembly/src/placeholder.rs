//! The `${Name}` placeholders in job requests, log URIs and Spark confs. The compiler writes
//! them (in templates they are `Fn::Sub` variables, filled by CloudFormation); the runtime
//! fills the same text with [`fill`] when it starts a job without the state machine.

use crate::value_ref::ValueRef;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// A value the runtime knows only once stacks are deployed.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Placeholder {
    /// EMR Serverless application id, or EMR on EKS virtual cluster id.
    TargetId,
    ExecutionRoleArn,
    /// The S3 log bucket a job created.
    LogBucket,
    /// The artifacts bucket of a job's PySpark package.
    ArtifactsBucket,
    /// The pod-template bucket of the `emr_eks_runtime!` a job runs on.
    PodTemplateBucket,
}

impl Placeholder {
    pub const ALL: [Placeholder; 5] = [
        Placeholder::TargetId,
        Placeholder::ExecutionRoleArn,
        Placeholder::LogBucket,
        Placeholder::ArtifactsBucket,
        Placeholder::PodTemplateBucket,
    ];

    /// The variable name, as `Fn::Sub` sees it.
    pub fn name(self) -> &'static str {
        match self {
            Placeholder::TargetId => "TargetId",
            Placeholder::ExecutionRoleArn => "ExecutionRoleArn",
            Placeholder::LogBucket => "LogBucket",
            Placeholder::ArtifactsBucket => "ArtifactsBucket",
            Placeholder::PodTemplateBucket => "PodTemplateBucket",
        }
    }

    /// `${Name}`, as written into text.
    pub fn token(self) -> String {
        format!("${{{}}}", self.name())
    }

    pub fn from_name(name: &str) -> Option<Placeholder> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }
}

impl fmt::Display for Placeholder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.token())
    }
}

/// Where each placeholder of a job gets its value.
pub type Bindings = BTreeMap<Placeholder, ValueRef>;

/// A placeholder in the text that has no value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unfilled(pub Placeholder);

impl fmt::Display for Unfilled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "no value for {} (rebuild the app with this version of sparkform)",
            self.0
        )
    }
}

impl std::error::Error for Unfilled {}

/// Replaces every sparkform placeholder in `text` by its value. Other `${...}` (such as
/// `${AWS::Region}`) are left as they are.
pub fn fill(text: &str, values: &BTreeMap<Placeholder, String>) -> Result<String, Unfilled> {
    substitute(text, |name| {
        let p = Placeholder::from_name(name)?;
        Some(values.get(&p).cloned().ok_or(Unfilled(p)))
    })
}

/// Replaces each `${Name}` for which `value(Name)` answers; other `${...}` stay. The one
/// substitution of the contract: job texts ([`fill`]) and Kubernetes objects' named values.
pub fn substitute<E>(text: &str, value: impl Fn(&str) -> Option<Result<String, E>>) -> Result<String, E> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find('}').and_then(|end| Some((value(&after[..end])?, end))) {
            Some((v, end)) => {
                out.push_str(&v?);
                rest = &after[end + 1..];
            }
            None => {
                out.push_str("${");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// [`fill`] on every string of a JSON document (keys stay as they are).
pub fn fill_json(
    value: &serde_json::Value,
    values: &BTreeMap<Placeholder, String>,
) -> Result<serde_json::Value, Unfilled> {
    use serde_json::Value;
    Ok(match value {
        Value::String(s) => Value::String(fill(s, values)?),
        Value::Array(items) => Value::Array(items.iter().map(|i| fill_json(i, values)).collect::<Result<_, _>>()?),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| Ok((k.clone(), fill_json(v, values)?)))
                .collect::<Result<_, Unfilled>>()?,
        ),
        other => other.clone(),
    })
}

/// The sparkform placeholders `text` uses, in order of first use.
pub fn used_in(text: &str) -> Vec<Placeholder> {
    let mut out = Vec::new();
    for p in Placeholder::ALL {
        if text.contains(&p.token()) {
            out.push(p);
        }
    }
    out.sort_by_key(|p| text.find(&p.token()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_ours_and_keeps_the_rest() {
        let mut v = BTreeMap::new();
        v.insert(Placeholder::TargetId, "00f1".to_string());
        v.insert(Placeholder::LogBucket, "logs".to_string());
        let text = "s3://${LogBucket}/x ${TargetId} ${AWS::Region} ${unclosed";
        assert_eq!(fill(text, &v).unwrap(), "s3://logs/x 00f1 ${AWS::Region} ${unclosed");
        assert_eq!(
            fill("${ExecutionRoleArn}", &v),
            Err(Unfilled(Placeholder::ExecutionRoleArn))
        );
        assert_eq!(used_in(text), vec![Placeholder::LogBucket, Placeholder::TargetId]);
    }

    #[test]
    fn fills_json_strings_only() {
        let mut v = BTreeMap::new();
        v.insert(Placeholder::ArtifactsBucket, "art".to_string());
        let doc = serde_json::json!({ "${ArtifactsBucket}": ["s3://${ArtifactsBucket}/a", 1] });
        let filled = fill_json(&doc, &v).unwrap();
        assert_eq!(filled, serde_json::json!({ "${ArtifactsBucket}": ["s3://art/a", 1] }));
    }
}
