//! Shared by the runtime's integration tests and benches: the local services (moto, Docker
//! and its base image, as `scripts/test-services` reports them), clients for them, built
//! assemblies, the fixture Spark project and a way to run Python from a packed virtualenv.

#![allow(dead_code)]

use sparkform::Assembly;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// Held by each test of a binary that reads the process-wide AWS call log over a window:
/// the tests of one binary run on threads at once, and another test's calls would land in
/// the window.
pub async fn one_at_a_time() -> tokio::sync::MutexGuard<'static, ()> {
    static LOCK: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    LOCK.lock().await
}

pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// Starts moto (installing it on first use) and puts its environment into this process,
/// so the SDK talks to it. Done once per test binary.
pub fn services() -> &'static BTreeMap<String, String> {
    static S: OnceLock<BTreeMap<String, String>> = OnceLock::new();
    S.get_or_init(|| {
        let script = workspace().join("scripts/test-services");
        assert!(
            Command::new(&script).arg("start").status().unwrap().success(),
            "scripts/test-services start failed"
        );
        let out = Command::new(&script).arg("env").output().unwrap();
        let env: BTreeMap<String, String> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| l.strip_prefix("export ")?.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        for (k, v) in &env {
            // SAFETY: set once, before any thread of this test binary reads the environment.
            unsafe { std::env::set_var(k, v) };
        }
        env
    })
}

/// The assembly of an example, synthesized by the library, with its crate name (and so its
/// stack names) replaced by `crate_name` so tests do not share stacks.
pub fn example_assembly(example: &str, crate_name: &str) -> Assembly {
    let root = workspace().join("examples").join(example);
    let mut ctx = sparkform_build::model::Context::from_manifest_dir(&root, example);
    ctx.crate_name = crate_name.to_string();
    let sources = sparkform_build::app::read_sources(&root, &root.join("src"));
    let s = sparkform_build::app::synthesize_sources(&ctx, &sources);
    assert!(s.macro_errors.is_empty() && s.app_errors.is_empty());
    Assembly::from_embedded(&s.assembly.embedded_json())
        .expect("the compiler writes the manifest version the runtime reads")
}

/// Runs a Python snippet with boto3 against moto (for set-up the runtime has no client for).
pub fn python(code: &str) -> String {
    let env = services();
    let out = Command::new(&env["SPARKFORM_PYTHON"])
        .arg("-c")
        .arg(code)
        .envs(env)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "python failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// The IAM role the example job runs as, which moto needs to exist before the grants attach.
pub fn ensure_job_role() {
    python(
        "import boto3, json, os\n\
         iam = boto3.client('iam', endpoint_url=os.environ['AWS_ENDPOINT_URL'])\n\
         try:\n    iam.create_role(RoleName='emr-serverless-job-role', AssumeRolePolicyDocument=json.dumps({'Version': '2012-10-17', 'Statement': []}))\n\
         except iam.exceptions.EntityAlreadyExistsException:\n    pass",
    );
}

/// Writes `moto`-side calls made by a CLI process to a fresh file and returns its lines.
pub fn call_log_path(name: &str) -> PathBuf {
    let p = std::env::temp_dir().join(format!("sparkform-calls-{name}-{}", std::process::id()));
    let _ = std::fs::remove_file(&p);
    p
}

/// The assembly of one source file, as if it were `src/main.rs` of a crate in `crate_dir`.
pub fn assembly_from_source(crate_dir: &Path, crate_name: &str, source: &str) -> Assembly {
    assembly_with_opt_in(crate_dir, crate_name, source, false)
}

/// [`assembly_from_source`] of a crate that has (or has not) opted in to data removal.
pub fn assembly_with_opt_in(crate_dir: &Path, crate_name: &str, source: &str, remove_data: bool) -> Assembly {
    let ctx = sparkform_build::model::Context {
        crate_name: crate_name.to_string(),
        remove_data_on_destroy: remove_data,
        crate_dir: crate_dir.to_path_buf(),
        ..Default::default()
    };
    let s = sparkform_build::app::synthesize_sources(&ctx, &[("src/main.rs".to_string(), source.to_string())]);
    assert!(
        s.macro_errors.is_empty() && s.app_errors.is_empty(),
        "{:?} {:?}",
        s.macro_errors,
        s.app_errors
    );
    Assembly::from_embedded(&s.assembly.embedded_json())
        .expect("the compiler writes the manifest version the runtime reads")
}

/// The fixture Spark project (a pyproject.toml depending on `six`, one module, no Dockerfile).
pub fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/spark-app")
}

pub fn service(name: &str) -> String {
    services()
        .get(name)
        .cloned()
        .unwrap_or_else(|| panic!("scripts/test-services env sets {name}"))
}

/// A Docker client for the services' daemon.
#[cfg(feature = "docker")]
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
        .http_client(sparkform::aws::https_client())
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
#[cfg(feature = "docker")]
pub fn unpack(archive: &Path, dir: &Path) {
    let file = std::fs::File::open(archive).unwrap();
    tar::Archive::new(flate2::read::GzDecoder::new(file))
        .unpack(dir)
        .unwrap();
}

/// Unpacks `archive` into a temporary folder and runs its `bin/python -c code`: what Spark
/// does with `--archives venv.tar.gz#environment` and `./environment/bin/python`.
#[cfg(feature = "docker")]
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
