//! `cicd_pipeline!`: the declaration, checked. Stages are checked here (names unique,
//! accounts of 12 digits, real Regions, one Region); what needs the rest of the app (the
//! attributes the integration tests name, the EMR release of the unit-test image) is checked
//! in `check_app`.

use crate::checks::{logs, regions, release};
use crate::constructs::pyspark_package::model::relative_path;
use crate::diag::Diags;
use crate::model::common::{read_tags, Context, Handle, Removal};
use crate::model::iam::{read_statements, Statement};
use crate::reader::{Fields, Spanned};
use crate::stages::check_stage_name;
use crate::value::{Declaration, PathValue, Value, ValueKind};
use proc_macro2::Span;

#[derive(Clone, Debug)]
pub struct CicdPipeline {
    pub handle: Handle,
    /// The CodePipeline pipeline's name; it also prefixes role, project and bucket names.
    pub name: String,
    pub source: Source,
    /// The app crate, relative to the repository root.
    pub app_path: String,
    /// The Spark project, relative to the crate.
    pub spark_path: String,
    pub spark_image: SparkImage,
    pub stages: Vec<Stage>,
    /// `BUILD_GENERAL1_*` of the build project.
    pub build_compute: &'static str,
    pub log_retention_days: u32,
    pub removal: Removal,
    pub tags: Vec<(String, String)>,
    /// The app crate's package name (its binary's name).
    pub crate_name: String,
}

#[derive(Clone, Debug)]
pub enum Source {
    Connection {
        repository: String,
        branch: String,
        /// An existing connection; `None`: the stack creates one (PENDING until completed).
        connection_arn: Option<String>,
        /// The created connection's provider.
        provider: &'static str,
        /// Only pushes that change these paths start the pipeline.
        file_paths: Vec<String>,
    },
    CodeCommit {
        repository: String,
        branch: String,
    },
}

impl Source {
    pub fn branch(&self) -> &str {
        match self {
            Source::Connection { branch, .. } | Source::CodeCommit { branch, .. } => branch,
        }
    }
}

/// The image the unit tests run in.
#[derive(Clone, Debug)]
pub enum SparkImage {
    /// EMR on EKS's Spark image of this release.
    Release(String),
    Uri(String),
    /// The release of the app's runtime (resolved by `check_app`).
    OfRuntime,
}

/// EMR on EKS's public Spark image of a release (DSF's `SparkImage`).
pub fn emr_image(release: &str) -> String {
    format!("public.ecr.aws/emr-on-eks/spark/{release}:latest")
}

#[derive(Clone, Debug)]
pub struct Stage {
    pub name: String,
    pub name_span: Span,
    /// `None`: the pipeline's account.
    pub account: Option<String>,
    pub region: Option<String>,
    pub approval: bool,
    pub integ_test: Option<IntegTest>,
}

#[derive(Clone, Debug)]
pub struct IntegTest {
    /// Relative to the crate.
    pub script: String,
    pub env: Vec<(String, EnvValue)>,
    pub permissions: Vec<Statement>,
    pub timeout_minutes: u32,
}

#[derive(Clone, Debug)]
pub enum EnvValue {
    Literal(String),
    /// `NIGHTLY.state_machine_arn`: a stack output of the stage.
    Attribute(PathValue),
}

pub const DEFAULT_STAGES: &[&str] = &["staging", "prod"];
const PROVIDERS: &[&str] = &["GitHub", "GitLab", "Bitbucket", "AzureDevOps"];
const COMPUTE: &[&str] = &["small", "medium", "large", "xlarge", "2xlarge"];

/// Pipeline names: they prefix role names (at most 64 with the stage) and the artifact bucket
/// name (at most 63 with the account and Region).
fn check_name(name: &str) -> Result<(), (String, String)> {
    let ok = (1..=24).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if ok {
        Ok(())
    } else {
        Err((
            format!("`{name}` is not a usable pipeline name"),
            "write 1 to 24 letters, digits and hyphens, starting with a letter (it prefixes role and bucket names), e.g. \"SparkTest\"".into(),
        ))
    }
}

