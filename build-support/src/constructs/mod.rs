//! The construct table: one row per macro. A row names the macro, the handle type it expands
//! to, its fields (for "did you mean" and the fuzzer) and a valid example body; its `check`
//! turns a declaration into a [`Construct`], which knows how to resolve its references,
//! synthesize its resources, describe itself in the manifest and expand to its handle.
//!
//! Adding a construct is one row in [`TABLE`] plus its own folder here (see the README's
//! development section).

pub mod attributes;
pub mod cfn_resource;
pub mod cicd_pipeline;
pub mod emr_eks_runtime;
pub mod execution_role;
pub mod index;
pub mod overrides;
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
use std::collections::BTreeMap;
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
    /// The resources `overrides` may target, in groups (the row's own, a shared VPC's);
    /// none: the row has no `overrides` field. See [`ConstructDef::targets`].
    pub targets: &'static [&'static [overrides::Target]],
    /// A valid body using most fields (references to other rows' example handles are fine).
    pub example: &'static str,
    /// Checks one declaration, reporting every problem on its token.
    pub check: fn(&Declaration, &Context, &mut Diags) -> Option<Box<dyn Construct>>,
}

impl ConstructDef {
    /// Every resource `overrides` may target, in the order names are matched.
    pub fn targets(&self) -> impl Iterator<Item = &'static overrides::Target> {
        self.targets.iter().flat_map(|group| group.iter())
    }

    /// Whether the row has an `overrides` field.
    pub fn has_targets(&self) -> bool {
        self.targets().next().is_some()
    }
}

impl Debug for ConstructDef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.what)
    }
}

/// The sparkform macros.
pub static TABLE: &[&ConstructDef] = &[
    &serverless_runtime::DEF,
    &emr_eks_runtime::DEF,
    &spark_job::DEF,
    &pyspark_package::DEF,
    &execution_role::DEF,
    &cicd_pipeline::DEF,
    &cfn_resource::DEF,
];

/// The row of a macro, by its name in user code.
pub fn find(macro_name: &str) -> Option<&'static ConstructDef> {
    TABLE.iter().copied().find(|d| d.macro_name == macro_name)
}

/// A reference from one construct to another's handle (`runtime: SPARK_RUNTIME`), or to one
/// of its attributes (`NIGHTLY.state_machine_arn`, when the path has a member).
#[derive(Clone, Debug)]
pub struct Reference<'a> {
    /// The field it is written in.
    pub field: &'static str,
    pub path: &'a PathValue,
    /// The macros whose handles fit here; empty: any construct (with that attribute).
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
    pub pipeline: Option<sparkform_assembly::Pipeline>,
}

/// The app synthesized once per stage, for a construct that deploys it in stages.
#[derive(Debug, Default)]
pub struct Staged {
    pub stages: Vec<StageApp>,
}

