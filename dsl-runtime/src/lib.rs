//! sparkform: declare Spark-on-AWS infrastructure with macros inside your crate.
//!
//! A user crate depends on `sparkform` and has `sparkform-build` as a build-dependency
//! whose `build.rs` calls `sparkform_build::synthesize()`. The macros re-exported here
//! expand to the typed handles in [`handles`]; [`cli::main`] is the app's command line.

pub mod assembly;
#[cfg(feature = "deploy")]
pub mod assets;
#[cfg(feature = "deploy")]
pub mod aws;
pub mod cli;
#[cfg(feature = "deploy")]
pub mod deploy;
pub mod handles;
#[cfg(feature = "deploy")]
pub mod jobs;
#[cfg(feature = "deploy")]
pub mod local;
#[cfg(feature = "pipeline")]
pub mod pipeline;

pub use assembly::Assembly;
pub use handles::*;
pub use sparkform_macros::{cicd_pipeline, pyspark_package, spark_job, spark_serverless_runtime};

/// Everything a user crate needs: `use sparkform::prelude::*;`.
pub mod prelude {
    pub use crate::handles::*;
    pub use sparkform_macros::{cicd_pipeline, pyspark_package, spark_job, spark_serverless_runtime};
}

/// The cloud assembly that build.rs synthesized, embedded in the binary.
#[macro_export]
macro_rules! embedded_assembly {
    () => {
        $crate::Assembly::from_embedded(include_str!(concat!(env!("OUT_DIR"), "/sparkform-assembly.json")))
    };
}

/// The whole `main` of a sparkform app: `sparkform::main!();`.
#[macro_export]
macro_rules! main {
    () => {
        fn main() -> ::std::process::ExitCode {
            $crate::cli::main($crate::embedded_assembly!())
        }
    };
}
