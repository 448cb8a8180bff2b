//! Whole-app synthesis: finds every sparkform macro in the crate's sources, checks each with
//! the same parser and checker the macros use, resolves the references between constructs
//! through the handle index, runs the checks that need the whole app, and synthesizes one
//! template per stack.
//!
//! Who reports what: a problem inside one macro call is the macro's to report (on its
//! token, when rustc expands it), so build.rs stays quiet about it and about every
//! reference to that construct. A problem only the whole app shows is build.rs's
//! (`file:line:col`); when there is one, the build stops before rustc runs, so build.rs then
//! prints the macros' problems too, and nothing is hidden.

use crate::assembly::{Assembly, Declared};
use crate::constructs::{
    self, overrides, AppProblem, Construct, ConstructDef, Index, ManifestParts, Resolved, StageApp, Staged,
};
use crate::model::Context;
use crate::synth::Linker;
use proc_macro2::Span;
use std::path::{Path, PathBuf};
use syn::visit::Visit;

/// A place in the crate's sources.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Loc {
    pub file: String,
    pub line: usize,
    pub column: usize,
}

impl std::fmt::Display for Loc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// A problem with a source location (`file:line:col: message`), for build.rs output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Located {
    pub loc: Loc,
    pub message: String,
}

impl std::fmt::Display for Located {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.loc, self.message)
    }
}

/// One macro call found in the sources.
#[derive(Clone, Debug)]
pub struct Found {
    pub def: &'static ConstructDef,
    pub loc: Loc,
    pub tokens: proc_macro2::TokenStream,
}

impl Found {
    /// The location of a span inside this call (the call itself when the span has none).
    pub fn locate(&self, span: Option<Span>) -> Loc {
        match span.map(|s| s.start()) {
            Some(start) if start.line != 0 => Loc {
                file: self.loc.file.clone(),
                line: start.line,
                column: start.column + 1,
            },
            _ => self.loc.clone(),
        }
    }
}

/// The result of synthesizing an app.
#[derive(Debug)]
pub struct Synthesis {
    pub assembly: Assembly,
    /// Errors inside a macro call: the macro reports them with spans when rustc expands it.
    pub macro_errors: Vec<Located>,
    /// Errors only the whole app shows (references, duplicates, template limits).
    pub app_errors: Vec<Located>,
}

impl Synthesis {
    /// What build.rs prints: the app's errors, and then (because they stop the build before
    /// rustc could report them) the macros' own. Nothing when only macros have errors.
    pub fn build_errors(&self) -> Vec<&Located> {
        if self.app_errors.is_empty() {
            return Vec::new();
        }
        self.app_errors.iter().chain(&self.macro_errors).collect()
    }
}

struct Finder<'a> {
    file: &'a str,
    table: &'a [&'static ConstructDef],
    found: Vec<Found>,
}

/// Whether a `#[cfg(...)]` predicate is false when the crate is built normally (not as a
/// test): `test` is false, `not(test)` true, `all`/`any` combine; anything else (features,
/// target) may be true, so the item is kept.
fn cfg_false(meta: &syn::Meta) -> bool {
    fn value(m: &syn::Meta) -> Option<bool> {
        match m {
            syn::Meta::Path(p) if p.is_ident("test") => Some(false),
            syn::Meta::List(l) => {
                let args = l
                    .parse_args_with(syn::punctuated::Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated)
                    .ok()?;
                let vals: Vec<Option<bool>> = args.iter().map(value).collect();
                if l.path.is_ident("not") && vals.len() == 1 {
                    vals[0].map(|v| !v)
                } else if l.path.is_ident("all") {
                    if vals.contains(&Some(false)) {
                        Some(false)
                    } else if vals.iter().all(|v| *v == Some(true)) {
                        Some(true)
                    } else {
                        None
                    }
                } else if l.path.is_ident("any") {
                    if vals.contains(&Some(true)) {
                        Some(true)
                    } else if vals.iter().all(|v| *v == Some(false)) {
                        Some(false)
                    } else {
                        None
                    }
                } else {
                    None
                }
            }
            _ => None,
        }
    }
    match meta {
        syn::Meta::List(l) if l.path.is_ident("cfg") => l
            .parse_args::<syn::Meta>()
            .ok()
            .and_then(|m| value(&m))
            .is_some_and(|v| !v),
        _ => false,
    }
}

