//! Whole-app synthesis: finds every sparkform macro in the crate's sources, checks each with
//! the same parser and checker the macros use, runs the cross-construct checks, and
//! synthesizes one template per stack.

use crate::assembly::Assembly;
use crate::model::{self, Construct, Context, MacroKind};
use crate::synth;
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
    pub kind: MacroKind,
    pub loc: Loc,
    pub tokens: proc_macro2::TokenStream,
}

/// The result of synthesizing an app.
#[derive(Debug)]
pub struct Synthesis {
    pub assembly: Assembly,
    /// Errors inside a macro call: the macro reports them with spans when rustc expands it.
    pub macro_errors: Vec<Located>,
    /// Errors only the whole app shows (duplicate handles, template limits): build.rs reports them.
    pub app_errors: Vec<Located>,
}

struct Finder<'a> {
    file: &'a str,
    found: Vec<Found>,
}

impl<'ast> Visit<'ast> for Finder<'_> {
    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        // Test modules are not part of the deployed app.
        let is_test = m
            .attrs
            .iter()
            .any(|a| a.path().is_ident("cfg") && a.meta.to_token_stream_string().contains("test"));
        if !is_test {
            syn::visit::visit_item_mod(self, m);
        }
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        let Some(last) = mac.path.segments.last() else {
            return;
        };
        if let Some(kind) = MacroKind::from_macro_name(&last.ident.to_string()) {
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
                kind,
                loc,
                tokens: mac.tokens.clone(),
            });
        }
        syn::visit::visit_macro(self, mac);
    }
}

trait MetaText {
    fn to_token_stream_string(&self) -> String;
}

impl MetaText for syn::Meta {
    fn to_token_stream_string(&self) -> String {
        quote::ToTokens::to_token_stream(self).to_string()
    }
}

/// Finds sparkform macro calls in one source file. A file that does not parse is skipped:
/// rustc reports its syntax errors better than we could.
pub fn find_macros(file: &str, text: &str) -> Vec<Found> {
    let Ok(ast) = syn::parse_file(text) else {
        return Vec::new();
    };
    let mut finder = Finder {
        file,
        found: Vec::new(),
    };
    finder.visit_file(&ast);
    finder.found
}

fn locate(f: &Found, e: &syn::Error) -> Located {
    let start = e.span().start();
    // Fallback spans carry real positions; a zero line means "no position": use the call's.
    let loc = if start.line == 0 {
        f.loc.clone()
    } else {
        Loc {
            file: f.loc.file.clone(),
            line: start.line,
            column: start.column + 1,
        }
    };
    Located {
        loc,
        message: e.to_string(),
    }
}

/// Synthesizes the app made of `sources` (path relative to the crate, text).
pub fn synthesize_sources(ctx: &Context, sources: &[(String, String)]) -> Synthesis {
    let mut found = Vec::new();
    for (path, text) in sources {
        found.extend(find_macros(path, text));
    }
    let mut constructs: Vec<(Construct, &Found)> = Vec::new();
    let mut macro_errors = Vec::new();
    for f in &found {
        match model::parse_and_check(f.kind, f.tokens.clone(), ctx) {
            Ok((_, c)) => constructs.push((c, f)),
            Err(errors) => macro_errors.extend(errors.iter().map(|e| locate(f, e))),
        }
    }
    let mut app_errors = Vec::new();
    // Two handles with the same name would share logical IDs (DSF's same-name collision).
    for (i, (c, f)) in constructs.iter().enumerate() {
        let h = c.handle();
        if let Some((_, first)) = constructs[..i]
            .iter()
            .find(|(o, _)| o.handle().prefix == h.prefix && o.handle().stack == h.stack)
        {
            app_errors.push(Located {
                loc: f.loc.clone(),
                message: format!(
                    "`{}` gives the same logical IDs (`{}...`) as the construct declared at {} in stack `{}`; rename one of them or put it in another `stack`",
                    h.ident, h.prefix, first.loc, h.stack
                ),
            });
        }
    }
    let list: Vec<Construct> = constructs.iter().map(|(c, _)| c.clone()).collect();
    for (c, f) in &constructs {
        if let Construct::SparkJob(j) = c {
            if let Some(message) = synth::spark_job::unresolved(j, &list) {
                app_errors.push(Located {
                    loc: f.loc.clone(),
                    message,
                });
            }
        }
    }
    let stacks = synth::synthesize(&list);
    for t in stacks.values() {
        for d in &t.duplicates {
            let loc = constructs
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
    let sources_of: Vec<(Construct, Loc)> = constructs.iter().map(|(c, f)| (c.clone(), f.loc.clone())).collect();
    let assembly = Assembly::new(ctx, &stacks, &sources_of, &macro_errors, &mut app_errors);
    Synthesis {
        assembly,
        macro_errors,
        app_errors,
    }
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
