//! What `deploy` says when AWS cannot be used, through an example app's own binary with an
//! isolated HOME and no AWS settings but those of each case: no credentials anywhere, an SSO
//! profile whose cached sign-in expired, a profile that does not exist, an endpoint where
//! nothing listens, a region whose endpoints do not resolve, and a region name AWS has no
//! endpoint for. Each is said in a line or two, with no SDK debug output unless `-v`.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use support::workspace;

fn app() -> &'static PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let status = Command::new(env!("CARGO"))
            .current_dir(workspace())
            .args(["build", "--quiet", "-p", "existing-application"])
            .status()
            .unwrap();
        assert!(status.success());
        std::env::var("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|_| workspace().join("target"))
            .join("debug/existing-application")
    })
}

/// Runs `deploy --yes` (plus `extra` flags) with nothing of this machine's environment but
/// PATH, HOME = `home`, instance metadata off, and `env`.
fn deploy(home: &Path, env: &[(&str, &str)], extra: &[&str]) -> (Output, String) {
    let mut cmd = Command::new(app());
    cmd.args(extra)
        .args(["deploy", "--yes"])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .envs(env.iter().copied());
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    eprintln!("$ deploy {env:?}\n{stderr}");
    (out, stderr)
}

/// Exit code 1, one error of at most two lines, none of the SDK's debug output.
fn assert_short_error(out: &Output, stderr: &str) {
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(out.stdout.is_empty(), "{}", String::from_utf8_lossy(&out.stdout));
    let error = &stderr[stderr.find("error: ").expect("an error line")..];
    assert!(error.trim_end().lines().count() <= 2, "one or two lines: {error}");
    for noise in [
        "dispatch failure",
        "ProviderError",
        "CredentialsNotLoaded",
        "source:",
        "ConnectorError",
        "details (-v)",
    ] {
        assert!(!error.contains(noise), "no `{noise}` without -v: {error}");
    }
}

#[test]
fn no_credentials_anywhere_says_where_sparkform_looked() {
    let home = tempfile::tempdir().unwrap();
    let (out, stderr) = deploy(home.path(), &[("AWS_REGION", "eu-west-1")], &[]);
    assert_short_error(&out, &stderr);
    for part in [
        "no AWS credentials were found",
        "AWS_ACCESS_KEY_ID",
        "~/.aws/credentials",
        "instance metadata",
        "AWS_PROFILE",
        "aws sso login",
    ] {
        assert!(stderr.contains(part), "`{part}`: {stderr}");
    }
    assert!(
        !stderr.contains("could not be reached"),
        "not a network failure: {stderr}"
    );

    // With -v, the SDK's own account of each provider it tried follows.
    let (out, stderr) = deploy(home.path(), &[("AWS_REGION", "eu-west-1")], &["-v"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr.contains("details (-v)") && stderr.contains("Ec2InstanceMetadata"),
        "{stderr}"
    );
}

#[test]
fn an_expired_sso_sign_in_says_to_sign_in_again() {
    let home = tempfile::tempdir().unwrap();
    let aws = home.path().join(".aws");
    std::fs::create_dir_all(aws.join("sso/cache")).unwrap();
    std::fs::write(
        aws.join("config"),
        "[profile analytics]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Deployer\nregion = eu-west-1\n\n\
         [sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\nsso_registration_scopes = sso:account:access\n",
    )
    .unwrap();
    // `aws sso login` caches the token under the SHA-1 of the session name ("corp").
    std::fs::write(
        aws.join("sso/cache/ee0bfd2552fbd840c02cc48b6e823320543c450f.json"),
        r#"{"startUrl": "https://corp.awsapps.com/start", "region": "eu-west-1", "accessToken": "old", "expiresAt": "2024-01-01T00:00:00Z"}"#,
    )
    .unwrap();
    let (out, stderr) = deploy(home.path(), &[("AWS_PROFILE", "analytics")], &[]);
    assert_short_error(&out, &stderr);
    assert!(
        stderr.contains("the SSO sign-in of the profile `analytics` (AWS_PROFILE) has expired")
            && stderr.contains("`aws sso login --profile analytics`"),
        "{stderr}"
    );
}

#[test]
fn a_profile_that_does_not_exist_is_named() {
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(home.path().join(".aws")).unwrap();
    std::fs::write(home.path().join(".aws/config"), "[default]\nregion = eu-west-1\n").unwrap();
    let (out, stderr) = deploy(home.path(), &[("AWS_PROFILE", "analytcs")], &[]);
    assert_short_error(&out, &stderr);
    assert!(
        stderr.contains("profile `analytcs` (AWS_PROFILE)") && stderr.contains("not defined"),
        "{stderr}"
    );
    assert!(stderr.contains("aws configure list-profiles"), "{stderr}");
}

const KEYS: [(&str, &str); 2] = [
    ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
    ("AWS_SECRET_ACCESS_KEY", "secret"),
];

#[test]
fn an_endpoint_where_nothing_listens_names_it() {
    let home = tempfile::tempdir().unwrap();
    let mut env = KEYS.to_vec();
    // Port 9 (discard) has no listener here; two attempts keep the test quick.
    env.extend([
        ("AWS_REGION", "eu-west-1"),
        ("AWS_ENDPOINT_URL", "http://127.0.0.1:9"),
        ("AWS_MAX_ATTEMPTS", "2"),
    ]);
    let (out, stderr) = deploy(home.path(), &env, &[]);
    assert_short_error(&out, &stderr);
    assert!(
        stderr.contains("nothing answered at http://127.0.0.1:9 (AWS_ENDPOINT_URL): the connection was refused"),
        "{stderr}"
    );
    assert!(!stderr.contains("credentials"), "{stderr}");
}

#[test]
fn a_region_without_endpoints_is_named() {
    let home = tempfile::tempdir().unwrap();
    let mut env = KEYS.to_vec();
    env.extend([("AWS_REGION", "xx-nowhere-1"), ("AWS_MAX_ATTEMPTS", "2")]);
    let (out, stderr) = deploy(home.path(), &env, &[]);
    assert_short_error(&out, &stderr);
    assert!(
        stderr.contains("AWS could not be reached in the region `xx-nowhere-1`: its host name does not resolve")
            && stderr.contains("check that `xx-nowhere-1` is a region"),
        "{stderr}"
    );

    // A region that cannot even be part of a host name is refused before any call.
    let mut env = KEYS.to_vec();
    env.push(("AWS_REGION", "eu west 1"));
    let (out, stderr) = deploy(home.path(), &env, &[]);
    assert_short_error(&out, &stderr);
    assert!(
        stderr.contains("AWS has no endpoint for the region `eu west 1`"),
        "{stderr}"
    );
}
