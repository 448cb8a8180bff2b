//! The bearer token EKS accepts: an STS `GetCallerIdentity` URL presigned with SigV4 that
//! names the cluster in a signed header (what `aws eks get-token` prints). Signed here with
//! aws-sigv4, so no aws CLI, kubectl or Lambda is needed and a private endpoint works from
//! wherever `deploy` runs.

use super::KubeError;
use aws_credential_types::Credentials;
use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SignatureLocation, SigningSettings};
use aws_sigv4::sign::v4;
use base64::Engine;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use std::time::{Duration, SystemTime};

pub const TOKEN_PREFIX: &str = "k8s-aws-v1.";

/// The header EKS reads the cluster name from; it must be among the signed headers.
pub const CLUSTER_HEADER: &str = "x-k8s-aws-id";

/// `X-Amz-Expires` of the presigned URL, as `aws eks get-token` sets it. EKS itself accepts
/// a token for 15 minutes from its signing time.
const EXPIRES: Duration = Duration::from_secs(60);

/// Query values are encoded as SigV4 (and botocore) do: everything but `A-Za-z0-9-_.~`.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

/// The regional STS endpoint's host (a global endpoint token is rejected by some partitions).
pub fn sts_host(region: &str) -> String {
    let domain = if region.starts_with("cn-") {
        "amazonaws.com.cn"
    } else {
        "amazonaws.com"
    };
    format!("sts.{region}.{domain}")
}

/// The presigned URL, query parameters in botocore's order (operation, auth, signature).
pub fn presigned_url(
    cluster: &str,
    region: &str,
    credentials: &Credentials,
    time: SystemTime,
) -> Result<String, KubeError> {
    let base = format!(
        "https://{}/?Action=GetCallerIdentity&Version=2011-06-15",
        sts_host(region)
    );
    let mut settings = SigningSettings::default();
    settings.signature_location = SignatureLocation::QueryParams;
    settings.expires_in = Some(EXPIRES);
    let identity = credentials.clone().into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name("sts")
        .time(time)
        .settings(settings)
        .build()
        .map_err(|e| KubeError::Signing(e.to_string()))?
        .into();
    let request = SignableRequest::new(
        "GET",
        base.as_str(),
        [(CLUSTER_HEADER, cluster)].into_iter(),
        SignableBody::Bytes(&[]),
    )
    .map_err(|e| KubeError::Signing(e.to_string()))?;
    let (instructions, _) = sign(request, &params)
        .map_err(|e| KubeError::Signing(e.to_string()))?
        .into_parts();
    let (signature, auth): (Vec<_>, Vec<_>) = instructions
        .params()
        .iter()
        .partition(|(name, _)| *name == "X-Amz-Signature");
    let mut url = base;
    for (name, value) in auth.into_iter().chain(signature) {
        url.push('&');
        url.push_str(name);
        url.push('=');
        url.extend(utf8_percent_encode(value, QUERY_VALUE));
    }
    Ok(url)
}

/// The token for `cluster`, signed at `time`.
pub fn token(cluster: &str, region: &str, credentials: &Credentials, time: SystemTime) -> Result<String, KubeError> {
    let url = presigned_url(cluster, region, credentials, time)?;
    Ok(format!(
        "{TOKEN_PREFIX}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(url)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creds(token: Option<&str>) -> Credentials {
        Credentials::new("AKIDEXAMPLE", "secret", token.map(str::to_string), None, "test")
    }

    #[test]
    fn the_token_is_the_url_in_unpadded_base64url() {
        let time = SystemTime::UNIX_EPOCH + Duration::from_secs(1_767_225_600);
        let url = presigned_url("data-platform", "eu-west-1", &creds(Some("a+b/c=")), time).unwrap();
        assert!(url.starts_with("https://sts.eu-west-1.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20260101%2Feu-west-1%2Fsts%2Faws4_request&X-Amz-Date=20260101T000000Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id&X-Amz-Security-Token=a%2Bb%2Fc%3D&X-Amz-Signature="), "{url}");
        let t = token("data-platform", "eu-west-1", &creds(Some("a+b/c=")), time).unwrap();
        let body = t.strip_prefix(TOKEN_PREFIX).unwrap();
        assert!(!body.contains('=') && !body.contains('+') && !body.contains('/'));
        let decoded = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(body).unwrap();
        assert_eq!(String::from_utf8(decoded).unwrap(), url);
    }

    #[test]
    fn china_regions_sign_for_the_china_partition() {
        assert_eq!(sts_host("cn-north-1"), "sts.cn-north-1.amazonaws.com.cn");
        let url = presigned_url("c", "cn-north-1", &creds(None), SystemTime::UNIX_EPOCH).unwrap();
        assert!(url.starts_with("https://sts.cn-north-1.amazonaws.com.cn/?"));
        assert!(!url.contains("X-Amz-Security-Token"));
    }
}
