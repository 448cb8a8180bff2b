//! The CloudFormation calls the deployer makes, as a trait: the SDK implements it for real
//! (`sdk.rs`), and tests replay recorded CloudFormation responses through it for the states
//! a local stand-in cannot produce (rollbacks, stacks already in progress).

use std::collections::BTreeMap;

/// A stack as DescribeStacks reports it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StackInfo {
    pub status: String,
    pub reason: Option<String>,
    pub outputs: BTreeMap<String, String>,
    pub tags: BTreeMap<String, String>,
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
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ChangeSetInfo {
    pub status: String,
    pub reason: Option<String>,
    pub changes: Vec<Change>,
}

/// What CreateChangeSet gets.
#[derive(Clone, Debug)]
pub struct ChangeSetRequest {
    pub stack: String,
    pub name: String,
    pub template: String,
    /// CREATE or UPDATE.
    pub change_set_type: &'static str,
    pub tags: BTreeMap<String, String>,
    pub description: String,
}

/// CloudFormation, as the deployer uses it. Errors are messages a person can act on.
#[allow(async_fn_in_trait)]
pub trait CloudFormation {
    /// `None` when the stack does not exist.
    async fn describe(&self, stack: &str) -> Result<Option<StackInfo>, String>;
    /// The deployed template body, as sent.
    async fn template(&self, stack: &str) -> Result<String, String>;
    /// Events, newest first (the API's order).
    async fn events(&self, stack: &str) -> Result<Vec<Event>, String>;
    async fn create_change_set(&self, req: &ChangeSetRequest) -> Result<(), String>;
    async fn describe_change_set(&self, stack: &str, name: &str) -> Result<ChangeSetInfo, String>;
    async fn execute_change_set(&self, stack: &str, name: &str) -> Result<(), String>;
    async fn delete_change_set(&self, stack: &str, name: &str) -> Result<(), String>;
    async fn delete_stack(&self, stack: &str) -> Result<(), String>;
    async fn continue_update_rollback(&self, stack: &str) -> Result<(), String>;
}