fn err(diags: &mut Diags, span: Span, p: (String, String)) {
    diags.error_help(span, p.0, p.1);
}

pub fn check(decl: &Declaration, ctx: &Context, diags: &mut Diags) -> Option<CicdPipeline> {
    let mut f = Fields::top(&decl.body, &super::DEF, diags);
    let mut handle = Handle::read(decl, &mut f, ctx, diags);
    if f.key_span("stack").is_none() {
        handle.stack = format!("{}-pipeline", ctx.default_stack());
    }
    let name = f.require("name", diags, "\"SparkTest\"").and_then(|v| v.string(diags));
    if let Some(n) = &name {
        if let Err(p) = check_name(&n.value) {
            err(diags, n.span, p);
        }
    }
    let source = read_source(&mut f, diags);
    let app_path = f.str("app_path", diags);
    if let Some(p) = &app_path {
        check_app_path(p, ctx, diags);
    }
    let spark_path = match f.str("spark_path", diags) {
        Some(p) => {
            check_spark_project(&p, ctx, diags);
            p.value
        }
        None => {
            check_spark_project(&Spanned::new(".".into(), f.span()), ctx, diags);
            ".".into()
        }
    };
    let spark_image = match f.str("spark_image", diags) {
        Some(s) if s.value.starts_with("emr-") => {
            if let Err((m, h)) = release::check_serverless(&s.value) {
                diags.error_help(s.span, m, h);
            }
            SparkImage::Release(s.value)
        }
        Some(s) if s.value.is_empty() || s.value.contains(char::is_whitespace) => {
            diags.error_help(
                s.span,
                "`spark_image` is an EMR release (\"emr-7.9.0\") or an image URI",
                "e.g. \"emr-7.9.0\" or \"public.ecr.aws/emr-on-eks/spark/emr-7.9.0:latest\"",
            );
            SparkImage::OfRuntime
        }
        Some(s) => SparkImage::Uri(s.value),
        None => SparkImage::OfRuntime,
    };
    let shared_test = f.get("integ_test").and_then(|v| read_integ_test(v, ctx, diags));
    let stages = read_stages(&mut f, shared_test.as_ref(), ctx, diags);
    let build_compute = match f.word("build_compute", diags, COMPUTE).map(|w| w.value) {
        Some("small") => "BUILD_GENERAL1_SMALL",
        Some("large") => "BUILD_GENERAL1_LARGE",
        Some("xlarge") => "BUILD_GENERAL1_XLARGE",
        Some("2xlarge") => "BUILD_GENERAL1_2XLARGE",
        _ => "BUILD_GENERAL1_MEDIUM",
    };
    let log_retention_days = match f.get("log_retention_days") {
        Some(v) => v
            .int_in(diags, 1, 3653)
            .and_then(|n| logs::check_retention(n.value).map_err(|p| err(diags, n.span, p)).ok())
            .unwrap_or(731),
        None => 731,
    };
    let removal = Removal::read(&mut f, ctx, diags);
    let tags = read_tags(&mut f, diags);
    f.finish(diags);
    Some(CicdPipeline {
        handle,
        name: name?.value,
        source: source?,
        app_path: app_path.map(|p| p.value).unwrap_or_else(|| ".".into()),
        spark_path,
        spark_image,
        stages: stages?,
        build_compute,
        log_retention_days,
        removal,
        tags,
        crate_name: ctx.crate_name.clone(),
    })
}

