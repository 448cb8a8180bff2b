//! Model pieces shared by the constructs: the crate context, handles, removal policy and
//! tags (`common`), IAM statements and role references (`iam`), EMR configuration
//! classifications, and the VPC a runtime creates. Each construct's own model is in its
//! folder under `constructs/`.

pub mod classification;
pub mod common;
pub mod iam;
pub mod vpc;

pub use common::{Context, Handle, Removal};
