//! The CloudFormation calls the deployer makes, as a trait: the SDK implements it for real
//! (`sdk.rs`), and tests replay recorded CloudFormation responses through it for the states
//! a local stand-in cannot produce (rollbacks, stacks already in progress, slow starts).

use super::status::{ChangeSetStatus, ExecutionStatus, StackStatus};
use crate::aws::AwsError;
use std::collections::BTreeMap;

/// A stack as DescribeStacks reports it.
#[derive(Clone, Debug, PartialEq)]
pub struct StackInfo {
    pub status: StackStatus,
    pub reason: Option<String>,
    pub outputs: BTreeMap<String, String>,
    pub tags: BTreeMap<String, String>,
}

impl StackInfo {
    /// A stack in `status` with nothing else known.
    pub fn with_status(status: StackStatus) -> StackInfo {
        StackInfo {
            status,
            reason: None,
            outputs: BTreeMap::new(),
            tags: BTreeMap::new(),
        }
    }
}

/// One stack event (DescribeStackEvents).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Event {
    pub id: String,
    /// Milliseconds since the Unix epoch.
    pub time_ms: i64,
    pub logical_id: String,
    pub resource_type: String,
    pub status: String,
    pub reason: Option<String>,
}

/// One resource change in a change set.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Change {
    /// Add, Modify, Remove, Import, Dynamic.
    pub action: String,
    pub logical_id: String,
    pub resource_type: String,
    /// True, False or Conditional (CloudFormation's answer; stand-ins may leave it out).
    pub replacement: Option<String>,
}

/// A change set (DescribeChangeSet).
#[derive(Clone, Debug, PartialEq)]
pub struct ChangeSetInfo {
    pub status: ChangeSetStatus,
    pub execution_status: ExecutionStatus,
    pub reason: Option<String>,
    pub changes: Vec<Change>,
}

/// A resource of a deployed stack (ListStackResources).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Resource {
    pub logical_id: String,
    pub physical_id: Option<String>,
    pub resource_type: String,
}

/// CREATE or UPDATE.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeSetType {
    Create,
    Update,
}

impl ChangeSetType {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeSetType::Create => "CREATE",
            ChangeSetType::Update => "UPDATE",
        }
    }
}

/// What CreateChangeSet gets.
#[derive(Clone, Debug)]
pub struct ChangeSetRequest {
    pub stack: String,
    pub name: String,
    pub template: String,
    pub change_set_type: ChangeSetType,
    pub tags: BTreeMap<String, String>,
    pub description: String,
}

/// CloudFormation, as the deployer uses it.
#[allow(async_fn_in_trait)]
pub trait CloudFormation {
    /// `None` when the stack does not exist.
    async fn describe(&self, stack: &str) -> Result<Option<StackInfo>, AwsError>;
    /// The deployed template body, as sent.
    async fn template(&self, stack: &str) -> Result<String, AwsError>;
    /// Events, newest first (the API's order).
    async fn events(&self, stack: &str) -> Result<Vec<Event>, AwsError>;
    /// The stack's resources.
    async fn resources(&self, stack: &str) -> Result<Vec<Resource>, AwsError>;
    async fn create_change_set(&self, req: &ChangeSetRequest) -> Result<(), AwsError>;
    async fn describe_change_set(&self, stack: &str, name: &str) -> Result<ChangeSetInfo, AwsError>;
    async fn execute_change_set(&self, stack: &str, name: &str) -> Result<(), AwsError>;
    async fn delete_change_set(&self, stack: &str, name: &str) -> Result<(), AwsError>;
    async fn delete_stack(&self, stack: &str) -> Result<(), AwsError>;
    async fn continue_update_rollback(&self, stack: &str) -> Result<(), AwsError>;
}
