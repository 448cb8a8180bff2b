//! A value known when the app is built, or one a deployed stack's output holds.

use serde::{Deserialize, Serialize};

/// Serialized as `{"value": "..."}` or `{"stack": "...", "output": "..."}`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(untagged)]
pub enum ValueRef {
    Literal { value: String },
    Output { stack: String, output: String },
}

impl ValueRef {
    pub fn literal(value: impl Into<String>) -> ValueRef {
        ValueRef::Literal { value: value.into() }
    }

    pub fn output(stack: impl Into<String>, output: impl Into<String>) -> ValueRef {
        ValueRef::Output {
            stack: stack.into(),
            output: output.into(),
        }
    }

    /// The stack whose output this is, if it is one.
    pub fn stack(&self) -> Option<&str> {
        match self {
            ValueRef::Output { stack, .. } => Some(stack),
            ValueRef::Literal { .. } => None,
        }
    }
}
