//! `pyspark_package!`: DSF's PySparkApplicationPackage. The entry point and, when there are
//! dependencies, a virtualenv archive built in Docker, uploaded by the runtime under keys
//! that contain a hash of their inputs: same inputs, same keys, nothing rebuilt or uploaded.

use crate::diag::Diags;
use crate::model::common::{Context, Handle, Removal};
use crate::reader::{Fields, Spanned};
use crate::value::Declaration;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

use sparkform_assembly::assets::is_ignored as ignored;
pub use sparkform_assembly::assets::{ARTIFACTS_PREFIX, DEFAULT_ARCHIVE_PATH, DEFAULT_BASE_IMAGE};
use sparkform_assembly::VenvRecipe;

#[derive(Clone, Debug)]
pub struct PySparkPackage {
    pub handle: Handle,
    pub name: String,
    /// Relative to the crate.
    pub entrypoint: String,
    pub entrypoint_hash: String,
    pub venv: Option<Venv>,
    /// An existing bucket, or None to create one.
    pub artifacts_bucket: Option<String>,
    pub removal: Removal,
    /// Every file the package read, absolute: the macro tracks them so edits rebuild.
    pub tracked: Vec<PathBuf>,
}

#[derive(Clone, Debug)]
pub struct Venv {
    /// How the runtime builds it (the image is the declared one, or [`DEFAULT_BASE_IMAGE`]).
    pub recipe: VenvRecipe,
    /// Covers the files, the image and the recipe: exactly what is built.
    pub hash: String,
}

impl PySparkPackage {
    /// S3 key of the entry point.
    pub fn entrypoint_key(&self) -> String {
        let file = Path::new(&self.entrypoint)
            .file_name()
            .map(|f| f.to_string_lossy().to_string())
            .unwrap_or_default();
        format!(
            "{ARTIFACTS_PREFIX}/{}/{}/{file}",
            self.name,
            short(&self.entrypoint_hash)
        )
    }

    /// `s3://${ArtifactsBucket}/<entry point key>`.
    pub fn entrypoint_uri(&self) -> String {
        format!(
            "s3://{}/{}",
            sparkform_assembly::Placeholder::ArtifactsBucket,
            self.entrypoint_key()
        )
    }

    /// S3 key of the venv archive.
    pub fn venv_key(&self) -> Option<String> {
        let v = self.venv.as_ref()?;
        let file = v.recipe.archive_name();
        Some(format!(
            "{ARTIFACTS_PREFIX}/{}/venv-{}/{file}",
            self.name,
            short(&v.hash)
        ))
    }
}

