//! Value checks shared by every construct. Each returns a message and a hint, so the
//! caller can point the error at the right token.

pub mod capacity;
pub mod cfn_schema;
pub mod cidr;
pub mod iam;
pub mod kubernetes;
pub mod logs;
pub mod names;
pub mod regions;
pub mod release;
pub mod schedule;
pub mod spark_submit;

/// A failed check: what is wrong, and what to do about it.
pub type Problem = (String, String);
