//! References to other handles: `HANDLE` (CloudFormation's `Ref`), `HANDLE.Attr` (its
//! `Fn::GetAtt`), and the same inside strings as `${HANDLE}` / `${HANDLE.Attr}` (`Fn::Sub`).
//! The checker does not know the handles; the caller does, through [`References`].

use super::catalog::ResourceType;
use super::properties::{closest, hint};
use crate::checks::Problem;

/// Why a reference was refused; each is reported on its own token.
#[derive(Debug, Clone, PartialEq)]
pub enum RefProblem {
    /// No handle has this name.
    UnknownHandle(Problem),
    /// The handle exists but has no such attribute.
    UnknownAttribute(Problem),
}

/// Resolves the handles a property tree refers to. The construct table implements it;
/// [`ResourceType::check_attribute`] answers for a raw CloudFormation resource's handle.
pub trait References {
    /// `attr` is `None` for a bare `HANDLE` (a `Ref`), else the attribute as written
    /// (`TopicArn`, or `Endpoint.Address` for a nested one).
    fn check(&self, handle: &str, attr: Option<&str>) -> Result<(), RefProblem>;
}

/// Accepts every reference: for callers that check references elsewhere.
pub struct AnyReference;

impl References for AnyReference {
    fn check(&self, _: &str, _: Option<&str>) -> Result<(), RefProblem> {
        Ok(())
    }
}

/// One `${...}` reference in a string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubRef<'s> {
    pub handle: &'s str,
    pub attr: Option<&'s str>,
}

/// The handle references in a `Fn::Sub`-style string. `${!Text}` (a literal `${Text}`)
/// and pseudo parameters (`${AWS::Region}`) are not references; an unclosed `${` is text.
pub fn sub_refs(s: &str) -> Vec<SubRef<'_>> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else { break };
        let inner = after[..end].trim();
        rest = &after[end + 1..];
        if inner.is_empty() || inner.starts_with('!') || inner.starts_with("AWS::") {
            continue;
        }
        out.push(match inner.split_once('.') {
            Some((h, a)) => SubRef {
                handle: h,
                attr: Some(a),
            },
            None => SubRef {
                handle: inner,
                attr: None,
            },
        });
    }
    out
}

/// Whether the string holds `${...}` at all (references or pseudo parameters): its value
/// is then known only at deploy time, so kind, enum and pattern checks do not apply.
pub fn is_substitution(s: &str) -> bool {
    s.match_indices("${").any(|(i, _)| {
        let after = &s[i + 2..];
        !after.starts_with('!') && after.contains('}')
    })
}

fn attr_matches(pattern: &str, attr: &str) -> bool {
    let p: Vec<&str> = pattern.split('.').collect();
    let a: Vec<&str> = attr.split('.').collect();
    if p.last() == Some(&"*") {
        let fixed = &p[..p.len() - 1];
        return a.len() > fixed.len() && fixed.iter().zip(&a).all(|(x, y)| *x == "*" || x == y);
    }
    p.len() == a.len() && p.iter().zip(&a).all(|(x, y)| *x == "*" || x == y)
}

impl ResourceType {
    /// The `Fn::GetAtt` names (a `*` segment stands for any).
    pub fn attributes(&self) -> impl Iterator<Item = &str> {
        self.attributes.iter().map(String::as_str)
    }

    /// Whether `HANDLE.attr` names an attribute of this type.
    pub fn check_attribute(&self, attr: &str) -> Result<(), Problem> {
        if self.attributes.iter().any(|p| attr_matches(p, attr)) {
            return Ok(());
        }
        let plain = || self.attributes.iter().map(String::as_str).filter(|a| !a.contains('*'));
        if self.attributes.is_empty() {
            return Err((
                format!("{} has no attributes to read", self.name),
                "refer to the resource itself (its `Ref`) by writing the handle alone".into(),
            ));
        }
        let hint = hint(closest(attr, plain()));
        Err((
            format!("{} has no attribute `{attr}`{hint}", self.name),
            format!(
                "its attributes are: {}",
                self.attributes
                    .iter()
                    .map(|a| a.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_references_in_strings() {
        let refs = sub_refs("arn:${AWS::Partition}:sns:${ALERTS.TopicArn}/${ BUCKET }/${!Literal}/${open");
        assert_eq!(
            refs,
            vec![
                SubRef {
                    handle: "ALERTS",
                    attr: Some("TopicArn")
                },
                SubRef {
                    handle: "BUCKET",
                    attr: None
                },
            ]
        );
        assert_eq!(
            sub_refs("${DB.Endpoint.Address}"),
            vec![SubRef {
                handle: "DB",
                attr: Some("Endpoint.Address")
            }]
        );
        assert!(sub_refs("no refs, just $ and {}").is_empty());
        assert!(is_substitution("${AWS::Region}-x"));
        assert!(!is_substitution("${!NotARef}"));
        assert!(!is_substitution("${unclosed"));
        assert!(is_substitution("${!Literal} and ${AWS::Region}"));
    }

    #[test]
    fn attribute_wildcards() {
        assert!(attr_matches("Outputs.*", "Outputs.BucketName"));
        assert!(!attr_matches("Outputs.*", "Outputs"));
        assert!(attr_matches("*", "Anything"));
        assert!(attr_matches("Treatments.*.Key", "Treatments.0.Key"));
        assert!(!attr_matches("Endpoint.Address", "Endpoint"));
    }
}
