//! The PySpark virtualenv archive of `pyspark_package!`, built in Docker (legacy builder,
//! through bollard) from the user's Dockerfile or from one generated with DSF's recipe, then
//! copied out of a container and kept in the [`AssetCache`] under the inputs' content hash.

use super::{AssetCache, AssetError, Stats};
use crate::deploy::ui::{add_bar, remove_bar, say_line};
use bollard::query_parameters::{
    BuildImageOptionsBuilder, DownloadFromContainerOptionsBuilder, RemoveContainerOptionsBuilder,
    RemoveImageOptionsBuilder,
};
use bollard::Docker;
use futures_util::StreamExt;
use indicatif::{ProgressBar, ProgressStyle};
use sparkform_assembly::assets::is_ignored;
use std::collections::{HashMap, VecDeque};
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
/// Lines of a failing step's output kept for the error.
const KEPT_LINES: usize = 25;
pub use super::recipe::{local_base_image, local_key, VenvBuild, DOCKERFILE_NAME, LOCAL_BASE_IMAGE_ENV};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
fn check_image(b: &VenvBuild) -> Result<(), AssetError> {
    if b.image.is_empty() || b.image.contains(char::is_whitespace) {
        return Err(AssetError::InvalidInput(format!(
            "`{}` is not a usable base image for the PySpark virtualenv of {}: declare `base_image`, or for local runs set {LOCAL_BASE_IMAGE_ENV}",
            b.image,
            b.context().display()
        )));
    }
    Ok(())
}

/// The archive for `b`: from the cache when it holds `b.key` (no Docker call at all), else
/// built in Docker, checked (a readable tar.gz with a `bin/python`) and added to the cache.
pub async fn build_venv(
    docker: &Docker,
    b: &VenvBuild,
    cache: &AssetCache,
    stats: &Stats,
) -> Result<PathBuf, AssetError> {
    check_hash(&b.key)?;
    check_archive_path(&b.recipe.archive_path)?;
    check_image(b)?;
    let name = b.archive_name().to_string();
    if let Some(hit) = cache.get_file(&b.key, &name) {
        return Ok(hit);
    }

    let mut build_args = HashMap::new();
    let dockerfile = match b.recipe.generated_dockerfile(&b.image) {
        Some(text) => text,
        None => {
            build_args.insert("BASE_IMAGE".to_string(), b.image.clone());
            let path = b.dockerfile().unwrap_or_else(|| b.context().join("Dockerfile"));
            fs::read_to_string(&path).map_err(|e| AssetError::io("read the Dockerfile", &path, e))?
        }
    };
    let context = b.context();
    let tar = tokio::task::spawn_blocking(move || context_tar(&context, &dockerfile))
        .await
        .map_err(|e| AssetError::InvalidInput(format!("packing the build context failed: {e}")))??;

    // The daemon's API may be older than bollard's (Debian's 20.10 speaks 1.41).
    let docker = docker
        .clone()
        .negotiate_version()
        .await
        .map_err(|e| AssetError::DockerUnreachable {
            host: None,
            detail: e.to_string(),
        })?;

    let tag = image_tag(&b.key);
    Stats::bump(&stats.docker_builds);
    let built = run_build(&docker, &tag, tar, &build_args).await;
    let result = match built {
        Ok(()) => export_archive(&docker, &tag, b, cache).await,
        Err(e) => Err(e),
    };
    // The archive is what we keep: drop the image (its layers go with it).
    let _ = docker
        .remove_image(
            &tag,
            Some(RemoveImageOptionsBuilder::default().force(true).build()),
            None,
        )
        .await;
    result
}

