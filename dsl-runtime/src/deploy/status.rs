//! CloudFormation's stack and change-set statuses as types, with the questions the deployer
//! asks of them: is an operation still running, did the last one fail, is the stack blocked.

use std::fmt;

macro_rules! statuses {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $text:literal,)* }) => {
        $(#[$m])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $($variant,)*
            /// A status this sparkform does not know (a newer API), kept as sent.
            Other(String),
        }

        impl $name {
            pub fn parse(text: &str) -> $name {
                match text {
                    $($text => $name::$variant,)*
                    other => $name::Other(other.to_string()),
                }
            }

            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $text,)*
                    $name::Other(s) => s,
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

statuses!(
    /// A stack's status (DescribeStacks `StackStatus`).
    StackStatus {
        CreateInProgress = "CREATE_IN_PROGRESS",
        CreateFailed = "CREATE_FAILED",
        CreateComplete = "CREATE_COMPLETE",
        RollbackInProgress = "ROLLBACK_IN_PROGRESS",
        RollbackFailed = "ROLLBACK_FAILED",
        RollbackComplete = "ROLLBACK_COMPLETE",
        DeleteInProgress = "DELETE_IN_PROGRESS",
        DeleteFailed = "DELETE_FAILED",
        DeleteComplete = "DELETE_COMPLETE",
        UpdateInProgress = "UPDATE_IN_PROGRESS",
        UpdateCompleteCleanupInProgress = "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS",
        UpdateComplete = "UPDATE_COMPLETE",
        UpdateFailed = "UPDATE_FAILED",
        UpdateRollbackInProgress = "UPDATE_ROLLBACK_IN_PROGRESS",
        UpdateRollbackFailed = "UPDATE_ROLLBACK_FAILED",
        UpdateRollbackCompleteCleanupInProgress = "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS",
        UpdateRollbackComplete = "UPDATE_ROLLBACK_COMPLETE",
        ReviewInProgress = "REVIEW_IN_PROGRESS",
        ImportInProgress = "IMPORT_IN_PROGRESS",
        ImportComplete = "IMPORT_COMPLETE",
        ImportRollbackInProgress = "IMPORT_ROLLBACK_IN_PROGRESS",
        ImportRollbackFailed = "IMPORT_ROLLBACK_FAILED",
        ImportRollbackComplete = "IMPORT_ROLLBACK_COMPLETE",
    }
);

impl StackStatus {
    /// No operation is running on the stack. `REVIEW_IN_PROGRESS` is settled too (a stack
    /// created for a change set that has not run); after an execution it means "not started
    /// yet", which [`super::stack`] checks through the change set.
    pub fn is_settled(&self) -> bool {
        !self.as_str().ends_with("_IN_PROGRESS") || *self == StackStatus::ReviewInProgress
    }

    /// The last operation failed (or was rolled back).
    pub fn is_failure(&self) -> bool {
        let s = self.as_str();
        s.ends_with("_FAILED") || s.contains("ROLLBACK")
    }

    /// A deploy cannot go on from here without a decision or a fix: a failed first creation
    /// (deleted and created again, with consent), a failed rollback (continued), failed deletes
    /// (the resources must be fixed by hand), or a stack created for a change set that never
    /// ran (deleted and created again, with consent).
    pub fn is_blocked(&self) -> bool {
        matches!(
            self,
            StackStatus::RollbackComplete
                | StackStatus::RollbackFailed
                | StackStatus::DeleteFailed
                | StackStatus::UpdateRollbackFailed
                | StackStatus::ImportRollbackFailed
                | StackStatus::ReviewInProgress
        )
    }

    /// What to do about a blocked status, in a few words.
    pub fn next_step(&self) -> &'static str {
        match self {
            StackStatus::RollbackComplete => {
                "its first creation failed and CloudFormation cannot update it: delete it and create it again (it holds no data); run deploy with --yes to do that"
            }
            StackStatus::ReviewInProgress => {
                "it was created for a change set that never ran, so it has no resources: delete it and create it again; run deploy with --yes to do that"
            }
            StackStatus::UpdateRollbackFailed => "deploy again: sparkform continues the rollback",
            StackStatus::DeleteFailed | StackStatus::RollbackFailed | StackStatus::ImportRollbackFailed => {
                "fix or remove the resources CloudFormation could not delete (see its events), then run destroy again"
            }
            _ => "",
        }
    }
}

statuses!(
    /// A change set's status (DescribeChangeSet `Status`).
    ChangeSetStatus {
        CreatePending = "CREATE_PENDING",
        CreateInProgress = "CREATE_IN_PROGRESS",
        CreateComplete = "CREATE_COMPLETE",
        DeletePending = "DELETE_PENDING",
        DeleteInProgress = "DELETE_IN_PROGRESS",
        DeleteComplete = "DELETE_COMPLETE",
        DeleteFailed = "DELETE_FAILED",
        Failed = "FAILED",
    }
);

impl ChangeSetStatus {
    /// CloudFormation has finished creating (or failed to create) the change set.
    pub fn is_settled(&self) -> bool {
        !matches!(self, ChangeSetStatus::CreatePending | ChangeSetStatus::CreateInProgress)
    }
}

statuses!(
    /// Whether a change set can run, runs or ran (DescribeChangeSet `ExecutionStatus`).
    ExecutionStatus {
        Unavailable = "UNAVAILABLE",
        Available = "AVAILABLE",
        ExecuteInProgress = "EXECUTE_IN_PROGRESS",
        ExecuteComplete = "EXECUTE_COMPLETE",
        ExecuteFailed = "EXECUTE_FAILED",
        Obsolete = "OBSOLETE",
    }
);

impl ExecutionStatus {
    /// The execution has begun (or already ended).
    pub fn has_started(&self) -> bool {
        matches!(
            self,
            ExecutionStatus::ExecuteInProgress | ExecutionStatus::ExecuteComplete | ExecutionStatus::ExecuteFailed
        )
    }

    /// The execution has ended.
    pub fn has_ended(&self) -> bool {
        matches!(self, ExecutionStatus::ExecuteComplete | ExecutionStatus::ExecuteFailed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_every_status() {
        for s in [
            "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS",
            "REVIEW_IN_PROGRESS",
            "CREATE_COMPLETE",
        ] {
            assert_eq!(StackStatus::parse(s).as_str(), s);
            assert!(!matches!(StackStatus::parse(s), StackStatus::Other(_)));
        }
        assert_eq!(StackStatus::parse("NEW_STATE"), StackStatus::Other("NEW_STATE".into()));
        assert_eq!(
            ExecutionStatus::parse("EXECUTE_COMPLETE"),
            ExecutionStatus::ExecuteComplete
        );
    }

    #[test]
    fn questions() {
        use StackStatus::*;
        assert!(CreateComplete.is_settled() && ReviewInProgress.is_settled());
        assert!(!UpdateCompleteCleanupInProgress.is_settled() && !CreateInProgress.is_settled());
        assert!(RollbackComplete.is_failure() && UpdateRollbackComplete.is_failure() && !UpdateComplete.is_failure());
        assert!(RollbackComplete.is_blocked() && ReviewInProgress.is_blocked() && UpdateRollbackFailed.is_blocked());
        assert!(!UpdateRollbackComplete.is_blocked() && !CreateComplete.is_blocked());
        assert!(ReviewInProgress.next_step().contains("--yes"));
    }
}
