//! The construct table: one row per macro. A row names the macro, the handle type it expands
//! to, its fields (for "did you mean" and the fuzzer) and a valid example body; its `check`
//! turns a declaration into a [`Construct`], which knows how to resolve its references,
//! synthesize its resources, describe itself in the manifest and expand to its handle.
//!
//! Adding a construct is one row in [`TABLE`] plus its own folder here (see the README's
//! development section).

pub mod attributes;
pub mod execution_role;
pub mod index;
pub mod pyspark_package;
pub mod serverless_runtime;
pub mod spark_job;

use crate::diag::Diags;
use crate::model::{Context, Handle};
use crate::synth::Linker;
use crate::value::{Declaration, PathValue};
pub use attributes::Attribute;
pub use index::{Index, Resolved};
use proc_macro2::{Span, TokenStream};
use std::any::Any;
use std::fmt::Debug;

/// One macro.
pub struct ConstructDef {
    /// The macro's name in user code, e.g. `spark_job`.
    pub macro_name: &'static str,
    /// `spark_job!`, as messages name it.
    pub what: &'static str,
    /// The handle type in crate `sparkform` the macro expands to, e.g. `SparkJob`.
    pub handle_type: &'static str,
    /// Every top-level field the checker reads.
    pub fields: &'static [&'static str],
    /// Every attribute a declaration can have (`HANDLE.attribute`, `outputs`, `exports`).
    pub attributes: &'static [&'static str],
    /// A valid body using most fields (references to other rows' example handles are fine).
    pub example: &'static str,
    /// Checks one declaration, reporting every problem on its token.
    pub check: fn(&Declaration, &Context, &mut Diags) -> Option<Box<dyn Construct>>,
}

impl Debug for ConstructDef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.what)
    }
}

/// The sparkform macros.
pub static TABLE: &[&ConstructDef] = &[
    &serverless_runtime::DEF,
    &spark_job::DEF,
    &pyspark_package::DEF,
    &execution_role::DEF,
];

/// The row of a macro, by its name in user code.
pub fn find(macro_name: &str) -> Option<&'static ConstructDef> {
    TABLE.iter().copied().find(|d| d.macro_name == macro_name)
}

/// A reference from one construct to another's handle (`runtime: SPARK_RUNTIME`).
#[derive(Clone, Debug)]
pub struct Reference<'a> {
    /// The field it is written in.
    pub field: &'static str,
    pub path: &'a PathValue,
    /// The macros whose handles fit here.
    pub accepts: &'static [&'static str],
}

/// A problem only the whole app shows, at a token of the construct (or the construct itself).
#[derive(Clone, Debug)]
pub struct AppProblem {
    pub span: Option<Span>,
    pub message: String,
}

/// What constructs add to the manifest besides their stacks.
#[derive(Debug, Default)]
pub struct ManifestParts {
    pub assets: Vec<sparkform_assembly::Asset>,
    pub jobs: Vec<sparkform_assembly::Job>,
    pub kubernetes: Vec<sparkform_assembly::KubeGroup>,
}

/// A checked construct.
pub trait Construct: Debug + Any {
    fn def(&self) -> &'static ConstructDef;
    fn handle(&self) -> &Handle;
    /// The handles this construct names; the app checks them before synthesis.
    fn references(&self) -> Vec<Reference<'_>> {
        Vec::new()
    }
    /// The attributes this declaration has (see [`attributes`]).
    fn attributes(&self) -> Vec<Attribute> {
        Vec::new()
    }
    /// Checks that need the other constructs (every reference resolves by then).
    fn check_app(&self, _index: &Index) -> Vec<AppProblem> {
        Vec::new()
    }
    /// Adds the construct's resources (and the exports it imports) to the templates.
    fn synth(&self, index: &Index, link: &mut Linker);
    /// Adds assets, jobs and Kubernetes objects to the manifest.
    fn manifest(&self, _index: &Index, _parts: &mut ManifestParts) {}
    /// The handle the macro expands to.
    fn expand(&self, decl: &Declaration) -> TokenStream;
    fn as_any(&self) -> &dyn Any;
}

/// Checks one declaration of a macro. Used by the macros and by build.rs.
pub fn check(
    def: &'static ConstructDef,
    decl: &Declaration,
    ctx: &Context,
) -> Result<Box<dyn Construct>, Vec<syn::Error>> {
    let mut diags = Diags::default();
    let construct = (def.check)(decl, ctx, &mut diags);
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
    def: &'static ConstructDef,
    tokens: TokenStream,
    ctx: &Context,
) -> Result<(Declaration, Box<dyn Construct>), Vec<syn::Error>> {
    let decl = crate::value::parse_declaration(tokens).map_err(|e| vec![e])?;
    let c = check(def, &decl, ctx)?;
    Ok((decl, c))
}
