//! Files the runtime uploads after the stack that holds their bucket: a PySpark package's
//! entry point, and its virtualenv archive built in Docker from the recipe here. The compiler
//! hashes exactly what the runtime builds, so the same key always means the same bytes.

use crate::value_ref::ValueRef;
use serde::{Deserialize, Serialize};

/// S3 prefix of every package artifact (DSF's `ARTIFACTS_PREFIX`).
pub const ARTIFACTS_PREFIX: &str = "emr-artifacts";
/// The image the generated Dockerfile starts from by default: Amazon Linux 2023, which EMR
/// Serverless and EMR on EKS 7.x run on.
pub const DEFAULT_BASE_IMAGE: &str = "public.ecr.aws/amazonlinux/amazonlinux:2023";
/// Where the generated Dockerfile writes the archive.
pub const DEFAULT_ARCHIVE_PATH: &str = "/output/pyspark_venv.tar.gz";
/// Bumped whenever the generated Dockerfile changes in a way its text does not show.
pub const VENV_RECIPE_VERSION: u32 = 2;

/// Names never hashed, never sent to Docker, never copied for a local run, at any depth.
pub const IGNORED_NAMES: &[&str] = &[
    ".git",
    ".venv",
    "venv",
    "__pycache__",
    "target",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
    ".tox",
    "build",
    "dist",
];

/// The one ignore list: the compiler's hash, the Docker build context and the local run use it.
pub fn is_ignored(name: &str) -> bool {
    IGNORED_NAMES.contains(&name) || name.ends_with(".pyc") || name.ends_with(".egg-info")
}

/// Whether an image is one EMR's Python runs on: a venv built elsewhere may not load there.
pub fn is_emr_compatible_image(image: &str) -> bool {
    let repo = image.split('@').next().unwrap_or(image);
    let repo = repo
        .rsplit_once(':')
        .filter(|(_, tag)| !tag.contains('/'))
        .map_or(repo, |(r, _)| r);
    repo.ends_with("amazonlinux/amazonlinux")
        || repo == "amazonlinux"
        || repo.contains("/emr-serverless/")
        || repo.contains("/emr-on-eks/")
}

/// One asset to upload.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Asset {
    pub id: String,
    /// The `pyspark_package!` (or other construct) handle it belongs to.
    pub package: String,
    #[serde(flatten)]
    pub source: AssetSource,
    /// Content hash of the inputs (the key contains it too).
    pub hash: String,
    pub bucket: ValueRef,
    pub key: String,
    /// The stack that must be deployed before the upload (the one holding the bucket, or the
    /// package's own stack for an existing bucket).
    pub stack: String,
}

/// What is uploaded.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(tag = "kind")]
pub enum AssetSource {
    /// A file of the crate, uploaded as is.
    #[serde(rename = "file")]
    File {
        /// Relative to the crate.
        source: String,
    },
    /// A virtualenv archive built in Docker.
    #[serde(rename = "venv")]
    Venv(VenvRecipe),
    /// A file sparkform writes (an EMR on EKS runtime's default pod templates).
    #[serde(rename = "inline")]
    Inline { content: String },
}

/// How a PySpark virtualenv archive is built.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct VenvRecipe {
    /// The build context folder, relative to the crate.
    pub context: String,
    /// The user's Dockerfile (relative to the crate), or none: [`VenvRecipe::generated_dockerfile`].
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub dockerfile: Option<String>,
    /// `pyproject.toml` or `requirements.txt`, what the generated Dockerfile installs.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub project_file: Option<String>,
    /// The image the venv is built on for AWS: declared, or [`DEFAULT_BASE_IMAGE`]. A user
    /// Dockerfile receives it as the build argument `BASE_IMAGE`.
    pub base_image: String,
    /// Where the image holds the archive.
    pub archive_path: String,
}

impl VenvRecipe {
    /// The archive's file name.
    pub fn archive_name(&self) -> &str {
        self.archive_path.rsplit('/').next().unwrap_or(&self.archive_path)
    }

