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
pub mod context;
#[cfg(feature = "deploy")]
pub mod deploy;
pub mod handles;
#[cfg(feature = "deploy")]
pub mod jobs;
#[cfg(feature = "kubernetes")]
pub mod kubernetes;
#[cfg(feature = "deploy")]
pub mod local;
#[cfg(feature = "deploy")]
pub mod pipeline;

pub use assembly::Assembly;
#[cfg(feature = "deploy")]
pub use context::{Context, Error};
pub use handles::*;
pub use sparkform_macros::{
    cfn_resource, cicd_pipeline, emr_eks_runtime, execution_role, pyspark_package, spark_job, spark_serverless_runtime,
};

/// Everything a user crate needs: `use sparkform::prelude::*;`.
pub mod prelude {
    pub use crate::handles::*;
    pub use sparkform_macros::{
        cfn_resource, cicd_pipeline, emr_eks_runtime, execution_role, pyspark_package, spark_job,
        spark_serverless_runtime,
    };
}

/// The JSON text of the cloud assembly that build.rs synthesized, embedded in the binary;
/// [`Assembly::from_embedded`] reads it.
#[macro_export]
macro_rules! embedded_assembly {
    () => {
        include_str!(concat!(env!("OUT_DIR"), "/sparkform-assembly.json"))
    };
}

/// The whole `main` of a sparkform app: `sparkform::main!();`. An assembly written by another
/// sparkform is refused with a message that says to rebuild (exit code 1).
///
/// With the app's own subcommands beside sparkform's: `sparkform::main!(Ops => handle);`,
/// where `Ops` derives `clap::Subcommand` and `handle` is
/// `async fn handle(ctx: &sparkform::Context, op: Ops) -> Result<(), sparkform::Error>`
/// (needs the `deploy` feature). `cargo run -- backfill --from 2024-01-01` then runs `handle`.
#[macro_export]
macro_rules! main {
    () => {
        fn main() -> ::std::process::ExitCode {
            $crate::cli::main_embedded($crate::embedded_assembly!())
        }
    };
    ($commands:ty => $handler:path) => {
        fn main() -> ::std::process::ExitCode {
            fn __sparkform_handler<'a>(
                ctx: &'a $crate::Context,
                command: $commands,
            ) -> $crate::context::BoxFuture<'a, ::std::result::Result<(), $crate::Error>> {
                ::std::boxed::Box::pin($handler(ctx, command))
            }
            $crate::context::main_with::<$commands>($crate::embedded_assembly!(), __sparkform_handler)
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