/// A tag of our own for this build, so that concurrent builds never touch each other's image.
fn image_tag(hash: &str) -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    let short: String = hash
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .take(16)
        .collect::<String>();
    format!(
        "sparkform-venv:{}-{}-{}",
        short.to_ascii_lowercase(),
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

fn check_hash(hash: &str) -> Result<(), AssetError> {
    let ok = !hash.is_empty()
        && !hash.starts_with('.')
        && hash.len() <= 128
        && hash.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    if ok {
        Ok(())
    } else {
        Err(AssetError::InvalidInput(format!(
            "the asset hash `{hash}` is not usable as a cache key: expected 1-128 of A-Za-z0-9._- not starting with `.`"
        )))
    }
}

fn check_archive_path(path: &str) -> Result<(), AssetError> {
    let ok = path.starts_with('/')
        && !path.ends_with('/')
        && path.chars().all(|c| c.is_ascii_alphanumeric() || "/._-+".contains(c))
        && !path.split('/').any(|c| c == "..");
    if ok {
        Ok(())
    } else {
        Err(AssetError::InvalidInput(format!(
            "the archive path `{path}` must be an absolute file path inside the image made of A-Za-z0-9/._-+, \
             e.g. /output/pyspark_venv.tar.gz"
        )))
    }
}

/// The build context: the project (without what [`is_ignored`] names, the compiler's ignore
/// list), plus the Dockerfile as [`DOCKERFILE_NAME`]. Entries are sorted, so the same project
/// gives the same tar.
fn context_tar(context: &Path, dockerfile: &str) -> Result<Vec<u8>, AssetError> {
    if !context.is_dir() {
        return Err(AssetError::io(
            "read the Spark project folder",
            context,
            io::Error::new(io::ErrorKind::NotFound, "not a folder"),
        ));
    }
    let mut builder = tar::Builder::new(Vec::new());
    builder.follow_symlinks(false);
    add_dir(&mut builder, context, Path::new(""))?;
    let mut header = tar::Header::new_gnu();
    header.set_size(dockerfile.len() as u64);
    header.set_mode(0o644);
    header.set_mtime(0);
    builder
        .append_data(&mut header, DOCKERFILE_NAME, dockerfile.as_bytes())
        .map_err(|e| AssetError::io("pack the build context of", context, e))?;
    builder
        .into_inner()
        .map_err(|e| AssetError::io("pack the build context of", context, e))
}

fn add_dir(builder: &mut tar::Builder<Vec<u8>>, dir: &Path, rel: &Path) -> Result<(), AssetError> {
    let read = |e| AssetError::io("read", dir, e);
    let mut entries: Vec<_> = fs::read_dir(dir)
        .map_err(read)?
        .collect::<Result<_, _>>()
        .map_err(read)?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name();
        let path = entry.path();
        let rel_path = rel.join(&name);
        let file_type = entry.file_type().map_err(|e| AssetError::io("read", &path, e))?;
        if is_ignored(&name.to_string_lossy()) {
            continue;
        }
        if file_type.is_dir() {
            builder
                .append_dir(&rel_path, &path)
                .map_err(|e| AssetError::io("pack", &path, e))?;
            add_dir(builder, &path, &rel_path)?;
        } else if rel.as_os_str().is_empty() && name == DOCKERFILE_NAME {
            continue;
        } else if file_type.is_file() || file_type.is_symlink() {
            builder
                .append_path_with_name(&path, &rel_path)
                .map_err(|e| AssetError::io("pack", &path, e))?;
        }
    }
    Ok(())
}

/// What the legacy builder printed, followed line by line: the current step, and that
/// step's last lines for the error if it fails.
struct BuildLog {
    partial: String,
    step: String,
    output: VecDeque<String>,
    bar: ProgressBar,
}

impl BuildLog {
    fn new() -> Self {
        let bar = add_bar(ProgressBar::new_spinner());
        bar.set_style(style("{spinner:.cyan} venv [{elapsed}] {wide_msg}"));
        bar.set_message("sending the build context");
        bar.enable_steady_tick(Duration::from_millis(120));
        BuildLog {
            partial: String::new(),
            step: String::from("sending the build context"),
            output: VecDeque::new(),
            bar,
        }
    }

