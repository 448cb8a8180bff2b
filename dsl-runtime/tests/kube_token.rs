//! The EKS token against botocore's presigner (what `aws eks get-token` uses) at a fixed
//! clock and fixed credentials: the presigned URLs must be byte-identical.

mod support;

use aws_credential_types::Credentials;
use sparkform::kubernetes::token;
use std::process::Command;
use std::time::{Duration, SystemTime};

/// botocore presigns STS GetCallerIdentity with the `x-k8s-aws-id` header, as the aws CLI's
/// `eks get-token` does, with its clock fixed.
const ORACLE: &str = r#"
import sys, datetime
from unittest import mock
import botocore.session
cluster, region, key, secret, session_token, epoch = sys.argv[1:7]
session = botocore.session.get_session()
sts = session.create_client("sts", region_name=region, aws_access_key_id=key,
                            aws_secret_access_key=secret, aws_session_token=session_token or None)
def name_cluster(request, **kwargs):
    request.headers["x-k8s-aws-id"] = cluster
sts.meta.events.register("before-sign.sts.GetCallerIdentity", name_cluster)
fixed = datetime.datetime.fromtimestamp(int(epoch), tz=datetime.timezone.utc).replace(tzinfo=None)
with mock.patch("botocore.auth.get_current_datetime", return_value=fixed):
    print(sts.generate_presigned_url("get_caller_identity", Params={}, ExpiresIn=60, HttpMethod="GET"))
"#;

fn botocore(cluster: &str, region: &str, key: &str, secret: &str, session_token: &str, epoch: u64) -> String {
    let env = support::services();
    let out = Command::new(&env["SPARKFORM_PYTHON"])
        .args([
            "-c",
            ORACLE,
            cluster,
            region,
            key,
            secret,
            session_token,
            &epoch.to_string(),
        ])
        // botocore's own resolution of the endpoint: no moto endpoint, no profile.
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "botocore: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

#[test]
fn the_presigned_url_is_byte_identical_to_botocores() {
    let cases = [
        (
            "data-platform",
            "eu-west-1",
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "FwoGZXIvYXdzE+/abc==",
            1_767_225_600,
        ),
        (
            "my-cluster-2",
            "us-east-1",
            "AKIAIOSFODNN7EXAMPLE",
            "secret",
            "",
            1_780_000_123,
        ),
        ("emr", "cn-north-1", "AKIDCHINA", "s3cr3t+/=", "token", 1_700_000_000),
    ];
    for (cluster, region, key, secret, session_token, epoch) in cases {
        let creds = Credentials::new(
            key,
            secret,
            (!session_token.is_empty()).then(|| session_token.to_string()),
            None,
            "test",
        );
        let time = SystemTime::UNIX_EPOCH + Duration::from_secs(epoch);
        let ours = token::presigned_url(cluster, region, &creds, time).unwrap();
        let theirs = botocore(cluster, region, key, secret, session_token, epoch);
        assert_eq!(ours, theirs, "{cluster} in {region}");
        // And a different clock signs differently: the comparison is not vacuous.
        let later = token::presigned_url(cluster, region, &creds, time + Duration::from_secs(1)).unwrap();
        assert_ne!(later, theirs);
    }
}