impl<'ast> Visit<'ast> for Finder<'_> {
    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        // Modules compiled only for tests are not part of the deployed app.
        if !m.attrs.iter().any(|a| cfg_false(&a.meta)) {
            syn::visit::visit_item_mod(self, m);
        }
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        let Some(last) = mac.path.segments.last() else {
            return;
        };
        let name = last.ident.to_string();
        if let Some(def) = self.table.iter().copied().find(|d| d.macro_name == name) {
            let start = mac
                .path
                .segments
                .first()
                .map(|s| s.ident.span().start())
                .unwrap_or(proc_macro2::LineColumn { line: 0, column: 0 });
            let loc = Loc {
                file: self.file.to_string(),
                line: start.line,
                column: start.column + 1,
            };
            self.found.push(Found {
                def,
                loc,
                tokens: mac.tokens.clone(),
            });
        }
        syn::visit::visit_macro(self, mac);
    }
}

/// Finds the calls of the table's macros in one source file. A file that does not parse is
/// skipped: rustc reports its syntax errors better than we could.
pub fn find_macros(table: &[&'static ConstructDef], file: &str, text: &str) -> Vec<Found> {
    let Ok(ast) = syn::parse_file(text) else {
        return Vec::new();
    };
    let mut finder = Finder {
        file,
        table,
        found: Vec::new(),
    };
    finder.visit_file(&ast);
    finder.found
}

/// Synthesizes the app made of `sources` (path relative to the crate, text).
pub fn synthesize_sources(ctx: &Context, sources: &[(String, String)]) -> Synthesis {
    synthesize_with(constructs::TABLE, ctx, sources)
}

/// [`synthesize_sources`] with another construct table (a construct under development).
///
/// With a construct that deploys the app in stages (`cicd_pipeline!`), the rest of the app is
/// synthesized once per stage first (its `by_stage` values resolved, its stacks named
/// `<stage>-<stack>`), and that construct sees the stages through the index. The app is
/// also synthesized without stages, as a developer deploys it: byte for byte what it is
/// without a pipeline.
pub fn synthesize_with(table: &[&'static ConstructDef], ctx: &Context, sources: &[(String, String)]) -> Synthesis {
    let mut found = Vec::new();
    for (path, text) in sources {
        found.extend(find_macros(table, path, text));
    }
    let base = check_all(&found, ctx);
    let mut app_errors = duplicate_handles(&base.constructs, &base.origin);
    let stagers: Vec<usize> = (0..base.constructs.len())
        .filter(|i| base.constructs[*i].stages().is_some())
        .collect();
    for i in stagers.iter().skip(1) {
        let c = &base.constructs[*i];
        app_errors.push(Located {
            loc: base.origin[*i].loc.clone(),
            message: format!(
                "`{}` is a second {} in this app; one deploys the whole app, so keep one",
                c.handle().ident,
                c.def().what
            ),
        });
    }
    let stage_names = stagers.first().and_then(|i| base.constructs[*i].stages());
    let (staged, stage_errors) = match &stage_names {
        Some(names) => synthesize_stages(&found, ctx, names),
        None => (None, Vec::new()),
    };
    app_errors.extend(stage_key_problems(&found, stage_names.as_deref()));
    let mut index = Index::new(&base.constructs, &base.failed);
    if let Some(s) = &staged {
        index = index.with_staged(s);
    }
    let mut out = synthesize_checked(&base, &index, |_| true);
    app_errors.append(&mut out.app_errors);
    for (e, stages) in stage_errors {
        if !app_errors.contains(&e) && !base.macro_errors.contains(&e) {
            let names: Vec<String> = stages.iter().map(|s| format!("`{s}`")).collect();
            let s = if names.len() == 1 { "" } else { "s" };
            app_errors.push(Located {
                loc: e.loc,
                message: format!("{} (in stage{s} {})", e.message, names.join(", ")),
            });
        }
    }
    drop(index);
    let mut detached = std::mem::take(&mut out.link.detached);
    for stage in staged.into_iter().flat_map(|s| s.stages) {
        detached.extend(stage.stacks);
    }
    let assembly = Assembly::new(
        ctx,
        &out.link.stacks,
        &detached,
        &out.declared,
        out.parts,
        &base.macro_errors,
        &mut app_errors,
    );
    Synthesis {
        assembly,
        macro_errors: base.macro_errors,
        app_errors,
    }
}

/// The declarations checked, with where each was found.
struct Checked<'f> {
    constructs: Vec<Box<dyn Construct>>,
    origin: Vec<&'f Found>,
    /// (handle name, row) of each declaration that did not check.
    failed: Vec<(String, &'static ConstructDef)>,
    macro_errors: Vec<Located>,
}

fn check_all<'f>(found: &'f [Found], ctx: &Context) -> Checked<'f> {
    let mut c = Checked {
        constructs: Vec::new(),
        origin: Vec::new(),
        failed: Vec::new(),
        macro_errors: Vec::new(),
    };
    for f in found {
        match constructs::parse_and_check(f.def, f.tokens.clone(), ctx) {
            Ok((_, construct)) => {
                c.constructs.push(construct);
                c.origin.push(f);
            }
            Err(errors) => {
                c.macro_errors.extend(errors.iter().map(|e| Located {
                    loc: f.locate(Some(e.span())),
                    message: e.to_string(),
                }));
                if let Some(name) = crate::expand::declared_name(&f.tokens) {
                    c.failed.push((name, f.def));
                }
            }
        }
    }
    c
}

