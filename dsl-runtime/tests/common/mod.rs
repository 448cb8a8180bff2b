//! Shared by the asset tests and the venv benchmark: the local services (moto, Docker and
//! its base image) as `scripts/test-services` reports them, clients for them, the fixture
//! project and a way to run Python from a packed virtualenv.
#![allow(dead_code)] // each of the test and the benchmark uses a part

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("dsl-runtime is inside the workspace")
        .to_path_buf()
}

/// The fixture Spark project (a pyproject.toml depending on `six`, one module, no Dockerfile).
pub fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/spark-app")
}

/// `scripts/test-services env`, after `scripts/test-services start` (which installs and
/// starts moto, Docker and the base image when they are missing, and returns at once when
/// they are up). Once per process.
pub fn services() -> &'static BTreeMap<String, String> {
    static S: OnceLock<BTreeMap<String, String>> = OnceLock::new();
    S.get_or_init(|| {
        let script = workspace().join("scripts/test-services");
        let status = Command::new(&script)
            .arg("start")
            .status()
            .expect("scripts/test-services runs");
        assert!(status.success(), "scripts/test-services start failed");
        let out = Command::new(&script)
            .arg("env")
            .output()
            .expect("scripts/test-services env runs");
        assert!(out.status.success(), "scripts/test-services env failed");
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| l.strip_prefix("export ")?.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    })
}

pub fn service(name: &str) -> String {
    services()
        .get(name)
        .cloned()
        .unwrap_or_else(|| panic!("scripts/test-services env sets {name}"))
}

/// A Docker client for the services' daemon.
pub fn docker() -> bollard::Docker {
    sparkform::assets::connect_docker(Some(&service("DOCKER_HOST"))).expect("a Docker client")
}

/// The base image `scripts/test-services` created.
pub fn base_image() -> String {
    service("SPARKFORM_BASE_IMAGE")
}

/// An S3 client for moto (endpoint, dummy credentials and region from the services' env).
pub async fn s3() -> aws_sdk_s3::Client {
    let creds = aws_sdk_s3::config::Credentials::new(
        service("AWS_ACCESS_KEY_ID"),
        service("AWS_SECRET_ACCESS_KEY"),
        None,
        None,
        "test-services",
    );
    let conf = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(service("AWS_ENDPOINT_URL"))
        .region(aws_sdk_s3::config::Region::new(service("AWS_REGION")))
        .credentials_provider(creds)
        .load()
        .await;
    aws_sdk_s3::Client::from_conf(aws_sdk_s3::config::Builder::from(&conf).force_path_style(true).build())
}

/// A new bucket in moto with a name no other test uses.
pub async fn new_bucket(s3: &aws_sdk_s3::Client, purpose: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let bucket = format!(
        "sparkform-{purpose}-{}-{}",
        std::process::id(),
        nanos % 1_000_000_000_000
    );
    s3.create_bucket()
        .bucket(&bucket)
        .send()
        .await
        .expect("moto creates the bucket");
    bucket
}

/// Unpacks a venv-pack archive into `dir`.
pub fn unpack(archive: &Path, dir: &Path) {
    let file = std::fs::File::open(archive).unwrap();
    tar::Archive::new(flate2::read::GzDecoder::new(file))
        .unpack(dir)
        .unwrap();
}

/// Unpacks `archive` into a temporary folder and runs its `bin/python -c code`: what Spark
/// does with `--archives venv.tar.gz#environment` and `./environment/bin/python`.
pub fn run_packed_python(archive: &Path, code: &str) -> Result<String, String> {
    let dir = tempfile::tempdir().unwrap();
    unpack(archive, dir.path());
    let out = Command::new(dir.path().join("bin/python"))
        .args(["-c", code])
        .env_remove("PYTHONPATH")
        .env_remove("PYTHONHOME")
        .output()
        .map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).to_string())
    }
}