fn read_source(f: &mut Fields, diags: &mut Diags) -> Option<Source> {
    let repo = f.require("repository", diags, "\"owner/name\"");
    let branch = f.str("branch", diags);
    let connection_arn = f.str("connection_arn", diags);
    let provider = f.word("connection_provider", diags, PROVIDERS);
    let file_paths = f.strings("file_paths", diags).unwrap_or_default();
    let branch_name = branch
        .as_ref()
        .map(|b| b.value.clone())
        .unwrap_or_else(|| "main".into());
    if let Some(b) = &branch {
        if b.value.is_empty() || b.value.contains(char::is_whitespace) || b.value.contains("..") {
            diags.error_help(
                b.span,
                format!("`{}` is not a Git branch name", b.value),
                "e.g. \"main\"",
            );
        }
    }
    for p in &file_paths {
        if p.value.is_empty() || p.value.starts_with('/') {
            diags.error_help(
                p.span,
                format!("`{}` is not a path filter", p.value),
                "write a glob relative to the repository root, e.g. \"spark/**\"",
            );
        }
    }
    let repo = repo?;
    if let Some(call) = repo.call() {
        if call.name != "codecommit" {
            diags.error_help(
                call.name_span,
                format!("`{}(...)` is not a source", call.name),
                "write \"owner/name\" for a connection, or `codecommit(\"existing-repo\")`",
            );
            return None;
        }
        let name = match call.args.as_slice() {
            [v] => v.string(diags)?,
            _ => {
                diags.error_help(
                    call.name_span,
                    "`codecommit` takes the repository name",
                    "e.g. `codecommit(\"weekly-job\")`",
                );
                return None;
            }
        };
        let ok = (1..=100).contains(&name.value.len())
            && name
                .value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c));
        if !ok {
            diags.error_help(
                name.span,
                format!("`{}` is not a CodeCommit repository name", name.value),
                "1 to 100 letters, digits, `.`, `_` and `-`",
            );
        }
        for (key, span) in [
            ("connection_arn", connection_arn.as_ref().map(|c| c.span)),
            ("connection_provider", provider.as_ref().map(|p| p.span)),
            ("file_paths", f.key_span("file_paths")),
        ] {
            if let Some(span) = span {
                diags.error_help(
                    span,
                    format!("`{key}` applies to a connection source, and this one is CodeCommit"),
                    "remove it (CodeCommit starts the pipeline through EventBridge on every push to the branch)",
                );
            }
        }
        return Some(Source::CodeCommit {
            repository: name.value,
            branch: branch_name,
        });
    }
    let repository = repo.string(diags)?;
    let parts: Vec<&str> = repository.value.split('/').collect();
    if parts.len() < 2 || parts.iter().any(|p| p.is_empty() || p.contains(char::is_whitespace)) {
        diags.error_help(
            repository.span,
            format!("`{}` is not a repository id", repository.value),
            "write the repository as \"owner/name\" (GitLab groups: \"group/subgroup/name\"); for CodeCommit write `codecommit(\"name\")`",
        );
    }
    if let Some(arn) = &connection_arn {
        if let Err(p) = check_connection_arn(&arn.value) {
            err(diags, arn.span, p);
        }
        if let Some(p) = &provider {
            diags.error_help(
                p.span,
                "`connection_provider` is for the connection sparkform creates, and `connection_arn` names an existing one",
                "remove one of them",
            );
        }
    }
    Some(Source::Connection {
        repository: repository.value,
        branch: branch_name,
        connection_arn: connection_arn.map(|c| c.value),
        provider: provider.map(|p| p.value).unwrap_or("GitHub"),
        file_paths: file_paths.into_iter().map(|p| p.value).collect(),
    })
}

fn check_connection_arn(arn: &str) -> Result<(), (String, String)> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let ok = parts.len() == 6
        && parts[0] == "arn"
        && parts[1].starts_with("aws")
        && ["codeconnections", "codestar-connections"].contains(&parts[2])
        && regions::check_region(parts[3]).is_ok()
        && regions::check_account(parts[4]).is_ok()
        && parts[5].strip_prefix("connection/").is_some_and(|id| !id.is_empty());
    if ok {
        Ok(())
    } else {
        Err((
            format!("`{arn}` is not a CodeConnections connection ARN"),
            "write it like \"arn:aws:codeconnections:eu-west-1:111111111111:connection/<id>\"; leave `connection_arn` out to create one".into(),
        ))
    }
}