/// What synthesizing the checked constructs gave.
struct Synthesized {
    link: Linker,
    parts: ManifestParts,
    declared: Vec<Declared>,
    app_errors: Vec<Located>,
}

/// Resolves references, runs the app checks and synthesizes the constructs `keep` accepts.
fn synthesize_checked(checked: &Checked, index: &Index, keep: impl Fn(&dyn Construct) -> bool) -> Synthesized {
    let mut app_errors = Vec::new();
    let mut usable = Vec::new();
    for (c, f) in checked.constructs.iter().zip(&checked.origin) {
        if !keep(c.as_ref()) {
            continue;
        }
        let mut problems: Vec<AppProblem> = Vec::new();
        let mut blocked = false;
        for r in c.references() {
            match index.resolve(&r) {
                Resolved::Found(_) => {}
                Resolved::Failed => blocked = true,
                Resolved::Problem { span, message } => problems.push(AppProblem {
                    span: span.or(Some(r.path.span())),
                    message,
                }),
            }
        }
        if problems.is_empty() && !blocked {
            problems = c.check_app(index);
        }
        let ok = problems.is_empty() && !blocked;
        app_errors.extend(problems.into_iter().map(|p| Located {
            loc: f.locate(p.span),
            message: p.message,
        }));
        if ok {
            usable.push((c.as_ref(), *f));
        }
    }
    app_errors.extend(duplicate_exports(&usable));
    let mut link = Linker::default();
    for (c, _) in &usable {
        constructs::attributes::publish(*c, &mut link);
    }
    // What each construct's synthesis adds is what its overrides may target.
    let mut created = Vec::with_capacity(usable.len());
    for (c, _) in &usable {
        let mark = link.mark();
        c.synth(index, &mut link);
        created.push(link.created_since(&mark));
    }
    for t in link.stacks.values() {
        for d in &t.duplicates {
            let loc = usable
                .iter()
                .find(|(c, _)| c.handle().stack == t.stack)
                .map(|(_, f)| f.loc.clone())
                .unwrap_or_default();
            app_errors.push(Located {
                loc,
                message: format!(
                    "the logical ID `{d}` is defined twice in stack `{}`; rename one of the roles or handles",
                    t.stack
                ),
            });
        }
    }
    // After every construct: an override has the last word on what the templates say.
    for ((c, f), made) in usable.iter().zip(&created) {
        if c.handle().overrides.is_empty() {
            continue;
        }
        let mut problems = overrides::check_app(*c, index, made);
        if problems.is_empty() {
            problems = overrides::apply(*c, index, made, &mut link);
        }
        app_errors.extend(problems.into_iter().map(|p| Located {
            loc: f.locate(p.span),
            message: p.message,
        }));
    }
    let mut parts = ManifestParts::default();
    for (c, _) in &usable {
        c.manifest(index, &mut parts);
    }
    let declared: Vec<Declared> = usable
        .iter()
        .map(|(c, f)| Declared {
            kind: c.def().macro_name,
            handle: c.handle().ident.clone(),
            stack: c.handle().stack.clone(),
            loc: f.loc.clone(),
        })
        .collect();
    Synthesized {
        link,
        parts,
        declared,
        app_errors,
    }
}

/// The app once per stage, without the construct that deploys it; and the app errors each
/// stage has (with the stages that have it). Errors inside a macro call are the macro's: it
/// checks every `by_stage` branch itself.
fn synthesize_stages(
    found: &[Found],
    ctx: &Context,
    names: &[String],
) -> (Option<Staged>, Vec<(Located, Vec<String>)>) {
    let mut staged = Staged::default();
    let mut errors: Vec<(Located, Vec<String>)> = Vec::new();
    for name in names {
        let ctx = Context {
            stage: Some(name.clone()),
            ..ctx.clone()
        };
        let checked = check_all(found, &ctx);
        let index = Index::new(&checked.constructs, &checked.failed);
        let out = synthesize_checked(&checked, &index, |c| c.stages().is_none());
        // A value only this stage has (`by_stage`, a name with the stage's prefix) can be
        // wrong only here: its construct's errors are this stage's too.
        for e in checked.macro_errors.iter().cloned().chain(out.app_errors) {
            match errors.iter_mut().find(|(x, _)| *x == e) {
                Some((_, stages)) => stages.push(name.clone()),
                None => errors.push((e, vec![name.clone()])),
            }
        }
        staged.stages.push(StageApp {
            name: name.clone(),
            stacks: out.link.stacks,
            parts: out.parts,
            declared: out.declared,
        });
    }
    (Some(staged), errors)
}

