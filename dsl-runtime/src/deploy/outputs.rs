//! Stack outputs, read once per stack and shared by every step of a run (asset buckets,
//! cluster names) and by the job commands.

use super::api::CloudFormation;
use super::error::DeployError;
use crate::assembly::{Assembly, ValueRef};
use std::collections::BTreeMap;
use std::sync::Mutex;

pub struct Outputs<'a, C> {
    asm: &'a Assembly,
    cfn: &'a C,
    by_stack: Mutex<BTreeMap<String, BTreeMap<String, String>>>,
}

impl<'a, C: CloudFormation> Outputs<'a, C> {
    pub fn new(asm: &'a Assembly, cfn: &'a C) -> Self {
        Outputs {
            asm,
            cfn,
            by_stack: Mutex::new(BTreeMap::new()),
        }
    }

    /// The outputs a step just got for `stack` (no need to read them again).
    pub fn seed(&self, stack: &str, outputs: &BTreeMap<String, String>) {
        if let Ok(mut m) = self.by_stack.lock() {
            m.insert(stack.to_string(), outputs.clone());
        }
    }

    fn cached(&self, stack: &str) -> Option<BTreeMap<String, String>> {
        self.by_stack.lock().ok()?.get(stack).cloned()
    }

    pub async fn get(&self, stack: &str, output: &str) -> Result<String, DeployError> {
        let outputs = match self.cached(stack) {
            Some(o) => o,
            None => {
                let info = self
                    .cfn
                    .describe(stack)
                    .await?
                    .ok_or_else(|| DeployError::NotDeployed {
                        stack: stack.into(),
                        output: None,
                    })?;
                self.seed(stack, &info.outputs);
                info.outputs
            }
        };
        if let Some(v) = outputs.get(output) {
            return Ok(v.clone());
        }
        if let Some(p) = ref_fallback(self.asm, self.cfn, stack, output).await? {
            return Ok(p);
        }
        Err(DeployError::NotDeployed {
            stack: stack.into(),
            output: Some(output.into()),
        })
    }

    pub async fn resolve(&self, r: &ValueRef) -> Result<String, DeployError> {
        match r {
            ValueRef::Literal { value } => Ok(value.clone()),
            ValueRef::Output { stack, output } => self.get(stack, output).await,
        }
    }
}

/// An output the deployed stack does not report, when it is a `Ref` in the built template:
/// the resource's physical id. Some CloudFormation stand-ins (moto) leave the outputs of a
/// stack created through a change set empty.
pub async fn ref_fallback<C: CloudFormation>(
    asm: &Assembly,
    cfn: &C,
    stack: &str,
    output: &str,
) -> Result<Option<String>, DeployError> {
    let id = asm
        .stack(stack)
        .and_then(|entry| asm.templates.get(&entry.template))
        .and_then(|t| t["Outputs"][output]["Value"]["Ref"].as_str().map(str::to_string));
    let Some(id) = id else { return Ok(None) };
    let resources = cfn.resources(stack).await?;
    Ok(resources
        .iter()
        .find(|r| r.logical_id == id)
        .and_then(|r| r.physical_id.clone()))
}
