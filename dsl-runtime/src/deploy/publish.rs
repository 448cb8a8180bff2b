//! Uploading the packages' assets after their stacks deploy: the entry point as is, the
//! virtualenv archive built in Docker (or taken from the cache). Keys contain content
//! hashes, so an unchanged asset is neither rebuilt nor uploaded.

use crate::assembly::{Assembly, AssetEntry};
use crate::assets::cache::AssetCache;
use crate::assets::upload::{upload_if_absent, Upload};
use crate::assets::Stats;
#[cfg(feature = "docker")]
use crate::assets::{
    connect_docker,
    venv::{build_venv, VenvBuild},
};
use crate::aws::Aws;
use crate::jobs::Outputs;
use std::path::{Path, PathBuf};

/// The image sparkform's Dockerfile starts from when neither the package nor the
/// environment names one (sparkform-build's default too).
pub const DEFAULT_BASE_IMAGE: &str = "public.ecr.aws/amazonlinux/amazonlinux:2023";

/// The package's base image; unset in the macro: `$SPARKFORM_BASE_IMAGE` (e.g. a local
/// image), else Amazon Linux.
pub fn base_image(declared: Option<&str>) -> String {
    declared
        .map(str::to_string)
        .or_else(|| std::env::var("SPARKFORM_BASE_IMAGE").ok().filter(|s| !s.is_empty()))
        .unwrap_or_else(|| DEFAULT_BASE_IMAGE.into())
}

/// The local file of an asset: the source file, or the venv archive (built when not cached).
pub async fn local_file(asm: &Assembly, a: &AssetEntry, cache: &AssetCache, stats: &Stats) -> Result<PathBuf, String> {
    let root = Path::new(&asm.manifest.crate_dir);
    match a.kind.as_str() {
        "file" => {
            let p = root.join(a.source.as_deref().unwrap_or_default());
            if !p.is_file() {
                return Err(format!(
                    "{} is missing; it was there when the app was built: rebuild with `cargo build`",
                    p.display()
                ));
            }
            Ok(p)
        }
        #[cfg(not(feature = "docker"))]
        "venv" => {
            let _ = (cache, stats);
            Err(crate::assets::docker_disabled(&a.id))
        }
        #[cfg(feature = "docker")]
        "venv" => {
            let context = root.join(a.context.as_deref().unwrap_or_default());
            let b = VenvBuild {
                dockerfile: a.dockerfile.as_ref().map(|d| root.join(d)),
                context,
                base_image: base_image(a.base_image.as_deref()),
                archive_path: a.archive_path.clone().unwrap_or_default(),
                hash: a.hash.clone(),
            };
            if let Some(hit) = cache.get_file(&b.hash, b.archive_name()) {
                return Ok(hit);
            }
            let docker = connect_docker(None).map_err(|e| e.to_string())?;
            build_venv(&docker, &b, cache, stats).await.map_err(|e| e.to_string())
        }
        other => Err(format!(
            "unknown asset kind `{other}`; rebuild the app with this version of sparkform"
        )),
    }
}

/// Uploads every asset whose stack is among `stacks` (all when empty).
pub async fn publish(
    aws: &Aws,
    asm: &Assembly,
    stacks: &[String],
    stats: &Stats,
    say: &dyn Fn(String),
) -> Result<Vec<(String, Upload)>, String> {
    let cache = AssetCache::from_env();
    let mut outputs = Outputs::new(asm);
    let mut done = Vec::new();
    for a in &asm.manifest.assets {
        if let Some(stack) = &a.bucket.stack {
            if !stacks.is_empty() && !stacks.contains(stack) {
                continue;
            }
        }
        let bucket = outputs.resolve(aws, &a.bucket).await?;
        let file = local_file(asm, a, &cache, stats).await?;
        let result = upload_if_absent(&aws.s3, &bucket, &a.key, &file, stats)
            .await
            .map_err(|e| e.to_string())?;
        say(match result {
            Upload::Uploaded => format!("{}: uploaded s3://{bucket}/{}", a.id, a.key),
            Upload::AlreadyThere => format!("{}: unchanged (s3://{bucket}/{})", a.id, a.key),
        });
        done.push((a.id.clone(), result));
    }
    Ok(done)
}
