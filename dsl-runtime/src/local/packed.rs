//! The packaged virtualenv of a job's `pyspark_package!`, for local runs: the archive the
//! deploy uploads (built in Docker through the assets module, or taken from its cache),
//! unpacked once per content hash under `<cache root>/venvs/<hash>/`.

use super::envs;
use super::lock::Lock;
use crate::assembly::{Asset, AssetSource, VenvRecipe};
use crate::assets::VenvBuild;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The venv asset `id` of the manifest's `assets`, with its recipe.
pub fn find<'a>(assets: &'a [Asset], id: &str) -> Result<(&'a Asset, &'a VenvRecipe), String> {
    let a = assets
        .iter()
        .find(|a| a.id == id)
        .ok_or_else(|| format!("the manifest has no asset `{id}`; rebuild the app (`cargo build`)"))?;
    match &a.source {
        AssetSource::Venv(recipe) => Ok((a, recipe)),
        AssetSource::File { .. } | AssetSource::Inline { .. } => {
            Err(format!("the manifest's asset `{id}` is not a virtualenv"))
        }
    }
}

/// The build of a package's venv for this machine: on `$SPARKFORM_BASE_IMAGE` when set (a
/// local image; such a build has its own cache key and is never uploaded), else on the
/// package's own image, the same build deploy uploads.
pub fn local_build(crate_dir: &Path, asset: &Asset, recipe: &VenvRecipe) -> VenvBuild {
    VenvBuild::for_local(
        crate_dir,
        recipe,
        &asset.hash,
        crate::assets::local_base_image().as_deref(),
    )
}

/// The packed archive of `build`: the assets module's cache, else a Docker build.
///
/// This is the one place that calls into the assets module.
pub fn archive(id: &str, build: &VenvBuild) -> Result<PathBuf, String> {
    use crate::assets::{build_venv, connect_docker, AssetCache, Stats};
    let cache = AssetCache::from_env();
    if cache.get_file(&build.key, build.archive_name()).is_none() {
        let which = if build.is_local_only() {
            format!(
                "{} ({}, for local runs only)",
                build.image,
                crate::assets::LOCAL_BASE_IMAGE_ENV
            )
        } else {
            build.image.clone()
        };
        eprintln!(
            "building the virtualenv of {id} in Docker on {which} from {} (once per change of the Spark project)",
            build.context().display()
        );
    }
    let docker = connect_docker(None).map_err(|e| e.to_string())?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    rt.block_on(build_venv(&docker, build, &cache, &Stats::new()))
        .map_err(|e| e.to_string())
}

/// The unpacked archive (a folder with `bin/python`), unpacked on first use.
pub fn unpacked(root: &Path, archive: &Path, hash: &str) -> Result<PathBuf, String> {
    let base = root.join("venvs");
    let dir = base.join(hash);
    if dir.is_dir() {
        return Ok(dir);
    }
    let _lock = Lock::acquire(
        &base.join(format!(".{hash}.lock")),
        "waiting for another sparkform process to unpack the venv",
    )?;
    if dir.is_dir() {
        return Ok(dir);
    }
    // Unpacked beside, then renamed: the folder exists only once complete (venv-pack
    // archives are relocatable).
    let tmp = base.join(format!(".{hash}.{}.tmp", std::process::id()));
    let _ = fs::remove_dir_all(&tmp);
    fs::create_dir_all(&tmp).map_err(|e| format!("cannot create {}: {e}", tmp.display()))?;
    let file = fs::File::open(archive).map_err(|e| format!("cannot open {}: {e}", archive.display()))?;
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(file));
    tar.set_preserve_permissions(true);
    if let Err(e) = tar.unpack(&tmp) {
        let _ = fs::remove_dir_all(&tmp);
        return Err(format!(
            "cannot unpack the virtualenv archive {}: {e}",
            archive.display()
        ));
    }
    fs::rename(&tmp, &dir).map_err(|e| format!("cannot move {} to {}: {e}", tmp.display(), dir.display()))?;
    Ok(dir)
}