    /// The Dockerfile sparkform writes when the project has none, following DSF's recipe: a
    /// `--copies` virtualenv with venv-pack and the project installed, packed to the archive
    /// path. The venv and venv-pack come before the project is copied, so Docker reuses
    /// those layers when only the project changes. `None` with a Dockerfile of the user's.
    pub fn generated_dockerfile(&self, image: &str) -> Option<String> {
        if self.dockerfile.is_some() {
            return None;
        }
        let install = match self.project_file.as_deref() {
            Some("requirements.txt") => "/opt/pyspark_venv/bin/pip install -r requirements.txt",
            _ => "/opt/pyspark_venv/bin/pip install .",
        };
        let dir = match self.archive_path.rsplit_once('/') {
            Some(("", _)) | None => "/",
            Some((dir, _)) => dir,
        };
        Some(format!(
            "# Generated by sparkform for pyspark_package! (DSF's PySparkApplicationPackage recipe).\n\
             FROM {image}\n\
             ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PIP_DEFAULT_TIMEOUT=180\n\
             RUN python3 -m venv --copies /opt/pyspark_venv\n\
             RUN /opt/pyspark_venv/bin/pip install venv-pack==0.2.0\n\
             COPY . /opt/sparkform/project\n\
             WORKDIR /opt/sparkform/project\n\
             RUN {install}\n\
             RUN mkdir -p {dir} && /opt/pyspark_venv/bin/venv-pack -p /opt/pyspark_venv -o {path}\n",
            path = self.archive_path,
        ))
    }

    /// The build settings that change the archive, for the content hash: the image, the
    /// archive path and the recipe (the generated Dockerfile itself, or the recipe version).
    pub fn hash_inputs(&self) -> Vec<String> {
        vec![
            self.archive_path.clone(),
            self.base_image.clone(),
            format!("sparkform-venv-recipe-{VENV_RECIPE_VERSION}"),
            self.generated_dockerfile(&self.base_image).unwrap_or_default(),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emr_images() {
        assert!(is_emr_compatible_image(DEFAULT_BASE_IMAGE));
        assert!(is_emr_compatible_image("amazonlinux:2023"));
        assert!(is_emr_compatible_image(
            "public.ecr.aws/emr-serverless/spark/emr-7.9.0:latest"
        ));
        assert!(!is_emr_compatible_image("local/python-base:bookworm"));
        assert!(!is_emr_compatible_image("python:3.11-slim"));
    }

    #[test]
    fn asset_layout_is_flat() {
        let a = Asset {
            id: "PkgEntrypoint".into(),
            package: "PKG".into(),
            source: AssetSource::File {
                source: "spark/job.py".into(),
            },
            hash: "ab".into(),
            bucket: ValueRef::literal("b"),
            key: "k".into(),
            stack: "s".into(),
        };
        let text = serde_json::to_string(&a).unwrap();
        assert_eq!(
            text,
            r#"{"id":"PkgEntrypoint","package":"PKG","kind":"file","source":"spark/job.py","hash":"ab","bucket":{"value":"b"},"key":"k","stack":"s"}"#
        );
        assert_eq!(serde_json::from_str::<Asset>(&text).unwrap(), a);
    }

    #[test]
    fn recipe_follows_the_project_file() {
        let mut r = VenvRecipe {
            context: "spark".into(),
            dockerfile: None,
            project_file: Some("requirements.txt".into()),
            base_image: DEFAULT_BASE_IMAGE.into(),
            archive_path: "/venv/env.tar.gz".into(),
        };
        let d = r.generated_dockerfile("img").unwrap();
        assert!(d.contains("FROM img\n") && d.contains("-r requirements.txt") && d.contains("mkdir -p /venv "));
        r.dockerfile = Some("spark/Dockerfile".into());
        assert_eq!(r.generated_dockerfile("img"), None);
    }
}
