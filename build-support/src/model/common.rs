//! Pieces every construct has: its handle, stack, removal policy, tags; and the crate context.

use crate::checks::names;
use crate::diag::Diags;
use crate::reader::{Fields, Spanned};
use crate::value::Declaration;
use std::path::Path;

/// What a check needs to know about the crate being compiled.
#[derive(Clone, Debug, Default)]
pub struct Context {
    /// The crate name; the default stack is named after it.
    pub crate_name: String,
    /// `[package.metadata.sparkform] remove-data-on-destroy = true` in Cargo.toml: the one,
    /// crate-wide opt-in that lets `removal_policy: destroy` delete data (DSF's context flag).
    pub remove_data_on_destroy: bool,
    /// The crate's directory: files that macros name (PySpark code) are relative to it.
    pub crate_dir: std::path::PathBuf,
    /// The stage being synthesized (build.rs, once per stage of a `cicd_pipeline!`): its
    /// `by_stage` values apply and its stacks are named `<stage>-<stack>`. `None` for the
    /// macros and for the app as a developer deploys it.
    pub stage: Option<String>,
}

pub const OPT_IN_KEY: &str = "remove-data-on-destroy";

impl Context {
    /// Reads the context of the crate whose manifest directory is `dir`.
    pub fn from_manifest_dir(dir: &Path, crate_name: &str) -> Context {
        let text = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap_or_default();
        Context {
            crate_dir: dir.to_path_buf(),
            ..Context::from_manifest(&text, crate_name)
        }
    }

    pub fn from_manifest(text: &str, crate_name: &str) -> Context {
        let table: toml::Table = text.parse().unwrap_or_default();
        let opt_in = table
            .get("package")
            .and_then(|p| p.get("metadata"))
            .and_then(|m| m.get("sparkform"))
            .and_then(|s| s.get(OPT_IN_KEY))
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
        Context {
            crate_name: crate_name.to_string(),
            remove_data_on_destroy: opt_in,
            crate_dir: Default::default(),
            stage: None,
        }
    }

    /// The context of the crate the compiler is building now (macros and build.rs).
    pub fn from_env() -> Context {
        let dir = std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default();
        let name = std::env::var("CARGO_PKG_NAME").unwrap_or_else(|_| "app".into());
        Context::from_manifest_dir(Path::new(&dir), &name)
    }

    /// The physical name of an account-wide resource the crate names (an IAM role, an EKS
    /// cluster) in the stage being synthesized: `<stage>-<name>`, so stages that share an
    /// account do not collide, and the stage's CloudFormation role (which may only create
    /// roles named `<stage>-*`) can create it. Unchanged outside a stage or when it already
    /// starts with the prefix.
    pub fn staged_name(&self, name: &str) -> String {
        match &self.stage {
            Some(stage) if !name.starts_with(&format!("{stage}-")) => format!("{stage}-{name}"),
            _ => name.to_string(),
        }
    }

    /// The stack a construct goes to when it names none.
    pub fn default_stack(&self) -> String {
        let s: String = self
            .crate_name
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        if s.chars().next().is_some_and(|c| c.is_ascii_alphabetic()) {
            s
        } else {
            format!("app-{s}")
        }
    }
}

/// The Rust handle a declaration expands to and where its resources go.
#[derive(Clone, Debug)]
pub struct Handle {
    /// The handle identifier as written, e.g. `SPARK_RUNTIME`.
    pub ident: String,
    /// The PascalCase prefix of every logical ID the construct creates.
    pub prefix: String,
    pub stack: String,
    pub span: proc_macro2::Span,
    /// Attributes exported for stacks that are not sparkform's (`outputs`, `exports`).
    pub exports: Vec<Export>,
    /// Paths set or deleted in the resources it creates, applied after synthesis.
    pub overrides: Vec<crate::constructs::overrides::Override>,
}

/// An attribute published under a stable export name.
#[derive(Clone, Debug)]
pub struct Export {
    pub attribute: String,
    /// The export name; `None`: `<stack>-<output id>`, the name sparkform's own imports use.
    pub name: Option<String>,
    pub span: proc_macro2::Span,
}