/// The `bin/python` of an unpacked venv: at its root, or one folder down (an archive made
/// with venv-pack's `--arcroot`).
pub fn python_of(dir: &Path) -> Result<PathBuf, String> {
    let top = envs::venv_python(dir);
    if top.is_file() {
        return Ok(top);
    }
    let mut nested: Vec<PathBuf> = fs::read_dir(dir)
        .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
        .flatten()
        .map(|e| envs::venv_python(&e.path()))
        .filter(|p| p.is_file())
        .collect();
    nested.sort();
    nested.into_iter().next().ok_or_else(|| {
        format!(
            "the unpacked virtualenv {} has no bin/python; the package's archive is not a packed venv",
            dir.display()
        )
    })
}

/// Runs the venv's Python once; `Err` says why it cannot run here (e.g. an archive built for
/// Linux on a Mac, or for a Python this machine does not have at the same path).
pub fn check_python(python: &Path) -> Result<String, String> {
    let out = Command::new(python)
        .args(["-c", "import sys; print('%d.%d' % sys.version_info[:2])"])
        .env_remove("PYTHONHOME")
        .env_remove("PYTHONPATH")
        .output()
        .map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    } else {
        Err(String::from_utf8_lossy(&out.stderr)
            .trim()
            .lines()
            .last()
            .unwrap_or("it exited with an error")
            .to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn asset(id: &str, venv: bool) -> Asset {
        let source = if venv {
            json!({"kind": "venv", "context": "spark", "base_image": "public.ecr.aws/amazonlinux/amazonlinux:2023", "archive_path": "/output/pyspark_venv.tar.gz"})
        } else {
            json!({"kind": "file", "source": "spark/job.py"})
        };
        let mut v = json!({"id": id, "package": "TAXI_PKG", "hash": "abc123", "bucket": {"value": "b"}, "key": "k", "stack": "s"});
        v.as_object_mut().unwrap().extend(source.as_object().unwrap().clone());
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn finds_a_venv_asset_and_builds_it_for_this_machine() {
        let assets = vec![asset("TaxiPkgEntrypoint", false), asset("TaxiPkgVenv", true)];
        let (a, recipe) = find(&assets, "TaxiPkgVenv").unwrap();
        assert_eq!(recipe.context, "spark");
        assert!(find(&assets, "TaxiPkgEntrypoint")
            .unwrap_err()
            .contains("not a virtualenv"));
        assert!(find(&assets, "NOPE").unwrap_err().contains("no asset `NOPE`"));
        let b = VenvBuild::for_local("/app", recipe, &a.hash, Some("local/python-base:bookworm"));
        assert!(b.is_local_only() && b.key != a.hash);
        assert_eq!(b.context(), Path::new("/app/spark"));
    }

    #[test]
    fn unpacks_once_and_finds_python() {
        let root = std::env::temp_dir().join(format!("sparkform-packed-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        fs::create_dir_all(&root).unwrap();
        // A tiny archive shaped like venv-pack's: bin/python at the root.
        let archive = root.join("venv.tar.gz");
        {
            let gz = flate2::write::GzEncoder::new(fs::File::create(&archive).unwrap(), flate2::Compression::fast());
            let mut b = tar::Builder::new(gz);
            let mut h = tar::Header::new_gnu();
            let body = b"#!/bin/sh\necho 3.11\n";
            h.set_size(body.len() as u64);
            h.set_mode(0o755);
            b.append_data(&mut h, "bin/python", &body[..]).unwrap();
            b.into_inner().unwrap().finish().unwrap();
        }
        let dir = unpacked(&root, &archive, "h1").unwrap();
        assert_eq!(dir, root.join("venvs/h1"));
        assert_eq!(python_of(&dir).unwrap(), dir.join("bin/python"));
        // Unpacked once: a second call does not read the archive.
        fs::remove_file(&archive).unwrap();
        assert_eq!(unpacked(&root, &archive, "h1").unwrap(), dir);
        // Nested (venv-pack --arcroot).
        fs::create_dir_all(root.join("nested/env/bin")).unwrap();
        fs::write(root.join("nested/env/bin/python"), "").unwrap();
        assert_eq!(
            python_of(&root.join("nested")).unwrap(),
            root.join("nested/env/bin/python")
        );
        fs::create_dir_all(root.join("empty/lib")).unwrap();
        assert!(python_of(&root.join("empty")).unwrap_err().contains("no bin/python"));
        fs::remove_dir_all(&root).unwrap();
    }
}