fn short(hash: &str) -> &str {
    hash.get(..16).unwrap_or(hash)
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        if ignored(&name) {
            continue;
        }
        let p = e.path();
        if p.is_dir() {
            collect(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// SHA-256 over the files (path relative to `root`, then contents), in sorted order, plus
/// `extra` (build settings that change the result).
pub fn hash_files(root: &Path, files: &[PathBuf], extra: &[String]) -> String {
    let mut sorted: Vec<&PathBuf> = files.iter().collect();
    sorted.sort();
    let mut h = Sha256::new();
    for f in sorted {
        let rel = f.strip_prefix(root).unwrap_or(f).to_string_lossy().replace('\\', "/");
        h.update(rel.as_bytes());
        h.update([0]);
        let bytes = std::fs::read(f).unwrap_or_default();
        h.update((bytes.len() as u64).to_le_bytes());
        h.update(&bytes);
    }
    for e in extra {
        h.update(e.as_bytes());
        h.update([0]);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn relative_path(v: &Spanned<String>, ctx: &Context, diags: &mut Diags, want_dir: bool) -> Option<PathBuf> {
    let p = Path::new(&v.value);
    if p.is_absolute() {
        diags.error_help(
            v.span,
            format!("`{}` is absolute", v.value),
            "write the path relative to the crate (where Cargo.toml is)",
        );
        return None;
    }
    let full = ctx.crate_dir.join(p);
    let ok = if want_dir { full.is_dir() } else { full.is_file() };
    if !ok {
        let what = if want_dir { "folder" } else { "file" };
        let hint = if full.exists() {
            format!("`{}` exists but is not a {what}", v.value)
        } else {
            not_found_hint(p, &ctx.crate_dir, want_dir)
        };
        diags.error_help(v.span, format!("{what} `{}` not found", v.value), hint);
        return None;
    }
    Some(full)
}

/// What to say about a path that does not exist: a close name next to it, or the first
/// folder on the way that is missing (the crate directory itself is not named: it is the
/// folder of the crate's Cargo.toml, and naming it would tie messages to one machine).
fn not_found_hint(rel: &Path, crate_dir: &Path, want_dir: bool) -> String {
    let mut existing = PathBuf::new();
    let components: Vec<_> = rel.components().collect();
    for (i, c) in components.iter().enumerate() {
        let next = existing.join(c);
        if crate_dir.join(&next).exists() {
            existing = next;
            continue;
        }
        let last = i + 1 == components.len();
        let name = c.as_os_str().to_string_lossy().to_string();
        // A typo in this component: compare with the entries of the folder that exists.
        let entries: Vec<String> = std::fs::read_dir(crate_dir.join(&existing))
            .map(|rd| {
                rd.flatten()
                    .filter(|e| {
                        let p = e.path();
                        if last && !want_dir {
                            p.is_file()
                        } else {
                            p.is_dir()
                        }
                    })
                    .map(|e| e.file_name().to_string_lossy().to_string())
                    .filter(|n| !ignored(n))
                    .collect()
            })
            .unwrap_or_default();
        if let Some(near) = crate::diag::did_you_mean(&name, entries.iter().map(String::as_str)) {
            let mut fixed = existing.join(near);
            for rest in &components[i + 1..] {
                fixed.push(rest);
            }
            return format!("did you mean `{}`?", fixed.display());
        }
        return if existing.as_os_str().is_empty() {
            format!("paths are relative to the crate directory (where Cargo.toml is), which has no `{name}`")
        } else {
            format!(
                "paths are relative to the crate directory (where Cargo.toml is), and its `{}` has no `{name}`",
                existing.display()
            )
        };
    }
    "paths are relative to the crate directory (where Cargo.toml is)".into()
}

pub fn check(decl: &Declaration, ctx: &Context, diags: &mut Diags) -> Option<PySparkPackage> {
    let mut f = Fields::top(&decl.body, &super::DEF, diags);
    let handle = Handle::read(decl, &mut f, ctx, diags);
    let name = f
        .require("name", diags, "\"nightly-job-aggregation\"")
        .and_then(|v| v.string(diags));
    if let Some(n) = &name {
        let ok = !n.value.is_empty()
            && n.value.len() <= 64
            && n.value.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
        if !ok {
            let bad = n
                .value
                .chars()
                .find(|c| !(c.is_ascii_alphanumeric() || "-_.".contains(*c)));
            let why = match bad {
                Some('/') => "`/` would split the S3 prefix `emr-artifacts/<name>/`".to_string(),
                Some(c) if c.is_whitespace() => "it contains a space".to_string(),
                Some(c) => format!("it contains `{c}`"),
                None if n.value.is_empty() => "it is empty".to_string(),
                None => format!("it has {} characters", n.value.len()),
            };
            let fixed: String = n
                .value
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                        c
                    } else {
                        '-'
                    }
                })
                .take(64)
                .collect();
            let example = if bad.is_some() && !fixed.trim_matches('-').is_empty() {
                format!(", e.g. \"{fixed}\"")
            } else {
                String::new()
            };
            diags.error_help(
                n.span,
                format!("`{}` is not a valid package name: {why}", n.value),
                format!("use 1 to 64 letters, digits, `-`, `_` and `.`{example}"),
            );
        }
    }
    let mut tracked = Vec::new();
    let entry = f
        .require("entrypoint", diags, "\"spark/src/job.py\"")
        .and_then(|v| v.string(diags));
    let entry_full = entry.as_ref().and_then(|e| relative_path(e, ctx, diags, false));
    if let (Some(e), Some(_)) = (&entry, &entry_full) {
        if !e.value.ends_with(".py") {
            diags.error_help(
                e.span,
                format!("`{}` is not a Python file", e.value),
                "the entry point is the job's .py file",
            );
        }
    }
    let deps = f.str("dependencies", diags);
    let deps_full = deps.as_ref().and_then(|d| relative_path(d, ctx, diags, true));
    let archive = f.str("venv_archive_path", diags);
    let base_image = f.str("base_image", diags);
    let bucket = f.str("artifacts_bucket", diags);
    if let Some(b) = &bucket {
        let ok = (3..=63).contains(&b.value.len())
            && b.value
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.');
        if !ok {
            diags.error_help(
                b.span,
                format!("`{}` is not a bucket name", b.value),
                "bucket names are 3 to 63 lowercase letters, digits, dots and hyphens",
            );
        }
    }
    let removal = Removal::read(&mut f, ctx, diags);
    f.finish(diags);

    if let Some(a) = &archive {
        if !a.value.starts_with('/') || !a.value.ends_with(".tar.gz") {
            diags.error_help(
                a.span,
                format!("`{}` is not an absolute path to a .tar.gz", a.value),
                "the archive path is where the image holds the packed venv, e.g. \"/venv-package/pyspark-env.tar.gz\"",
            );
        }
        if deps.is_none() {
            diags.error_help(
                a.span,
                "`venv_archive_path` is where the image writes the venv of `dependencies`, and this package has none",
                "remove this line, or add `dependencies: \"spark\"` (the folder with your Dockerfile that builds the archive)",
            );
        }
    }
    let venv = match (&deps, &deps_full) {
        (Some(d), Some(dir)) => {
            let dockerfile = dir
                .join("Dockerfile")
                .is_file()
                .then(|| format!("{}/Dockerfile", d.value.trim_end_matches('/')));
            let project_file = ["pyproject.toml", "requirements.txt"]
                .into_iter()
                .find(|p| dir.join(p).is_file())
                .map(str::to_string);
            if dockerfile.is_none() && project_file.is_none() {
                diags.error_help(d.span, format!("`{}` has no Dockerfile, pyproject.toml or requirements.txt", d.value), "add a Dockerfile that builds the venv archive, or a pyproject.toml / requirements.txt and sparkform writes the Dockerfile");
            }
            if dockerfile.is_some() && archive.is_none() {
                diags.error_help(d.span, "Virtual environment archive path is required if there are dependencies", "with your own Dockerfile, say where it writes the archive: `venv_archive_path: \"/venv-package/pyspark-env.tar.gz\"`");
            }
            let mut files = Vec::new();
            collect(dir, &mut files);
            tracked.extend(files.iter().cloned());
            let recipe = VenvRecipe {
                context: d.value.trim_end_matches('/').to_string(),
                dockerfile,
                project_file,
                base_image: base_image
                    .as_ref()
                    .map(|b| b.value.clone())
                    .unwrap_or_else(|| DEFAULT_BASE_IMAGE.into()),
                archive_path: archive
                    .as_ref()
                    .map(|a| a.value.clone())
                    .unwrap_or_else(|| DEFAULT_ARCHIVE_PATH.into()),
            };
            let hash = hash_files(&ctx.crate_dir, &files, &recipe.hash_inputs());
            Some(Venv { recipe, hash })
        }
        _ => None,
    };
    if let (Some(b), None) = (&base_image, &deps) {
        diags.error_help(
            b.span,
            "`base_image` is the image sparkform builds the venv of `dependencies` in, and this package has none",
            "remove this line, or add `dependencies: \"spark\"` (the folder with your pyproject.toml or requirements.txt)",
        );
    }
    let entrypoint_hash = entry_full
        .as_ref()
        .map(|p| hash_files(&ctx.crate_dir, std::slice::from_ref(p), &[]))
        .unwrap_or_default();
    tracked.extend(entry_full.iter().cloned());
    Some(PySparkPackage {
        handle,
        name: name?.value,
        entrypoint: entry?.value,
        entrypoint_hash,
        venv,
        artifacts_bucket: bucket.map(|b| b.value),
        removal,
        tracked,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_found_hints() {
        let dir = std::env::temp_dir().join(format!("sparkform-pkg-hint-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("spark/src")).unwrap();
        std::fs::write(dir.join("spark/src/entrypoint.py"), "").unwrap();
        let hint = |p: &str, want_dir| not_found_hint(Path::new(p), &dir, want_dir);
        assert_eq!(
            hint("spark/src/entrypont.py", false),
            "did you mean `spark/src/entrypoint.py`?"
        );
        assert_eq!(
            hint("sprak/src/entrypoint.py", false),
            "did you mean `spark/src/entrypoint.py`?"
        );
        assert!(hint("jobs/job.py", false).ends_with("which has no `jobs`"));
        assert!(hint("spark/src/other_job.py", false).ends_with("its `spark/src` has no `other_job.py`"));
        assert_eq!(hint("spark/srcs", true), "did you mean `spark/src`?");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