/// A relative path inside the repository, and (when the crate's location is known) the
/// path the crate really is at.
fn check_app_path(p: &Spanned<String>, ctx: &Context, diags: &mut Diags) {
    let v = p.value.trim_end_matches('/');
    if v.starts_with('/') || v.split('/').any(|c| c == ".." || c.is_empty()) {
        diags.error_help(
            p.span,
            format!("`{}` is not a path inside the repository", p.value),
            "write the crate's folder relative to the repository root, e.g. \"infra\" (or \".\" for the root)",
        );
        return;
    }
    let dir = ctx.crate_dir.to_string_lossy().replace('\\', "/");
    if v != "." && !dir.is_empty() && !dir.trim_end_matches('/').ends_with(&format!("/{v}")) {
        diags.error_help(
            p.span,
            format!("this crate is not in a folder `{v}`"),
            "`app_path` is where the crate (its Cargo.toml) is, relative to the repository root",
        );
    }
}

/// `pip install .` needs a project: pyproject.toml or setup.py.
fn check_spark_project(p: &Spanned<String>, ctx: &Context, diags: &mut Diags) {
    let Some(dir) = relative_path(p, ctx, diags, true) else {
        return;
    };
    if !dir.join("pyproject.toml").is_file() && !dir.join("setup.py").is_file() {
        diags.error_help(
            p.span,
            format!("the Spark project `{}` has no pyproject.toml or setup.py", p.value),
            "the build stage runs `pip install .` and `pytest` there; set `spark_path` to the folder of your Spark project",
        );
    }
}

fn read_stages(f: &mut Fields, shared: Option<&IntegTest>, ctx: &Context, diags: &mut Diags) -> Option<Vec<Stage>> {
    let Some(v) = f.get("stages") else {
        let span = f.span();
        return Some(
            DEFAULT_STAGES
                .iter()
                .enumerate()
                .map(|(i, name)| Stage {
                    name: name.to_string(),
                    name_span: span,
                    account: None,
                    region: None,
                    approval: false,
                    // As DSF: the integration test runs in staging.
                    integ_test: if i == 0 { shared.cloned() } else { None },
                })
                .collect(),
        );
    };
    let list = v.list(diags)?;
    if list.is_empty() {
        diags.error_help(v.span, "a pipeline needs at least one stage", "e.g. `[{ name: \"staging\" }, { name: \"prod\", approval: true }]`, or remove `stages` for staging and prod");
        return None;
    }
    let mut stages: Vec<Stage> = Vec::new();
    let mut shared_used = false;
    for item in list {
        let Some(obj) = item.object(diags) else { continue };
        let mut s = Fields::new(obj, "a stage", diags);
        let name = s.require("name", diags, "\"staging\"").and_then(|v| v.string(diags));
        let account = s.get("account").and_then(|v| match &v.kind {
            ValueKind::Int(n) => {
                diags.error_help(
                    v.span,
                    "an account id is written as a string",
                    format!("write `\"{n:012}\"`: a leading zero would be lost in a number"),
                );
                None
            }
            _ => v.string(diags),
        });
        let region = s.str("region", diags);
        let approval = s.bool("approval", diags).unwrap_or(false);
        let integ = match s.get("integ_test") {
            Some(Value {
                kind: ValueKind::Bool(true),
                span,
            }) => {
                shared_used = true;
                if shared.is_none() {
                    diags.error_help(
                        *span,
                        "`integ_test: true` runs the pipeline's integration test, and the pipeline declares none",
                        "declare `integ_test: { script: \"spark/integ.sh\", ... }` on the pipeline, or give this stage its own",
                    );
                }
                shared.cloned()
            }
            Some(Value {
                kind: ValueKind::Bool(false),
                ..
            })
            | None => None,
            Some(v) => read_integ_test(v, ctx, diags),
        };
        s.finish(diags);
        if let Some(a) = &account {
            if let Err(p) = regions::check_account(&a.value) {
                err(diags, a.span, p);
            }
        }
        if let Some(r) = &region {
            if let Err(p) = regions::check_region(&r.value) {
                err(diags, r.span, p);
            }
        }
        let Some(name) = name else { continue };
        if let Err(p) = check_stage_name(&name.value) {
            err(diags, name.span, p);
        }
        if stages.iter().any(|x| x.name == name.value) {
            diags.error_help(
                name.span,
                format!("the stage name `{}` is used twice", name.value),
                "stage names are unique: they name the pipeline's stages and prefix their stacks",
            );
        }
        stages.push(Stage {
            name: name.value,
            name_span: name.span,
            account: account.map(|a| a.value),
            region: region.map(|r| r.value),
            approval,
            integ_test: integ,
        });
    }
    if shared.is_some() && !shared_used {
        if let Some(span) = f.key_span("integ_test") {
            diags.error_help(
                span,
                "the pipeline's `integ_test` runs in no stage",
                "add `integ_test: true` to the stages that run it",
            );
        }
    }
    let regions: Vec<&str> = stages.iter().filter_map(|s| s.region.as_deref()).collect();
    if let Some(first) = regions.first() {
        if let Some(other) = stages.iter().find(|s| s.region.as_deref().is_some_and(|r| r != *first)) {
            diags.error_help(
                other.name_span,
                format!(
                    "stage `{}` is in {}, and another stage in {first}: every stage deploys in the pipeline's Region",
                    other.name,
                    other.region.as_deref().unwrap_or_default()
                ),
                "deploy every stage in one Region (a stage in another Region needs an artifact bucket there, which sparkform does not create yet)",
            );
        }
    }
    Some(stages)
}