    fn feed(&mut self, chunk: &str) {
        self.partial.push_str(chunk);
        while let Some(i) = self.partial.find('\n') {
            let line: String = self.partial.drain(..=i).collect();
            self.line(line.trim_end_matches(['\n', '\r']));
        }
    }

    fn line(&mut self, line: &str) {
        // The builder wraps a step's stderr in colour codes (ESC[91m ... ESC[0m).
        let plain = strip_ansi(line);
        let line = plain.as_str();
        say_line(line);
        if let Some(rest) = line.strip_prefix("Step ") {
            // "Step 3/7 : RUN ..."
            if let Some((pos, len)) = rest.split(' ').next().and_then(|n| n.split_once('/')) {
                if let (Ok(pos), Ok(len)) = (pos.parse(), len.parse()) {
                    if self.bar.length().is_none() {
                        self.bar
                            .set_style(style("{spinner:.cyan} venv [{elapsed}] step {pos}/{len} {wide_msg}"));
                    }
                    self.bar.set_length(len);
                    self.bar.set_position(pos);
                }
            }
            self.step = line.to_string();
            self.bar
                .set_message(rest.split_once(" : ").map_or(rest, |(_, s)| s).to_string());
            self.output.clear();
        } else if !(line.trim().is_empty()
            || line.starts_with(" ---> ")
            || line.starts_with("Removing intermediate container"))
        {
            if self.output.len() == KEPT_LINES {
                self.output.pop_front();
            }
            self.output.push_back(line.to_string());
        }
    }

    fn failed(mut self, message: String) -> AssetError {
        if !self.partial.is_empty() {
            let rest = std::mem::take(&mut self.partial);
            self.line(&rest);
        }
        remove_bar(&self.bar);
        AssetError::BuildFailed {
            step: self.step,
            message,
            output: self.output.into(),
        }
    }
}

fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_spinner())
}

