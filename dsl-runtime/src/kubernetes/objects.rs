//! One object of a group, read from the assembly's JSON: what the API paths need.

use super::KubeError;
use serde_json::Value;
use sparkform_assembly::KubeGroup;

#[derive(Clone, Debug)]
pub struct Object<'a> {
    pub api_version: String,
    pub kind: String,
    pub name: String,
    pub namespace: Option<String>,
    pub value: &'a Value,
}

impl<'a> Object<'a> {
    /// The `index`th object of `group`, checked for what every Kubernetes object has.
    pub fn parse(group: &KubeGroup, index: usize, value: &'a Value) -> Result<Object<'a>, KubeError> {
        let bad = |reason: &str| KubeError::BadObject {
            group: group.id.clone(),
            index,
            reason: reason.to_string(),
        };
        let text = |v: &Value, what: &str| -> Result<String, KubeError> {
            match v.as_str() {
                Some(s) if !s.is_empty() => Ok(s.to_string()),
                _ => Err(bad(&format!("it has no {what}"))),
            }
        };
        if !value.is_object() {
            return Err(bad("it is not a JSON object"));
        }
        Ok(Object {
            api_version: text(&value["apiVersion"], "apiVersion")?,
            kind: text(&value["kind"], "kind")?,
            name: text(&value["metadata"]["name"], "metadata.name")?,
            namespace: value["metadata"]["namespace"].as_str().map(str::to_string),
            value,
        })
    }

    /// `Kind/namespace/name`, as progress lines and errors name it.
    pub fn describe(&self) -> String {
        KubeGroup::describe(self.value)
    }
}
