//! The checked model: what each macro declares, after every check has passed.
//! Parsing (`value`) gives untyped trees; the functions here turn them into these types,
//! reporting problems through `Diags` on the offending tokens.

pub mod common;
pub mod iam;
pub mod pyspark_package;
pub mod serverless_runtime;
pub mod spark_job;

use crate::diag::Diags;
use crate::value::Declaration;
pub use common::{Context, Handle, Removal};
pub use pyspark_package::PySparkPackage;
pub use serverless_runtime::ServerlessRuntime;
pub use spark_job::SparkJob;

/// The sparkform macros. Each name is the macro's name in user code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MacroKind {
    ServerlessRuntime,
    SparkJob,
    PySparkPackage,
}

impl MacroKind {
    pub const ALL: &'static [MacroKind] = &[
        MacroKind::ServerlessRuntime,
        MacroKind::SparkJob,
        MacroKind::PySparkPackage,
    ];

    pub fn macro_name(self) -> &'static str {
        match self {
            MacroKind::ServerlessRuntime => "spark_serverless_runtime",
            MacroKind::SparkJob => "spark_job",
            MacroKind::PySparkPackage => "pyspark_package",
        }
    }

    pub fn from_macro_name(name: &str) -> Option<MacroKind> {
        Self::ALL.iter().copied().find(|k| k.macro_name() == name)
    }
}

/// One checked construct.
#[derive(Clone, Debug)]
pub enum Construct {
    ServerlessRuntime(ServerlessRuntime),
    SparkJob(SparkJob),
    PySparkPackage(PySparkPackage),
}

impl Construct {
    pub fn handle(&self) -> &Handle {
        match self {
            Construct::ServerlessRuntime(r) => &r.handle,
            Construct::SparkJob(j) => &j.handle,
            Construct::PySparkPackage(p) => &p.handle,
        }
    }

    pub fn kind(&self) -> MacroKind {
        match self {
            Construct::ServerlessRuntime(_) => MacroKind::ServerlessRuntime,
            Construct::SparkJob(_) => MacroKind::SparkJob,
            Construct::PySparkPackage(_) => MacroKind::PySparkPackage,
        }
    }
}

/// Checks one declaration of the given macro. Used by the proc macros and by build.rs.
pub fn check(kind: MacroKind, decl: &Declaration, ctx: &Context) -> Result<Construct, Vec<syn::Error>> {
    let mut diags = Diags::default();
    let construct = match kind {
        MacroKind::ServerlessRuntime => {
            serverless_runtime::check(decl, ctx, &mut diags).map(Construct::ServerlessRuntime)
        }
        MacroKind::SparkJob => spark_job::check(decl, ctx, &mut diags).map(Construct::SparkJob),
        MacroKind::PySparkPackage => pyspark_package::check(decl, ctx, &mut diags).map(Construct::PySparkPackage),
    };
    match construct {
        Some(c) if diags.is_empty() => Ok(c),
        _ => {
            if diags.is_empty() {
                diags.error(decl.name.span(), "invalid declaration");
            }
            Err(diags.into_errors())
        }
    }
}

/// Parses and checks macro tokens in one step.
pub fn parse_and_check(
    kind: MacroKind,
    tokens: proc_macro2::TokenStream,
    ctx: &Context,
) -> Result<(Declaration, Construct), Vec<syn::Error>> {
    let decl = crate::value::parse_declaration(tokens).map_err(|e| vec![e])?;
    let c = check(kind, &decl, ctx)?;
    Ok((decl, c))
}