/// `text` without ANSI escape sequences (`ESC [ params letter`).
fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            if chars.peek() == Some(&'[') {
                chars.next();
                for c in chars.by_ref() {
                    if c.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

async fn run_build(
    docker: &Docker,
    tag: &str,
    tar: Vec<u8>,
    build_args: &HashMap<String, String>,
) -> Result<(), AssetError> {
    let options = BuildImageOptionsBuilder::default()
        .dockerfile(DOCKERFILE_NAME)
        .buildargs(build_args)
        .t(tag)
        .rm(true)
        .forcerm(true)
        .networkmode("host")
        .build();
    let mut log = BuildLog::new();
    let mut stream = docker.build_image(options, None, Some(bollard::body_full(tar.into())));
    while let Some(item) = stream.next().await {
        match item {
            Ok(info) => {
                if let Some(text) = info.stream {
                    log.feed(&text);
                }
                if let Some(status) = info.status {
                    log.feed(&format!("{status}\n"));
                }
            }
            Err(bollard::errors::Error::DockerStreamError { error }) => return Err(log.failed(error)),
            Err(e @ bollard::errors::Error::DockerResponseServerError { .. }) => return Err(log.failed(e.to_string())),
            Err(e) => {
                remove_bar(&log.bar);
                return Err(AssetError::Docker {
                    action: "build the virtualenv image".into(),
                    detail: e.to_string(),
                });
            }
        }
    }
    remove_bar(&log.bar);
    Ok(())
}

/// Copies the archive out of a container of the built image into the cache.
async fn export_archive(docker: &Docker, tag: &str, b: &VenvBuild, cache: &AssetCache) -> Result<PathBuf, AssetError> {
    let body = bollard::models::ContainerCreateBody {
        image: Some(tag.to_string()),
        cmd: Some(vec!["/bin/true".to_string()]),
        ..Default::default()
    };
    let container = docker
        .create_container(None, body)
        .await
        .map_err(|e| AssetError::Docker {
            action: "create a container of the built image".into(),
            detail: e.to_string(),
        })?
        .id;
    let result = download(docker, &container, b, cache).await;
    let _ = docker
        .remove_container(
            &container,
            Some(RemoveContainerOptionsBuilder::default().force(true).build()),
        )
        .await;
    result
}

async fn download(docker: &Docker, container: &str, b: &VenvBuild, cache: &AssetCache) -> Result<PathBuf, AssetError> {
    let name = b.archive_name().to_string();
    let wrapped = cache
        .temp_path(&b.key, &format!("{name}.download"))
        .map_err(|e| AssetError::io("create a file in the asset cache", cache.root(), e))?;
    let result = async {
        let mut out = tokio::fs::File::create(&wrapped)
            .await
            .map_err(|e| AssetError::io("create", &wrapped, e))?;
        let options = DownloadFromContainerOptionsBuilder::default()
            .path(&b.recipe.archive_path)
            .build();
        let mut stream = docker.download_from_container(container, Some(options));
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| match e {
                bollard::errors::Error::DockerResponseServerError {
                    status_code: 404,
                    message,
                } => AssetError::ArchiveMissing {
                    path: b.recipe.archive_path.clone(),
                    detail: message,
                },
                e => AssetError::Docker {
                    action: format!("copy {} out of the container", b.recipe.archive_path),
                    detail: e.to_string(),
                },
            })?;
            tokio::io::AsyncWriteExt::write_all(&mut out, &chunk)
                .await
                .map_err(|e| AssetError::io("write", &wrapped, e))?;
        }
        tokio::io::AsyncWriteExt::flush(&mut out)
            .await
            .map_err(|e| AssetError::io("write", &wrapped, e))?;
        drop(out);
        let (wrapped, cache, hash, path) = (
            wrapped.clone(),
            cache.clone(),
            b.key.clone(),
            b.recipe.archive_path.clone(),
        );
        tokio::task::spawn_blocking(move || unwrap_and_check(&wrapped, &cache, &hash, &name, &path))
            .await
            .map_err(|e| AssetError::InvalidInput(format!("checking the archive failed: {e}")))?
    }
    .await;
    let _ = fs::remove_file(&wrapped);
    result
}