/// One stage: its stacks (named `<stage>-<stack>`) and what its constructs add to a manifest.
#[derive(Debug, Default)]
pub struct StageApp {
    pub name: String,
    pub stacks: BTreeMap<String, crate::synth::Template>,
    pub parts: ManifestParts,
    /// The constructs in the stage's stacks, with where they are declared.
    pub declared: Vec<crate::assembly::Declared>,
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
    /// Whether every attribute is an output of the stack (else only those exported or
    /// imported by another stack).
    fn publishes_all_attributes(&self) -> bool {
        true
    }
    /// Checks that need the other constructs (every reference resolves by then).
    fn check_app(&self, _index: &Index) -> Vec<AppProblem> {
        Vec::new()
    }
    /// The stages, in order, when this construct deploys the app in stages
    /// (`cicd_pipeline!`): build.rs then synthesizes the rest of the app once per stage
    /// (see [`Index::staged`]) before this construct.
    fn stages(&self) -> Option<Vec<String>> {
        None
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
///
/// `by_stage` values are resolved first (see [`crate::stages`]). For the stage being
/// synthesized when there is one; otherwise every branch is checked (the stages the
/// declaration names, and `default`) and the construct of `default` is returned. An error
/// that only some branches have says which.
pub fn check(
    def: &'static ConstructDef,
    decl: &Declaration,
    ctx: &Context,
) -> Result<Box<dyn Construct>, Vec<syn::Error>> {
    let mut shape = Diags::default();
    let keys = crate::stages::keys(&decl.body, &mut shape);
    if !shape.is_empty() {
        // A malformed `by_stage` has no branches to check: its own error is the one to fix.
        return Err(shape.into_errors());
    }
    let mut names: Vec<String> = Vec::new();
    for k in keys {
        if !names.contains(&k.name) {
            names.push(k.name);
        }
    }
    if ctx.stage.is_some() || names.is_empty() {
        let resolved = in_stage(decl, ctx.stage.as_deref());
        let result = check_resolved(def, &resolved, ctx);
        return with_shape(not_staged(shape, decl, &result), result);
    }
    let variants: Vec<Option<&str>> = std::iter::once(None)
        .chain(names.iter().map(|n| Some(n.as_str())))
        .collect();
    let mut found: Option<Box<dyn Construct>> = None;
    // (span and message, the error, the variants that have it)
    let mut merged: Vec<(String, syn::Error, Vec<Option<&str>>)> = Vec::new();
    for v in &variants {
        match check_resolved(def, &in_stage(decl, *v), ctx) {
            Ok(c) if v.is_none() => found = Some(c),
            Ok(_) => {}
            Err(errors) => {
                for e in errors {
                    let key = format!("{:?}|{e}", e.span());
                    match merged.iter_mut().find(|(k, ..)| *k == key) {
                        Some((_, _, vs)) => vs.push(*v),
                        None => merged.push((key, e, vec![*v])),
                    }
                }
            }
        }
    }
    for (_, e, vs) in merged {
        if vs.len() == variants.len() {
            shape.push(e);
        } else {
            shape.push(syn::Error::new(e.span(), in_variants(&e.to_string(), &vs)));
        }
    }
    let result = found.ok_or_else(Vec::new);
    with_shape(not_staged(shape, decl, &result), result)
}

/// A construct that deploys the app in stages is the same in every stage.
fn not_staged(mut shape: Diags, decl: &Declaration, result: &Result<Box<dyn Construct>, Vec<syn::Error>>) -> Diags {
    if let (Ok(c), Some(span)) = (result, crate::stages::first_call(&decl.body)) {
        if c.stages().is_some() {
            shape.error_help(
                span,
                format!(
                    "`by_stage` does not apply to {}: it is one for every stage",
                    c.def().what
                ),
                "give a stage its own settings in its `stages` entry",
            );
        }
    }
    shape
}

fn in_stage(decl: &Declaration, stage: Option<&str>) -> Declaration {
    Declaration {
        vis: decl.vis.clone(),
        name: decl.name.clone(),
        body: crate::stages::resolve(&decl.body, stage),
    }
}

/// The `by_stage` shape errors, then the checker's.
fn with_shape(
    shape: Diags,
    result: Result<Box<dyn Construct>, Vec<syn::Error>>,
) -> Result<Box<dyn Construct>, Vec<syn::Error>> {
    match result {
        Ok(c) if shape.is_empty() => Ok(c),
        Ok(_) => Err(shape.into_errors()),
        Err(errors) => {
            let mut all = shape;
            errors.into_iter().for_each(|e| all.push(e));
            Err(all.into_errors())
        }
    }
}

/// A message that holds only in some `by_stage` branches says which (on its first line).
fn in_variants(message: &str, variants: &[Option<&str>]) -> String {
    let stages: Vec<String> = variants.iter().flatten().map(|s| format!("`{s}`")).collect();
    let mut parts = Vec::new();
    if !stages.is_empty() {
        let s = if stages.len() == 1 { "" } else { "s" };
        parts.push(format!("in stage{s} {}", stages.join(", ")));
    }
    if variants.contains(&None) {
        parts.push("for the stages that `by_stage` gives no value of their own".to_string());
    }
    let (first, rest) = message.split_once('\n').map_or((message, ""), |(f, r)| (f, r));
    let rest = if rest.is_empty() {
        String::new()
    } else {
        format!("\n{rest}")
    };
    format!("{first} ({}){rest}", parts.join(", and "))
}

fn check_resolved(
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
