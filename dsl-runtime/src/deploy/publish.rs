//! The assets step: after the stack holding their bucket deploys, each asset is uploaded
//! under its content-hash key (the entry point as is, the virtualenv archive built in Docker
//! or taken from the cache), so an unchanged asset is neither rebuilt nor uploaded. Deploy
//! builds on the package's own image (declared, or EMR's default), never a local override.

use super::api::CloudFormation;
use super::error::DeployError;
use super::outputs::Outputs;
use super::ui::Ui;
use crate::assembly::{Assembly, Asset, AssetSource, VenvRecipe};
use crate::assets::cache::AssetCache;
use crate::assets::upload::{upload_if_absent, Upload};
#[cfg(feature = "docker")]
use crate::assets::{build_venv, connect_docker, VenvBuild};
use crate::assets::{local_base_image, AssetError, Stats, LOCAL_BASE_IMAGE_ENV};
use sparkform_assembly::assets::{is_emr_compatible_image, DEFAULT_BASE_IMAGE};
use std::path::{Path, PathBuf};

/// One asset of an assets step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssetReport {
    pub id: String,
    pub uri: String,
    pub upload: Upload,
}

/// What deploy says about the image a venv is built on: which, and a warning when EMR does
/// not run on it (a venv built elsewhere may not load there).
pub fn image_notes(id: &str, recipe: &VenvRecipe) -> Vec<String> {
    let image = &recipe.base_image;
    let why = if image == DEFAULT_BASE_IMAGE {
        "sparkform's default: the Amazon Linux 2023 that EMR 7 runs on"
    } else {
        "the package's `base_image`"
    };
    let mut notes = vec![format!("{id}: the virtualenv for AWS is built on {image} ({why})")];
    if !is_emr_compatible_image(image) {
        notes.push(format!(
            "warning: {id} is built on `{image}`, which is not an image EMR runs on: its virtualenv may not load on EMR Serverless or EMR on EKS. Declare `base_image` as an Amazon Linux 2023 or EMR image (or leave it out for the default)"
        ));
    }
    if let Some(local) = local_base_image().filter(|l| l != image) {
        notes.push(format!(
            "note: {LOCAL_BASE_IMAGE_ENV} ({local}) applies to `run --local` only; deploy builds on {image}"
        ));
    }
    notes
}

/// The file deploy uploads for an asset: the source file, or the venv archive built on the
/// recipe's image (from the cache when built before).
pub async fn deploy_file(asm: &Assembly, a: &Asset, cache: &AssetCache, stats: &Stats) -> Result<PathBuf, AssetError> {
    let root = Path::new(&asm.manifest.crate_dir);
    match &a.source {
        AssetSource::File { source } => {
            let p = root.join(source);
            if !p.is_file() {
                return Err(AssetError::InvalidInput(format!(
                    "{} is missing; it was there when the app was built: rebuild with `cargo build`",
                    p.display()
                )));
            }
            Ok(p)
        }
        AssetSource::Inline { content } => {
            // Written once per content hash; the file is what is uploaded.
            let name = a.key.rsplit('/').next().unwrap_or("asset");
            if let Some(hit) = cache.get_file(&a.hash, name) {
                return Ok(hit);
            }
            let io = |action: &str, path: &Path| {
                let (action, path) = (action.to_string(), path.to_path_buf());
                move |source| AssetError::Io { action, path, source }
            };
            let tmp = cache
                .temp_path(&a.hash, name)
                .map_err(io("create a file in the asset cache", cache.root()))?;
            std::fs::write(&tmp, content).map_err(io("write", &tmp))?;
            cache.commit(&tmp, &a.hash, name).map_err(io("keep", &tmp))
        }
        #[cfg(not(feature = "docker"))]
        AssetSource::Venv(_) => {
            let _ = (cache, stats);
            Err(AssetError::InvalidInput(crate::assets::docker_disabled(&a.id)))
        }
        #[cfg(feature = "docker")]
        AssetSource::Venv(recipe) => {
            let b = VenvBuild::for_deploy(root, recipe, &a.hash);
            if let Some(hit) = cache.get_file(&b.key, b.archive_name()) {
                return Ok(hit);
            }
            let docker = connect_docker(None)?;
            build_venv(&docker, &b, cache, stats).await
        }
    }
}

/// Uploads the assets of `stack` (those whose bucket it holds).
pub async fn publish_stack<C: CloudFormation>(
    asm: &Assembly,
    s3: &aws_sdk_s3::Client,
    outputs: &Outputs<'_, C>,
    stack: &str,
    stats: &Stats,
    ui: &Ui,
) -> Result<Vec<AssetReport>, DeployError> {
    let cache = AssetCache::from_env();
    let mut done = Vec::new();
    for a in asm.manifest.assets.iter().filter(|a| a.stack == stack) {
        let bucket = outputs.resolve(&a.bucket).await?;
        if let AssetSource::Venv(recipe) = &a.source {
            for line in image_notes(&a.id, recipe) {
                ui.say(line);
            }
        }
        let fail = |error| DeployError::Asset {
            asset: a.id.clone(),
            error: Box::new(error),
        };
        let file = deploy_file(asm, a, &cache, stats).await.map_err(fail)?;
        let upload = upload_if_absent(s3, &bucket, &a.key, &file, stats)
            .await
            .map_err(fail)?;
        let uri = format!("s3://{bucket}/{}", a.key);
        ui.say(match upload {
            Upload::Uploaded => format!("{}: uploaded {uri}", a.id),
            Upload::AlreadyThere => format!("{}: unchanged ({uri})", a.id),
        });
        done.push(AssetReport {
            id: a.id.clone(),
            uri,
            upload,
        });
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recipe(image: &str) -> VenvRecipe {
        VenvRecipe {
            context: "spark".into(),
            dockerfile: None,
            project_file: Some("pyproject.toml".into()),
            base_image: image.into(),
            archive_path: "/output/pyspark_venv.tar.gz".into(),
        }
    }

    #[test]
    fn deploy_says_which_image_and_warns_when_emr_does_not_run_on_it() {
        let notes = image_notes("PkgVenv", &recipe(DEFAULT_BASE_IMAGE));
        assert!(notes[0].contains(DEFAULT_BASE_IMAGE) && notes[0].contains("sparkform's default"));
        assert!(!notes.iter().any(|n| n.starts_with("warning")), "{notes:?}");

        let notes = image_notes("PkgVenv", &recipe("local/python-base:bookworm"));
        assert!(notes[0].contains("the package's `base_image`"), "{notes:?}");
        let warning = notes.iter().find(|n| n.starts_with("warning")).expect("a warning");
        assert!(warning.contains("not an image EMR runs on"), "{warning}");
    }
}