/// Takes the file out of the tar Docker wraps it in, checks it and commits it to the cache.
fn unwrap_and_check(
    wrapped: &Path,
    cache: &AssetCache,
    hash: &str,
    name: &str,
    path: &str,
) -> Result<PathBuf, AssetError> {
    let unreadable = |detail: String| AssetError::ArchiveUnreadable {
        path: path.to_string(),
        detail,
    };
    let tmp = cache
        .temp_path(hash, name)
        .map_err(|e| AssetError::io("create a file in the asset cache", cache.root(), e))?;
    let result = (|| {
        let file = fs::File::open(wrapped).map_err(|e| AssetError::io("read", wrapped, e))?;
        let mut outer = tar::Archive::new(file);
        let mut found = false;
        for entry in outer
            .entries()
            .map_err(|e| unreadable(format!("Docker's copy is not a tar: {e}")))?
        {
            let mut entry = entry.map_err(|e| unreadable(format!("Docker's copy is not a tar: {e}")))?;
            match entry.header().entry_type() {
                tar::EntryType::Regular | tar::EntryType::GNUSparse => {
                    let mut out = fs::File::create(&tmp).map_err(|e| AssetError::io("create", &tmp, e))?;
                    io::copy(&mut entry, &mut out).map_err(|e| AssetError::io("write", &tmp, e))?;
                    out.flush().map_err(|e| AssetError::io("write", &tmp, e))?;
                    found = true;
                    break;
                }
                tar::EntryType::Directory => {
                    return Err(unreadable("it is a folder, not a file".to_string()));
                }
                tar::EntryType::Symlink | tar::EntryType::Link => {
                    return Err(unreadable(
                        "it is a link; write the archive itself there (Docker copies links, not their targets)"
                            .to_string(),
                    ));
                }
                _ => {}
            }
        }
        if !found {
            return Err(AssetError::ArchiveMissing {
                path: path.to_string(),
                detail: "Docker's copy of that path held no file".to_string(),
            });
        }
        check_venv_archive(&tmp).map_err(unreadable)?;
        cache
            .commit(&tmp, hash, name)
            .map_err(|e| AssetError::io("write to the asset cache", &tmp, e))
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Reads the whole archive (gzip checksums included) and checks it holds `bin/python`, as a
/// venv-pack archive does: Spark runs `./environment/bin/python` from it.
fn check_venv_archive(path: &Path) -> Result<(), String> {
    let file = fs::File::open(path).map_err(|e| e.to_string())?;
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(io::BufReader::new(file)));
    let mut entries = 0usize;
    let mut python = false;
    for entry in archive
        .entries()
        .map_err(|e| format!("not a gzip-compressed tar: {e}"))?
    {
        let mut entry = entry.map_err(|e| format!("not a gzip-compressed tar: {e}"))?;
        entries += 1;
        let entry_path = entry.path().map_err(|e| format!("bad entry name: {e}"))?.into_owned();
        if entry_path.strip_prefix(".").unwrap_or(&entry_path) == Path::new("bin/python") {
            python = true;
        }
        io::copy(&mut entry, &mut io::sink()).map_err(|e| format!("truncated or corrupt: {e}"))?;
    }
    // Whatever follows the tar's end must still decompress cleanly (the gzip trailer's CRC).
    io::copy(&mut archive.into_inner(), &mut io::sink()).map_err(|e| format!("truncated or corrupt: {e}"))?;
    if entries == 0 {
        return Err("it is empty".to_string());
    }
    if !python {
        return Err("it has no bin/python, so it is not a packed virtualenv".to_string());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use sparkform_assembly::VenvRecipe;
    use std::io::Read;

    fn read_all(mut r: impl Read) -> io::Result<Vec<u8>> {
        let mut v = Vec::new();
        r.read_to_end(&mut v)?;
        Ok(v)
    }

    fn recipe(base_image: &str) -> VenvRecipe {
        VenvRecipe {
            context: "spark".into(),
            dockerfile: None,
            project_file: Some("pyproject.toml".into()),
            base_image: base_image.into(),
            archive_path: "/output/pyspark_venv.tar.gz".into(),
        }
    }

    fn temp_project(files: &[(&str, &str)]) -> PathBuf {
        static N: AtomicU64 = AtomicU64::new(0);
        let dir = std::env::temp_dir().join(format!(
            "sparkform-venv-test-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = fs::remove_dir_all(&dir);
        for (name, text) in files {
            let p = dir.join(name);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(p, text).unwrap();
        }
        dir
    }

    #[test]
    fn deploy_builds_on_the_recipes_image_and_local_overrides_get_their_own_key() {
        let r = recipe(sparkform_assembly::assets::DEFAULT_BASE_IMAGE);
        let deploy = VenvBuild::for_deploy("/app", &r, "abc123");
        assert_eq!(
            (deploy.image.as_str(), deploy.key.as_str()),
            (r.base_image.as_str(), "abc123")
        );
        assert!(!deploy.is_local_only());
        assert_eq!(deploy.context(), Path::new("/app/spark"));

        let local = VenvBuild::for_local("/app", &r, "abc123", Some("local/python-base:bookworm"));
        assert_eq!(local.image, "local/python-base:bookworm");
        assert!(local.is_local_only());
        assert!(
            local.key.starts_with("abc123-local-local-python-base-bookworm-"),
            "{}",
            local.key
        );
        assert_ne!(
            local.key, deploy.key,
            "a local build never takes the key deploy uploads"
        );
        check_hash(&local.key).unwrap();
        let other = VenvBuild::for_local("/app", &r, "abc123", Some("local/python-base:trixie"));
        assert_ne!(other.key, local.key);

        // No override, or the recipe's own image: the same build as deploy's.
        assert_eq!(VenvBuild::for_local("/app", &r, "abc123", None), deploy);
        assert_eq!(VenvBuild::for_local("/app", &r, "abc123", Some(&r.base_image)), deploy);
        assert_eq!(VenvBuild::for_local("/app", &r, "abc123", Some("  ")), deploy);

        let long = "f".repeat(64);
        check_hash(&VenvBuild::for_local("/app", &r, &long, Some(&"x/".repeat(80))).key).unwrap();
        let bad = VenvBuild::for_local("/app", &r, "abc123", Some("local/python base"));
        assert!(check_image(&bad)
            .unwrap_err()
            .to_string()
            .contains("SPARKFORM_BASE_IMAGE"));
    }

    #[test]
    fn context_skips_ignored_folders_and_adds_the_dockerfile() {
        let dir = temp_project(&[
            ("pyproject.toml", "x"),
            ("src/app.py", "x"),
            (".git/HEAD", "x"),
            ("src/__pycache__/app.pyc", "x"),
            (".venv/bin/python", "x"),
            ("target/out", "x"),
            ("app.egg-info/PKG-INFO", "x"),
            ("stale.pyc", "x"),
            // What `pip wheel` and setuptools leave: neither hashed nor sent (one ignore list).
            ("dist/app-0.1-py3-none-any.whl", "x"),
            ("build/lib/app.py", "x"),
            (DOCKERFILE_NAME, "user file"),
        ]);
        let tar = context_tar(&dir, "FROM x\n").unwrap();
        let mut names: Vec<String> = tar::Archive::new(&tar[..])
            .entries()
            .unwrap()
            .map(|e| {
                e.unwrap()
                    .path()
                    .unwrap()
                    .to_string_lossy()
                    .trim_end_matches('/')
                    .to_string()
            })
            .collect();
        names.sort();
        assert_eq!(names, [DOCKERFILE_NAME, "pyproject.toml", "src", "src/app.py"]);
        let dockerfile = tar::Archive::new(&tar[..])
            .entries()
            .unwrap()
            .map(|e| e.unwrap())
            .find(|e| e.path().unwrap() == Path::new(DOCKERFILE_NAME))
            .map(|e| read_all(e).unwrap())
            .unwrap();
        assert_eq!(dockerfile, b"FROM x\n");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn rejects_bad_paths_and_hashes() {
        assert!(check_archive_path("output/x.tar.gz").is_err());
        assert!(check_archive_path("/output/../x.tar.gz").is_err());
        assert!(check_archive_path("/out put/x.tar.gz").is_err());
        assert!(check_archive_path("/output/").is_err());
        assert!(check_archive_path("/output/pyspark_venv.tar.gz").is_ok());
        assert!(check_hash("").is_err());
        assert!(check_hash("../x").is_err());
        assert!(check_hash("0123abcdef").is_ok());
    }

    #[test]
    fn build_log_follows_steps_and_keeps_the_failing_steps_output() {
        let mut log = BuildLog::new();
        log.feed("Step 1/3 : FROM base\n ---> abc\nStep 2/3 : RUN pip");
        log.feed(" install .\n ---> Running in 123\nCollecting six\n\u{1b}[91mERROR: no such package\n\u{1b}[0m");
        let err = log.failed("The command '/bin/sh -c pip install .' returned a non-zero code: 1".into());
        match &err {
            AssetError::BuildFailed { step, output, .. } => {
                assert_eq!(step, "Step 2/3 : RUN pip install .");
                assert_eq!(output, &["Collecting six", "ERROR: no such package"]);
            }
            e => panic!("{e}"),
        }
        assert!(err.to_string().contains("returned a non-zero code"));
    }
}
