//! The assets of `pyspark_package!`: the PySpark virtualenv archive built in Docker
//! ([`build_venv`]), the local cache of built archives keyed by content hash
//! ([`AssetCache`]) and the upload of assets to S3 under content-hash keys
//! ([`upload_if_absent`]).
//!
//! Everything here counts what it does in a [`Stats`], so that tests and the deploy summary
//! can say "0 Docker builds, 0 uploads" from facts rather than assumptions.

pub mod cache;
pub mod recipe;
pub mod upload;
#[cfg(feature = "docker")]
pub mod venv;

pub use cache::AssetCache;
pub use recipe::{local_base_image, local_key, VenvBuild, DOCKERFILE_NAME, LOCAL_BASE_IMAGE_ENV};
pub use upload::{upload_if_absent, Upload, MULTIPART_THRESHOLD, PART_SIZE, SHA256_METADATA};
#[cfg(feature = "docker")]
pub use venv::build_venv;

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// What the asset functions did, counted as they do it. Share one between the calls of a
/// deploy (it is `Sync`) and read it with [`Stats::snapshot`].
#[derive(Debug, Default)]
pub struct Stats {
    /// Docker image builds started (a cache hit starts none).
    pub docker_builds: AtomicU64,
    /// Objects written to S3 (single PutObject or one whole multipart upload each).
    pub uploads: AtomicU64,
    /// Of those, the ones sent as multipart uploads.
    pub multipart_uploads: AtomicU64,
    /// Uploads skipped because the object was already there.
    pub skipped_uploads: AtomicU64,
    /// HeadObject calls made to find out.
    pub head_checks: AtomicU64,
}

/// A copy of the counters of a [`Stats`] at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub docker_builds: u64,
    pub uploads: u64,
    pub multipart_uploads: u64,
    pub skipped_uploads: u64,
    pub head_checks: u64,
}

impl Stats {
    pub fn new() -> Self {
        Self::default()
    }

    /// The counters now.
    pub fn snapshot(&self) -> Counts {
        Counts {
            docker_builds: self.docker_builds.load(Ordering::Relaxed),
            uploads: self.uploads.load(Ordering::Relaxed),
            multipart_uploads: self.multipart_uploads.load(Ordering::Relaxed),
            skipped_uploads: self.skipped_uploads.load(Ordering::Relaxed),
            head_checks: self.head_checks.load(Ordering::Relaxed),
        }
    }

