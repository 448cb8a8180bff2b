//! The embedded cloud assembly, as build.rs wrote it: the contract's manifest
//! ([`sparkform_assembly`]) and the templates, plus what only the runtime needs of them.

use serde_json::Value;
pub use sparkform_assembly::{
    Asset, AssetSource, ConstructEntry, Job, KubeGroup, LocalRun, Manifest, Service, Stack, ValueRef, VenvRecipe,
    VersionError,
};
use std::collections::BTreeMap;

#[derive(Debug, Clone)]
pub struct Assembly {
    pub manifest: Manifest,
    /// Template file name -> template document.
    pub templates: BTreeMap<String, Value>,
}

impl Assembly {
    /// Reads the document build.rs embedded. One written by another sparkform (another
    /// manifest version) is refused with the contract's message, which says to rebuild.
    pub fn from_embedded(json: &str) -> Result<Assembly, VersionError> {
        let e = sparkform_assembly::Embedded::from_json(json)?;
        if let Some(s) = e
            .manifest
            .stacks
            .iter()
            .find(|s| !e.templates.contains_key(&s.template))
        {
            return Err(VersionError::Invalid(format!(
                "the template of stack {} is missing",
                s.name
            )));
        }
        Ok(Assembly {
            manifest: e.manifest,
            templates: e.templates,
        })
    }

    /// The template of a stack, as JSON text exactly as build.rs wrote it (every stack has
    /// one: [`Assembly::from_embedded`] checks).
    pub fn template_text(&self, stack: &Stack) -> String {
        let mut s = self
            .templates
            .get(&stack.template)
            .and_then(|t| serde_json::to_string_pretty(t).ok())
            .unwrap_or_default();
        s.push('\n');
        s
    }

    pub fn stack(&self, name: &str) -> Option<&Stack> {
        self.manifest.stack(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn another_manifest_version_is_refused_with_what_to_do() {
        let old = r#"{"manifest": {"version": 1, "crate": "app", "stacks": []}, "templates": {}}"#;
        let err = Assembly::from_embedded(old).unwrap_err();
        assert_eq!(err, VersionError::Other { found: 1 });
        let text = err.to_string();
        assert!(
            text.contains("manifest version 1") && text.contains("cargo build"),
            "{text}"
        );
        assert!(matches!(
            Assembly::from_embedded("not json"),
            Err(VersionError::Invalid(_))
        ));
    }
}
