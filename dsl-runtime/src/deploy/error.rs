//! What can go wrong in a deploy or destroy, as a type: a blocked stack (with the next step),
//! a failed operation (with each resource's reason), an interruption (resumable), an AWS
//! error, and the failures of the other kinds of steps.

use super::status::StackStatus;
use crate::assets::AssetError;
use crate::aws::AwsError;
use std::fmt;

/// A resource CloudFormation could not create, update or delete, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourceFailure {
    pub logical_id: String,
    pub resource_type: String,
    pub status: String,
    pub reason: String,
}

#[derive(Debug)]
pub enum DeployError {
    /// The stack is in a state a deploy cannot go on from by itself; `next` says what to do.
    Blocked {
        stack: String,
        status: StackStatus,
        reason: Option<String>,
        next: String,
    },
    /// The operation ran and failed.
    Failed {
        stack: String,
        status: StackStatus,
        /// The stack's status reason, or the error of the call that failed.
        reason: Option<String>,
        resources: Vec<ResourceFailure>,
        next: String,
    },
    /// CloudFormation could not make a change set of the template.
    ChangeSetFailed { stack: String, reason: String },
    /// The user answered no, or there was no terminal to ask and no `--yes`: nothing changed.
    Declined { stack: String, action: String },
    /// Ctrl-C while this step ran: sparkform stopped watching, CloudFormation finishes what
    /// it started, and running the command again resumes.
    Interrupted { step: String },
    /// An AWS call failed.
    Aws(AwsError),
    /// An asset could not be built or uploaded.
    Asset { asset: String, error: Box<AssetError> },
    /// Kubernetes objects could not be applied or deleted.
    Kubernetes { group: String, message: String },
    /// A stack (or one of its outputs) that this step needs is not deployed.
    NotDeployed { stack: String, output: Option<String> },
    /// The command cannot be carried out as asked (an unknown stack, a missing feature).
    Invalid(String),
}

impl DeployError {
    /// The stack this error is about, when it is about one.
    pub fn stack(&self) -> Option<&str> {
        match self {
            DeployError::Blocked { stack, .. }
            | DeployError::Failed { stack, .. }
            | DeployError::ChangeSetFailed { stack, .. }
            | DeployError::Declined { stack, .. } => Some(stack),
            _ => None,
        }
    }
}

impl From<AwsError> for DeployError {
    fn from(e: AwsError) -> Self {
        DeployError::Aws(e)
    }
}

impl fmt::Display for DeployError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeployError::Blocked {
                stack,
                status,
                reason,
                next,
            } => {
                write!(f, "{stack} is {status}")?;
                if let Some(r) = reason.as_deref().filter(|r| !r.is_empty()) {
                    write!(f, " ({r})")?;
                }
                write!(f, " and was left as it is: {next}")
            }
            DeployError::Failed {
                stack,
                status,
                reason,
                resources,
                next,
            } => {
                write!(f, "{stack} failed: {status}")?;
                if resources.is_empty() {
                    let why = reason.as_deref().unwrap_or("CloudFormation gave no reason");
                    write!(f, "\n  {why}")?;
                }
                for r in resources {
                    write!(f, "\n  {} ({}): {}", r.logical_id, r.resource_type, r.reason)?;
                }
                if !next.is_empty() {
                    write!(f, "\n{next}")?;
                }
                Ok(())
            }
            DeployError::ChangeSetFailed { stack, reason } => write!(f, "{stack}: the change set failed: {reason}"),
            DeployError::Declined { stack, action } => write!(
                f,
                "{stack}: not {action} (nothing was changed); run the command with --yes to go ahead without asking"
            ),
            DeployError::Interrupted { step } => write!(
                f,
                "interrupted while {step} ran. CloudFormation finishes what it started; run the same command again to resume (it waits for stacks still in progress)"
            ),
            DeployError::Aws(e) => e.fmt(f),
            DeployError::Asset { asset, error } => write!(f, "{asset}: {error}"),
            DeployError::Kubernetes { group, message } => write!(f, "Kubernetes objects {group}: {message}"),
            DeployError::NotDeployed { stack, output: None } => {
                write!(f, "stack {stack} is not deployed; run `deploy` first")
            }
            DeployError::NotDeployed {
                stack,
                output: Some(o),
            } => write!(f, "stack {stack} has no output {o}; deploy it again (`deploy {stack}`)"),
            DeployError::Invalid(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for DeployError {}