    pub(crate) fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

/// Why building or uploading an asset failed. Each message says what to do about it.
#[derive(Debug)]
pub enum AssetError {
    /// The Docker daemon did not answer (`host`: where it was looked for, when known).
    DockerUnreachable { host: Option<String>, detail: String },
    /// A step of the image build failed.
    BuildFailed {
        /// The step, as the builder printed it (`Step 5/7 : RUN ...`).
        step: String,
        /// The builder's error (`The command ... returned a non-zero code: 1`).
        message: String,
        /// The last lines that step printed.
        output: Vec<String>,
    },
    /// The build succeeded but left nothing at the declared archive path.
    ArchiveMissing { path: String, detail: String },
    /// Something is at the archive path, but it is not a readable packed virtualenv.
    ArchiveUnreadable { path: String, detail: String },
    /// Another Docker API call failed.
    Docker { action: String, detail: String },
    /// The inputs cannot work (no project file, a relative archive path, a bad hash).
    InvalidInput(String),
    /// A local file could not be read or written.
    Io {
        action: String,
        path: PathBuf,
        source: std::io::Error,
    },
    /// The S3 bucket does not exist.
    BucketMissing { bucket: String },
    /// S3 refused the call.
    AccessDenied {
        bucket: String,
        key: String,
        action: String,
        detail: String,
    },
    /// AWS could not be reached, or refused the credentials.
    Aws(crate::aws::AwsError),
    /// Another S3 failure.
    S3 {
        bucket: String,
        key: String,
        action: String,
        detail: String,
    },
}

impl fmt::Display for AssetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AssetError::DockerUnreachable { host, detail } => {
                match host {
                    Some(host) => write!(f, "cannot reach the Docker daemon at {host}: {detail}")?,
                    None => write!(f, "cannot reach the Docker daemon: {detail}")?,
                }
                let env = std::env::var("DOCKER_HOST").unwrap_or_else(|_| "unset".to_string());
                write!(
                    f,
                    "\nBuilding the PySpark virtualenv needs Docker: start it, e.g. `scripts/test-services start` \
                     then `eval \"$(scripts/test-services env)\"`, or point DOCKER_HOST (now {env}) at a running \
                     daemon."
                )
            }
            AssetError::BuildFailed { step, message, output } => {
                write!(
                    f,
                    "the Docker build of the PySpark virtualenv failed at `{step}`: {message}"
                )?;
                if !output.is_empty() {
                    write!(f, "\nlast output of that step:")?;
                    for line in output {
                        write!(f, "\n    | {line}")?;
                    }
                }
                if step.contains(" : FROM ") {
                    write!(
                        f,
                        "\nThe base image is missing or unreachable (no image registry may be reachable): \
                         create it with `scripts/test-services start` or choose an image that exists locally."
                    )
                } else {
                    write!(
                        f,
                        "\nFix the Spark project (pyproject.toml, requirements.txt) or its Dockerfile and run \
                         again; Docker reuses the steps that succeeded."
                    )
                }
            }
            AssetError::ArchiveMissing { path, detail } => write!(
                f,
                "the image built, but there is no archive at {path} inside it ({detail})\n\
                 Check that the Dockerfile writes the venv-pack archive there \
                 (`venv-pack -o {path}`) or change the declared archive path to where it does."
            ),
            AssetError::ArchiveUnreadable { path, detail } => write!(
                f,
                "the archive at {path} in the built image is not a readable packed virtualenv: {detail}\n\
                 It must be a gzip-compressed tar made by `venv-pack -o {path}`; check the Dockerfile's last step."
            ),
            AssetError::Docker { action, detail } => {
                write!(
                    f,
                    "Docker failed to {action}: {detail}\nCheck that the daemon is healthy (`docker info`)."
                )
            }
            AssetError::InvalidInput(msg) => f.write_str(msg),
            AssetError::Io { action, path, source } => write!(f, "cannot {action} {}: {source}", path.display()),
            AssetError::BucketMissing { bucket } => write!(
                f,
                "the S3 bucket `{bucket}` does not exist\n\
                 Deploy the stack that creates the artifact bucket first, or check the bucket name and region."
            ),
            AssetError::AccessDenied {
                bucket,
                key,
                action,
                detail,
            } => write!(
                f,
                "S3 denied {action} on s3://{bucket}/{key}: {detail}\n\
                 The credentials in use need s3:GetObject, s3:PutObject and s3:AbortMultipartUpload on the \
                 artifact bucket (and its KMS key); check AWS_PROFILE or the role being assumed."
            ),
            AssetError::S3 {
                bucket,
                key,
                action,
                detail,
            } => {
                write!(f, "S3 {action} on s3://{bucket}/{key} failed: {detail}")
            }
            AssetError::Aws(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for AssetError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            AssetError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl AssetError {
    pub(crate) fn io(action: impl Into<String>, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        AssetError::Io {
            action: action.into(),
            path: path.into(),
            source,
        }
    }
}

/// Why the virtualenv asset `id` cannot be built: this build of sparkform has no `docker`
/// feature. (The `pyspark_package!` of such an asset is a compile error without it, so this
/// only shows for an assembly built elsewhere.)
#[cfg(not(feature = "docker"))]
pub(crate) fn docker_disabled(id: &str) -> String {
    format!(
        "{id} is a virtualenv built in Docker, and this app was built without sparkform's `docker` feature: \
         add `features = [\"docker\"]` to the sparkform dependency in Cargo.toml and run `cargo build` again"
    )
}

/// A Docker client for `host` (`unix://...`, `tcp://...`), or for `DOCKER_HOST` (else
/// `unix:///var/run/docker.sock`) when `host` is `None`. A missing Unix socket is an
/// [`AssetError::DockerUnreachable`] at once; any other absent daemon is one on first use.
#[cfg(feature = "docker")]
pub fn connect_docker(host: Option<&str>) -> Result<bollard::Docker, AssetError> {
    let host = host
        .map(str::to_string)
        .or_else(|| std::env::var("DOCKER_HOST").ok().filter(|h| !h.is_empty()))
        .unwrap_or_else(|| "unix:///var/run/docker.sock".to_string());
    bollard::Docker::connect_with_host(&host).map_err(|e| AssetError::DockerUnreachable {
        host: Some(host.clone()),
        detail: e.to_string(),
    })
}

/// The hex SHA-256 of a file's contents.
pub fn sha256_file(path: &Path) -> std::io::Result<String> {
    use sha2::Digest;
    let mut file = std::fs::File::open(path)?;
    let mut hasher = sha2::Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex(&hasher.finalize()))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}
