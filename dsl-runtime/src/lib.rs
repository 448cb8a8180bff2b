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

pub use assembly::Assembly;
pub use handles::*;
pub use sparkform_macros::{pyspark_package, spark_job, spark_serverless_runtime};

/// Everything a user crate needs: `use sparkform::prelude::*;`.
pub mod prelude {
    pub use crate::handles::*;
    pub use sparkform_macros::{pyspark_package, spark_job, spark_serverless_runtime};
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

// A construct that needs an optional feature emits `::sparkform::__requires_<feature>!(...)`
// on the field that needs it: nothing when sparkform has the feature, otherwise a compile
// error there that says how to enable it (a proc macro cannot see this crate's features).
// The argument says what needs the feature, as a string literal.

#[cfg(feature = "docker")]
#[doc(hidden)]
#[macro_export]
macro_rules! __requires_docker {
    ($what:literal) => {};
}

#[cfg(not(feature = "docker"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __requires_docker {
    ($what:literal) => {
        ::core::compile_error!(::core::concat!(
            $what,
            " needs sparkform's `docker` feature (the virtualenv is built in Docker): add ",
            "`features = [\"docker\"]` to the sparkform dependency in Cargo.toml"
        ));
    };
}

#[cfg(feature = "kubernetes")]
#[doc(hidden)]
#[macro_export]
macro_rules! __requires_kubernetes {
    ($what:literal) => {};
}

#[cfg(not(feature = "kubernetes"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __requires_kubernetes {
    ($what:literal) => {
        ::core::compile_error!(::core::concat!(
            $what,
            " needs sparkform's `kubernetes` feature: add ",
            "`features = [\"kubernetes\"]` to the sparkform dependency in Cargo.toml"
        ));
    };
}

#[cfg(feature = "pipeline")]
#[doc(hidden)]
#[macro_export]
macro_rules! __requires_pipeline {
    ($what:literal) => {};
}

#[cfg(not(feature = "pipeline"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __requires_pipeline {
    ($what:literal) => {
        ::core::compile_error!(::core::concat!(
            $what,
            " needs sparkform's `pipeline` feature: add ",
            "`features = [\"pipeline\"]` to the sparkform dependency in Cargo.toml"
        ));
    };
}
