//! The cloud-assembly contract: everything `sparkform-build` writes at compile time and the
//! `sparkform` runtime reads when it deploys and runs jobs. One definition, used on both
//! sides, so the two can never drift; [`MANIFEST_VERSION`] is checked when reading.
//!
//! - [`manifest`]: the manifest, its stacks and the constructs in them.
//! - [`value_ref`]: values known at build time or read from stack outputs at run time.
//! - [`placeholder`]: the `${Name}` placeholders the runtime fills, and [`placeholder::fill`].
//! - [`assets`]: files the runtime uploads (with the one ignore list and the venv recipe).
//! - [`jobs`]: what `run`, `status` and `logs` need for each job.
//! - [`kubernetes`]: manifests the runtime applies to EKS clusters.
//! - [`pipeline`]: a CI/CD pipeline's stages, build commands and target-account stacks.
//! - [`steps`]: the deploy graph of typed steps, derived from the manifest.

pub mod assets;
pub mod jobs;
pub mod kubernetes;
pub mod manifest;
pub mod pipeline;
pub mod placeholder;
pub mod steps;
pub mod value_ref;

pub use assets::{Asset, AssetSource, VenvRecipe};
pub use jobs::{Job, LocalRun, Service};
pub use kubernetes::{KubeGroup, KubeNetwork, RemoteCrd};
pub use manifest::{ConstructEntry, Embedded, Manifest, Stack, VersionError, MANIFEST_VERSION};
pub use pipeline::Pipeline;
pub use placeholder::{Bindings, Placeholder};
pub use steps::{Graph, Step};
pub use value_ref::ValueRef;

/// The file in `OUT_DIR` that build.rs writes and the binary embeds.
pub const EMBEDDED_FILE: &str = "sparkform-assembly.json";
/// The manifest's file name in the cloud-assembly directory.
pub const MANIFEST_FILE: &str = "manifest.json";
