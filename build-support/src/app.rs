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
use crate::constructs::{self, AppProblem, Construct, ConstructDef, Index, ManifestParts, Resolved};
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
pub fn synthesize_with(table: &[&'static ConstructDef], ctx: &Context, sources: &[(String, String)]) -> Synthesis {
    let mut found = Vec::new();
    for (path, text) in sources {
        found.extend(find_macros(table, path, text));
    }
    let mut constructs: Vec<Box<dyn Construct>> = Vec::new();
    let mut origin: Vec<&Found> = Vec::new();
    let mut failed = Vec::new();
    let mut macro_errors = Vec::new();
    for f in &found {
        match constructs::parse_and_check(f.def, f.tokens.clone(), ctx) {
            Ok((_, c)) => {
                constructs.push(c);
                origin.push(f);
            }
            Err(errors) => {
                macro_errors.extend(errors.iter().map(|e| Located {
                    loc: f.locate(Some(e.span())),
                    message: e.to_string(),
                }));
                if let Some(name) = crate::expand::declared_name(&f.tokens) {
                    failed.push((name, f.def));
                }
            }
        }
    }
    let mut app_errors = duplicate_handles(&constructs, &origin);
    let index = Index::new(&constructs, &failed);
    let mut usable = Vec::new();
    for (c, f) in constructs.iter().zip(&origin) {
        let mut problems: Vec<AppProblem> = Vec::new();
        let mut blocked = false;
        for r in c.references() {
            match index.resolve(&r) {
                Resolved::Found(_) => {}
                Resolved::Failed => blocked = true,
                Resolved::Problem(message) => problems.push(AppProblem {
                    span: Some(r.path.span()),
                    message,
                }),
            }
        }
        if problems.is_empty() && !blocked {
            problems = c.check_app(&index);
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
    for (c, _) in &usable {
        c.synth(&index, &mut link);
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
    let mut parts = ManifestParts::default();
    for (c, _) in &usable {
        c.manifest(&index, &mut parts);
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
    let assembly = Assembly::new(ctx, &link.stacks, &declared, parts, &macro_errors, &mut app_errors);
    Synthesis {
        assembly,
        macro_errors,
        app_errors,
    }
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
