//! CloudFormation resource schemas, for raw resources (`cfn_resource!`) and construct
//! overrides: checked at compile time against a compact catalog derived from the schemas
//! cfn-lint ships (`data/cfn-types.txt`, see [`catalog`] for how it is kept and read).
//!
//! - [`lookup`] / [`check_type`]: the type exists (with "did you mean"; types are
//!   case-sensitive).
//! - [`Checker::check_properties`]: a `properties: { ... }` tree against the type.
//! - [`Checker::check_override`]: an override path (and value) against the type (the
//!   construct table says which resources a construct creates: `constructs::overrides`).
//! - [`ResourceType::check_attribute`]: `HANDLE.Attr` against the type's `Fn::GetAtt` names.
//!
//! Nothing is parsed until one of these is called.

pub mod catalog;
mod overrides;
mod properties;
mod refs;
#[cfg(test)]
mod tests;

pub use catalog::ResourceType;
pub use overrides::segments as override_segments;
pub use properties::Checker;
pub use refs::{is_substitution, sub_refs, AnyReference, RefProblem, References, SubRef};

use super::Problem;
use crate::diag::{did_you_mean, Diags};
use proc_macro2::Span;

/// Custom resources (`Custom::Anything`) share one schema: a `ServiceToken` and any other
/// properties.
const CUSTOM_RESOURCE: &str = "AWS::CloudFormation::CustomResource";

/// The resource type named `name`, or what is wrong with the name and what to write.
pub fn lookup(name: &str) -> Result<&'static ResourceType, Problem> {
    let key = if name.starts_with("Custom::") && name.len() > "Custom::".len() {
        CUSTOM_RESOURCE
    } else {
        name
    };
    match catalog::find(key) {
        Some(Ok(t)) => return Ok(t),
        Some(Err(e)) => {
            return Err((
                format!("the schema catalog's entry for `{name}` cannot be read: {e}"),
                "regenerate build-support/data/cfn-types.txt with scripts/gen-cfn-catalog".into(),
            ))
        }
        None => {}
    }
    if name.split("::").count() != 3 || name.split("::").any(str::is_empty) {
        return Err((
            format!("`{name}` is not a CloudFormation resource type"),
            "a resource type is written `AWS::Service::Resource`, e.g. \"AWS::SNS::Topic\"".into(),
        ));
    }
    if let Some(same) = catalog::type_names().find(|t| t.eq_ignore_ascii_case(name)) {
        return Err((
            format!("unknown resource type `{name}`; did you mean `{same}`?"),
            format!("resource types are case-sensitive: write \"{same}\""),
        ));
    }
    if let Some(close) = did_you_mean(name, catalog::type_names()) {
        return Err((
            format!("unknown resource type `{name}`; did you mean `{close}`?"),
            format!("write \"{close}\""),
        ));
    }
    let service = name.rsplit_once("::").map_or(name, |(s, _)| s);
    let prefix = format!("{service}::");
    let in_service: Vec<&str> = catalog::type_names().filter(|t| t.starts_with(&prefix)).collect();
    let help = if in_service.is_empty() {
        "check the name in the AWS resource and property types reference".to_string()
    } else {
        format!(
            "the {service} types are: {}",
            properties::list_names(in_service.into_iter())
        )
    };
    Err((format!("unknown resource type `{name}`"), help))
}

/// Like [`lookup`], reporting a problem on `span` (the type's token).
pub fn check_type(name: &str, span: Span, diags: &mut Diags) -> Option<&'static ResourceType> {
    match lookup(name) {
        Ok(t) => Some(t),
        Err((message, help)) => {
            diags.error_help(span, message, help);
            None
        }
    }
}

impl ResourceType {
    /// The type's name, e.g. `AWS::SNS::Topic`.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Property paths CloudFormation sets (`A`, `A/B`, `A/*/B` inside a list).
    pub fn read_only(&self) -> &[&'static str] {
        &self.read_only
    }

    /// Property paths whose change replaces the resource.
    pub fn create_only(&self) -> &[&'static str] {
        &self.create_only
    }

    /// The names of the top-level properties.
    pub fn property_names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.record(0).into_iter().flat_map(|r| r.names())
    }
}