impl Handle {
    pub fn read(decl: &Declaration, fields: &mut Fields, ctx: &Context, diags: &mut Diags) -> Handle {
        let ident = decl.name.to_string();
        let prefix = names::pascal_case(&ident);
        if prefix.is_empty() {
            diags.error(decl.name.span(), "the handle name needs at least one letter or digit");
        }
        let stack = match fields.str("stack", diags) {
            Some(s) => {
                if let Err((m, h)) = names::check_stack_name(&s.value) {
                    diags.error_help(s.span, m, h);
                }
                s.value
            }
            None => ctx.default_stack(),
        };
        let stack = match &ctx.stage {
            Some(stage) => crate::stages::stage_stack(stage, &stack),
            None => stack,
        };
        let exports = read_exports(fields, diags);
        let overrides = match fields.def() {
            Some(def) if def.has_targets() => {
                crate::constructs::overrides::read(fields, def, ctx.remove_data_on_destroy, diags)
            }
            _ => Vec::new(),
        };
        Handle {
            ident,
            prefix,
            stack,
            span: decl.name.span(),
            exports,
            overrides,
        }
    }

    /// A logical ID for one of the construct's resources.
    pub fn id(&self, suffix: &str) -> String {
        format!("{}{suffix}", self.prefix)
    }
}

/// Reads `outputs: [attr, ...]` and `exports: { attr: "Export-Name" }`, checked against the
/// attributes of the construct's row.
fn read_exports(fields: &mut Fields, diags: &mut Diags) -> Vec<Export> {
    let attributes: &[&str] = fields.def().map(|d| d.attributes).unwrap_or(&[]);
    // A raw resource's attributes are its type's: its own check reads them.
    let by_type = attributes == crate::constructs::cfn_resource::TYPE_ATTRIBUTES;
    let mut out: Vec<Export> = Vec::new();
    let attribute = |name: &str, span, diags: &mut Diags| -> bool {
        if by_type || attributes.contains(&name) {
            return true;
        }
        diags.error_help(
            span,
            format!(
                "`{name}` is not an attribute of this construct{}",
                crate::diag::suggestion(name, attributes.iter().copied())
            ),
            format!("the attributes are: {}", attributes.join(", ")),
        );
        false
    };
    if let Some(list) = fields.list("outputs", diags) {
        for v in list {
            let Some(name) = v.word_any(diags) else { continue };
            if attribute(&name.value, name.span, diags) {
                out.push(Export {
                    attribute: name.value,
                    name: None,
                    span: name.span,
                });
            }
        }
    }
    if let Some(o) = fields.object("exports", diags) {
        for e in &o.entries {
            let Some(name) = e.value.string(diags) else { continue };
            if let Err((m, h)) = names::check_export_name(&name.value) {
                diags.error_help(name.span, m, h);
            }
            if attribute(&e.key, e.key_span, diags) {
                out.push(Export {
                    attribute: e.key.clone(),
                    name: Some(name.value),
                    span: name.span,
                });
            }
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    for e in &out {
        if !seen.insert(e.attribute.as_str()) {
            diags.error_help(
                e.span,
                format!("`{}` is exported twice", e.attribute),
                "export each attribute once",
            );
        }
    }
    out
}

/// What happens to data (keys, log groups, buckets) when the stack is deleted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Removal {
    #[default]
    Retain,
    Destroy,
}

impl Removal {
    /// Reads `removal_policy`; `destroy` needs the crate-wide opt-in.
    pub fn read(fields: &mut Fields, ctx: &Context, diags: &mut Diags) -> Removal {
        match fields.word("removal_policy", diags, &["retain", "destroy"]) {
            Some(Spanned { value: "destroy", span }) => {
                if ctx.remove_data_on_destroy {
                    Removal::Destroy
                } else {
                    diags.error_help(
                        span,
                        "`removal_policy: destroy` would delete data (keys, log groups, buckets), and this crate has not opted in to data removal",
                        format!("opt in once for the whole crate in Cargo.toml: `[package.metadata.sparkform]` `{OPT_IN_KEY} = true`; or remove this line to keep data on destroy"),
                    );
                    Removal::Retain
                }
            }
            _ => Removal::Retain,
        }
    }
}

/// Reads `tags: { "key": "value" }`; keys are kept exactly as written.
pub fn read_tags(fields: &mut Fields, diags: &mut Diags) -> Vec<(String, String)> {
    let tags = fields.string_map("tags", diags).unwrap_or_default();
    let mut out = Vec::new();
    for (k, v) in tags {
        if k.value.is_empty() || k.value.len() > 128 || k.value.starts_with("aws:") {
            diags.error_help(
                k.span,
                format!("`{}` is not a valid tag key", k.value),
                "tag keys are 1 to 128 characters and may not start with `aws:`",
            );
        }
        if v.value.len() > 256 {
            diags.error(v.span, "tag values are at most 256 characters");
        }
        out.push((k.value, v.value));
    }
    out
}
