//! `CloudFormation` on the AWS SDK.

use super::api::{Change, ChangeSetInfo, ChangeSetRequest, CloudFormation, Event, Resource, StackInfo};
use super::status::{ChangeSetStatus, ExecutionStatus, StackStatus};
use crate::aws::AwsError;
use aws_sdk_cloudformation::types::{Capability, ChangeSetType, Tag, TemplateStage};

/// The SDK client as the deployer's `CloudFormation`.
#[derive(Clone, Debug)]
pub struct Sdk(pub aws_sdk_cloudformation::Client);

impl CloudFormation for Sdk {
    async fn describe(&self, stack: &str) -> Result<Option<StackInfo>, AwsError> {
        match self.0.describe_stacks().stack_name(stack).send().await {
            Ok(out) => Ok(out.stacks().first().map(|s| StackInfo {
                status: StackStatus::parse(s.stack_status().map(|x| x.as_str()).unwrap_or_default()),
                reason: s.stack_status_reason().map(str::to_string),
                outputs: s
                    .outputs()
                    .iter()
                    .filter_map(|o| {
                        Some((
                            o.output_key()?.to_string(),
                            o.output_value().unwrap_or_default().to_string(),
                        ))
                    })
                    .collect(),
                tags: s
                    .tags()
                    .iter()
                    .filter_map(|t| Some((t.key()?.to_string(), t.value()?.to_string())))
                    .collect(),
            })),
            Err(e) => {
                let e = AwsError::from_sdk(format!("describe stack {stack}"), &e);
                if e.is_missing() {
                    Ok(None)
                } else {
                    Err(e)
                }
            }
        }
    }

    async fn template(&self, stack: &str) -> Result<String, AwsError> {
        let out = self
            .0
            .get_template()
            .stack_name(stack)
            .template_stage(TemplateStage::Original)
            .send()
            .await
            .map_err(|e| AwsError::from_sdk(format!("read the deployed template of {stack}"), &e))?;
        Ok(out.template_body().unwrap_or_default().to_string())
    }

    async fn events(&self, stack: &str) -> Result<Vec<Event>, AwsError> {
        let out = self
            .0
            .describe_stack_events()
            .stack_name(stack)
            .send()
            .await
            .map_err(|e| AwsError::from_sdk(format!("read the events of {stack}"), &e))?;
        Ok(out
            .stack_events()
            .iter()
            .map(|e| Event {
                id: e.event_id().unwrap_or_default().to_string(),
                time_ms: e.timestamp().and_then(|t| t.to_millis().ok()).unwrap_or_default(),
                logical_id: e.logical_resource_id().unwrap_or_default().to_string(),
                resource_type: e.resource_type().unwrap_or_default().to_string(),
                status: e.resource_status().map(|s| s.as_str().to_string()).unwrap_or_default(),
                reason: e.resource_status_reason().map(str::to_string),
            })
            .collect())
    }

    async fn resources(&self, stack: &str) -> Result<Vec<Resource>, AwsError> {
        let out = self
            .0
            .list_stack_resources()
            .stack_name(stack)
            .send()
            .await
            .map_err(|e| AwsError::from_sdk(format!("list the resources of {stack}"), &e))?;
        Ok(out
            .stack_resource_summaries()
            .iter()
            .map(|r| Resource {
                logical_id: r.logical_resource_id().unwrap_or_default().to_string(),
                physical_id: r.physical_resource_id().filter(|p| !p.is_empty()).map(str::to_string),
                resource_type: r.resource_type().unwrap_or_default().to_string(),
            })
            .collect())
    }

    async fn create_change_set(&self, req: &ChangeSetRequest) -> Result<(), AwsError> {
        let tags = req
            .tags
            .iter()
            .map(|(k, v)| Tag::builder().key(k).value(v).build())
            .collect();
        self.0
            .create_change_set()
            .stack_name(&req.stack)
            .change_set_name(&req.name)
            .template_body(&req.template)
            .change_set_type(ChangeSetType::from(req.change_set_type.as_str()))
            .capabilities(Capability::CapabilityIam)
            .capabilities(Capability::CapabilityNamedIam)
            .set_tags(Some(tags))
            .description(&req.description)
            .send()
            .await
            .map_err(|e| AwsError::from_sdk(format!("create a change set for {}", req.stack), &e))?;
        Ok(())
    }

    async fn describe_change_set(&self, stack: &str, name: &str) -> Result<ChangeSetInfo, AwsError> {
        let out = self
            .0
            .describe_change_set()
            .stack_name(stack)
            .change_set_name(name)
            .send()
            .await
            .map_err(|e| AwsError::from_sdk(format!("read change set {name} of {stack}"), &e))?;
        Ok(ChangeSetInfo {
            status: ChangeSetStatus::parse(out.status().map(|s| s.as_str()).unwrap_or_default()),
            execution_status: ExecutionStatus::parse(out.execution_status().map(|s| s.as_str()).unwrap_or_default()),
            reason: out.status_reason().map(str::to_string),
            changes: out
                .changes()
                .iter()
                .filter_map(|c| c.resource_change())
                .map(|r| Change {
                    action: r.action().map(|a| a.as_str().to_string()).unwrap_or_default(),
                    logical_id: r.logical_resource_id().unwrap_or_default().to_string(),
                    resource_type: r.resource_type().unwrap_or_default().to_string(),
                    replacement: r.replacement().map(|x| x.as_str().to_string()),
                })
                .collect(),
        })
    }

    async fn execute_change_set(&self, stack: &str, name: &str) -> Result<(), AwsError> {
        self.0
            .execute_change_set()
            .stack_name(stack)
            .change_set_name(name)
            .send()
            .await
            .map_err(|e| AwsError::from_sdk(format!("execute change set {name} of {stack}"), &e))?;
        Ok(())
    }

    async fn delete_change_set(&self, stack: &str, name: &str) -> Result<(), AwsError> {
        self.0
            .delete_change_set()
            .stack_name(stack)
            .change_set_name(name)
            .send()
            .await
            .map_err(|e| AwsError::from_sdk(format!("delete change set {name} of {stack}"), &e))?;
        Ok(())
    }

    async fn delete_stack(&self, stack: &str) -> Result<(), AwsError> {
        self.0
            .delete_stack()
            .stack_name(stack)
            .send()
            .await
            .map_err(|e| AwsError::from_sdk(format!("delete stack {stack}"), &e))?;
        Ok(())
    }

    async fn continue_update_rollback(&self, stack: &str) -> Result<(), AwsError> {
        self.0
            .continue_update_rollback()
            .stack_name(stack)
            .send()
            .await
            .map_err(|e| AwsError::from_sdk(format!("continue the rollback of {stack}"), &e))?;
        Ok(())
    }
}