/// Every stage a `by_stage` names must be one the app's pipeline declares (by value).
fn stage_key_problems(found: &[Found], stages: Option<&[String]>) -> Vec<Located> {
    let mut out = Vec::new();
    for f in found {
        let Ok(decl) = crate::value::parse_declaration(f.tokens.clone()) else {
            continue;
        };
        let mut ignored = crate::diag::Diags::default();
        for k in crate::stages::keys(&decl.body, &mut ignored) {
            let message = match stages {
                Some(names) if names.contains(&k.name) => continue,
                Some(names) => format!(
                    "`{}` is not a stage of this app's pipeline{} (its stages: {})",
                    k.name,
                    crate::diag::suggestion(&k.name, names.iter().map(String::as_str)),
                    names.join(", ")
                ),
                None => format!(
                    "`by_stage` names the stage `{}`, and this app declares no `cicd_pipeline!` with stages; declare one, or write the value without `by_stage`",
                    k.name
                ),
            };
            out.push(Located {
                loc: f.locate(Some(k.span)),
                message,
            });
        }
    }
    out
}

/// Two handles with the same name in a stack would share logical IDs (DSF's same-name
/// collision).
fn duplicate_handles(constructs: &[Box<dyn Construct>], origin: &[&Found]) -> Vec<crate::app::Located> {
    let mut out = Vec::new();
    for (i, c) in constructs.iter().enumerate() {
        let h = c.handle();
        if let Some(first) = constructs[..i]
            .iter()
            .zip(origin)
            .find(|(o, _)| o.handle().prefix == h.prefix && o.handle().stack == h.stack)
            .map(|(_, f)| f)
        {
            out.push(Located {
                loc: origin[i].loc.clone(),
                message: format!(
                    "`{}` gives the same logical IDs (`{}...`) as the construct declared at {} in stack `{}`; rename one of them or put it in another `stack`",
                    h.ident, h.prefix, first.loc, h.stack
                ),
            });
        }
    }
    out
}

/// Export names are unique in an account and region.
fn duplicate_exports(usable: &[(&dyn Construct, &Found)]) -> Vec<Located> {
    let mut seen: std::collections::BTreeMap<String, String> = std::collections::BTreeMap::new();
    let mut out = Vec::new();
    for (c, f) in usable {
        for e in &c.handle().exports {
            let Some(name) = &e.name else { continue };
            let here = format!("{}.{}", c.handle().ident, e.attribute);
            if let Some(first) = seen.insert(name.clone(), here.clone()) {
                out.push(Located {
                    loc: f.locate(Some(e.span)),
                    message: format!("the export name `{name}` is used by `{first}` and `{here}`; export names are unique in an account and region"),
                });
            }
        }
    }
    out
}

/// Reads every `.rs` file under `dir`, sorted, as (path relative to `root`, text).
pub fn read_sources(root: &Path, dir: &Path) -> Vec<(String, String)> {
    let mut files = Vec::new();
    collect(dir, &mut files);
    files.sort();
    files
        .into_iter()
        .filter_map(|p| {
            let text = std::fs::read_to_string(&p).ok()?;
            let rel = p.strip_prefix(root).unwrap_or(&p).to_string_lossy().replace('\\', "/");
            Some((rel, text))
        })
        .collect()
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_test_only_modules_are_skipped() {
        let src = r#"
            #[cfg(test)] mod a { spark_job!(A {}); }
            #[cfg(not(test))] mod b { spark_job!(B {}); }
            #[cfg(all(test, feature = "x"))] mod c { spark_job!(C {}); }
            #[cfg(any(test, feature = "x"))] mod d { spark_job!(D {}); }
            #[cfg(feature = "contest")] mod e { spark_job!(E {}); }
            mod f { spark_job!(F {}); }
        "#;
        let names: Vec<String> = find_macros(constructs::TABLE, "src/main.rs", src)
            .iter()
            .map(|f| crate::expand::declared_name(&f.tokens).unwrap())
            .collect();
        assert_eq!(names, ["B", "D", "E", "F"]);
    }
}