fn read_integ_test(v: &Value, ctx: &Context, diags: &mut Diags) -> Option<IntegTest> {
    let obj = v.object(diags)?;
    let mut f = Fields::new(obj, "an integration test", diags);
    let script = f
        .require("script", diags, "\"spark/integ.sh\"")
        .and_then(|v| v.string(diags));
    let script_ok = script
        .as_ref()
        .is_some_and(|s| relative_path(s, ctx, diags, false).is_some());
    let mut env = Vec::new();
    if let Some(o) = f.object("env", diags) {
        for e in &o.entries {
            let ok = e.key.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                && e.key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !e.key.starts_with("CODEBUILD_");
            if !ok {
                diags.error_help(
                    e.key_span,
                    format!("`{}` is not a usable environment variable name", e.key),
                    "letters, digits and `_`, not starting with a digit nor `CODEBUILD_`",
                );
            }
            if env.iter().any(|(k, _)| k == &e.key) {
                diags.error(e.key_span, format!("duplicate variable `{}`", e.key));
                continue;
            }
            let value = match &e.value.kind {
                ValueKind::Str(s) => EnvValue::Literal(s.clone()),
                ValueKind::Int(n) => EnvValue::Literal(n.to_string()),
                ValueKind::Bool(b) => EnvValue::Literal(b.to_string()),
                ValueKind::Path(p) if !p.members.is_empty() => EnvValue::Attribute(p.clone()),
                ValueKind::Path(p) => {
                    diags.error_help(
                        e.value.span,
                        format!("`{}` is a handle; a variable takes one of its attributes", p.text),
                        format!("e.g. `{}.state_machine_arn`", p.text),
                    );
                    continue;
                }
                other => {
                    diags.error_help(
                        e.value.span,
                        format!("expected a string or an attribute, found {}", other.describe()),
                        "e.g. `\"full\"` or `NIGHTLY.state_machine_arn`",
                    );
                    continue;
                }
            };
            env.push((e.key.clone(), value));
        }
    }
    let permissions = f
        .list("permissions", diags)
        .map(|l| read_statements(l, diags))
        .unwrap_or_default();
    let timeout_minutes = f
        .int("timeout_minutes", diags, 5, 2160)
        .map(|n| n.value as u32)
        .unwrap_or(60);
    f.finish(diags);
    if !script_ok {
        return None;
    }
    Some(IntegTest {
        script: script?.value,
        env,
        permissions,
        timeout_minutes,
    })
}
