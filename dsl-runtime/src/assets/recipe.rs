//! What a virtualenv build is: the recipe, the image it is built on and the cache key, for
//! deploy (the recipe's own image) or a local run (a local image, under a key of its own).
//! Needs no Docker client; the build itself is in `venv.rs` (the `docker` feature).

use sparkform_assembly::VenvRecipe;
use std::path::PathBuf;

/// The name the Dockerfile is sent under in the build context; a file of that name in the
/// project is left out, so it cannot clash.
pub const DOCKERFILE_NAME: &str = ".sparkform.Dockerfile";

/// The environment variable naming a base image for local builds only (`run --local`).
pub const LOCAL_BASE_IMAGE_ENV: &str = "SPARKFORM_BASE_IMAGE";

/// What to build: a package's recipe (from the manifest) on an image, cached under a key.
#[derive(Debug, Clone, PartialEq)]
pub struct VenvBuild {
    /// The crate's folder: the recipe's paths are relative to it.
    pub root: PathBuf,
    pub recipe: VenvRecipe,
    /// The image the venv is built on: the recipe's own (what deploy uploads), or a local
    /// override for `run --local`.
    pub image: String,
    /// The cache key: the compile-time content hash, which covers the recipe's image; with
    /// another image, that hash plus the image (so such a build never takes the AWS key).
    pub key: String,
}

impl VenvBuild {
    /// The build deploy uploads: on the recipe's image (declared, or EMR's default), under the
    /// content hash the manifest's key holds. No override applies.
    pub fn for_deploy(root: impl Into<PathBuf>, recipe: &VenvRecipe, hash: &str) -> VenvBuild {
        VenvBuild {
            root: root.into(),
            recipe: recipe.clone(),
            image: recipe.base_image.clone(),
            key: hash.to_string(),
        }
    }

    /// A build for this machine only: on `image` when given (`$SPARKFORM_BASE_IMAGE`, see
    /// [`local_base_image`]), else the recipe's. Another image than the recipe's gets its own key.
    pub fn for_local(root: impl Into<PathBuf>, recipe: &VenvRecipe, hash: &str, image: Option<&str>) -> VenvBuild {
        let image = image.filter(|i| !i.trim().is_empty()).unwrap_or(&recipe.base_image);
        VenvBuild {
            root: root.into(),
            recipe: recipe.clone(),
            image: image.to_string(),
            key: if image == recipe.base_image {
                hash.to_string()
            } else {
                local_key(hash, image)
            },
        }
    }

    /// Built on another image than the recipe's: for this machine only, never uploaded.
    pub fn is_local_only(&self) -> bool {
        self.image != self.recipe.base_image
    }

    /// The build context: the Spark project folder.
    pub fn context(&self) -> PathBuf {
        self.root.join(&self.recipe.context)
    }

    /// The user's Dockerfile, if the project has one.
    pub fn dockerfile(&self) -> Option<PathBuf> {
        self.recipe.dockerfile.as_ref().map(|d| self.root.join(d))
    }

    /// The archive's file name (the last component of the archive path).
    pub fn archive_name(&self) -> &str {
        self.recipe.archive_name()
    }
}

/// `$SPARKFORM_BASE_IMAGE`: the base image of local builds (`run --local`), e.g. the image
/// `scripts/test-services` makes where no registry is reachable. Deploy never uses it.
pub fn local_base_image() -> Option<String> {
    std::env::var(LOCAL_BASE_IMAGE_ENV)
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// The cache key of a build of `hash` on another `image`: the hash, the image's name made
/// safe for a folder name, and a digest of the image (so two images never share a key).
pub fn local_key(hash: &str, image: &str) -> String {
    use sha2::Digest;
    let slug: String = image
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .take(32)
        .collect();
    let digest = super::hex(&sha2::Sha256::digest(image.as_bytes()));
    let short: String = hash.chars().take(64).collect();
    format!("{short}-local-{slug}-{}", &digest[..12])
}
