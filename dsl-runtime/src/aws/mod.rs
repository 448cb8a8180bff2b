//! AWS clients from the standard environment (profiles, SSO, `AWS_ENDPOINT_URL`), with
//! retries on throttling, a log of every API call (so tests count write calls instead of
//! assuming them), and typed errors ([`AwsError`]) whose messages say what to do.

use aws_credential_types::provider::ProvideCredentials;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::BeforeSerializationInterceptorContextRef;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use std::sync::Mutex;

mod error;
pub use error::{set_verbose, verbose, AwsError, Target};

/// Every AWS call this process made, as `service:Operation`, in order.
static CALLS: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Operations that only read: everything else counts as a write.
pub fn is_read(operation: &str) -> bool {
    let op = operation.rsplit(':').next().unwrap_or(operation);
    ["Describe", "Get", "List", "Head", "Validate", "Estimate"]
        .iter()
        .any(|p| op.starts_with(p))
}

/// The calls made so far.
pub fn calls() -> Vec<String> {
    CALLS.lock().map(|c| c.clone()).unwrap_or_default()
}

/// Appends this process's calls to the file named by `SPARKFORM_CALL_LOG`, if set.
pub fn flush_call_log() {
    if let Ok(path) = std::env::var("SPARKFORM_CALL_LOG") {
        let mut text = calls().join("\n");
        if !text.is_empty() {
            text.push('\n');
        }
        use std::io::Write;
        if let Ok(mut f) = std::fs::OpenOptions::new().create(true).append(true).open(path) {
            let _ = f.write_all(text.as_bytes());
        }
    }
}

#[derive(Debug)]
pub(crate) struct CallLog;

impl Intercept for CallLog {
    fn name(&self) -> &'static str {
        "sparkform-call-log"
    }

    // The operation's metadata is in the bag once serialization starts (not before execution).
    fn read_before_serialization(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Some(m) = cfg.load::<Metadata>() {
            if let Ok(mut c) = CALLS.lock() {
                c.push(format!("{}:{}", m.service().to_ascii_lowercase(), m.name()));
            }
        }
        Ok(())
    }
}

/// The clients sparkform uses.
#[derive(Clone, Debug)]
pub struct Aws {
    pub cfn: aws_sdk_cloudformation::Client,
    pub s3: aws_sdk_s3::Client,
    pub sfn: aws_sdk_sfn::Client,
    pub emr: aws_sdk_emrserverless::Client,
    pub config: aws_config::SdkConfig,
    #[cfg(feature = "kubernetes")]
    pub eks: crate::kubernetes::Eks,
    #[cfg(feature = "kubernetes")]
    pub emr_containers: aws_sdk_emrcontainers::Client,
    pub region: String,
}

impl Aws {
    /// Loads the standard AWS configuration and resolves its credentials once, so that a
    /// missing, expired or misconfigured sign-in is reported as such before any call. A custom
    /// endpoint (`AWS_ENDPOINT_URL`, e.g. moto) switches S3 to path-style addressing.
    pub async fn load() -> Result<Aws, AwsError> {
        // Throttling deserves patience; `AWS_MAX_ATTEMPTS` still has the last word.
        let attempts = std::env::var("AWS_MAX_ATTEMPTS")
            .ok()
            .and_then(|v| v.parse().ok())
            .filter(|n| *n > 0)
            .unwrap_or(8);
        let retry = aws_config::retry::RetryConfig::standard()
            .with_max_attempts(attempts)
            .with_max_backoff(std::time::Duration::from_secs(5));
        let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .http_client(https_client())
            .retry_config(retry)
            .load()
            .await;
        let region = config.region().map(|r| r.to_string());
        let profile = std::env::var("AWS_PROFILE").ok().filter(|p| !p.is_empty());
        error::set_target(Target {
            region: region.clone().unwrap_or_default(),
            endpoint_url: config.endpoint_url().map(str::to_string),
            profile: profile.clone(),
        });
        let provider = config.credentials_provider().ok_or_else(|| AwsError::NoCredentials {
            profile: profile.clone(),
            detail: "the configuration has no credentials provider".into(),
        })?;
        provider
            .provide_credentials()
            .await
            .map_err(|e| AwsError::from_credentials(&e, profile.clone()))?;
        let region = region.ok_or(AwsError::NoRegion)?;
        if !is_region_name(&region) {
            return Err(AwsError::BadRegion {
                region,
                detail: String::new(),
            });
        }
        Ok(Self::from_config(config))
    }

    /// Clients for a configuration that is known to work (tests build their own).
    pub fn from_config(config: aws_config::SdkConfig) -> Aws {
        let custom_endpoint = config.endpoint_url().is_some();
        let region = config.region().map(|r| r.to_string()).unwrap_or_default();
        let cfn = aws_sdk_cloudformation::Client::from_conf(
            aws_sdk_cloudformation::config::Builder::from(&config)
                .interceptor(CallLog)
                .build(),
        );
        let s3 = aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(&config)
                .interceptor(CallLog)
                .force_path_style(custom_endpoint)
                .build(),
        );
        let sfn =
            aws_sdk_sfn::Client::from_conf(aws_sdk_sfn::config::Builder::from(&config).interceptor(CallLog).build());
        let emr = aws_sdk_emrserverless::Client::from_conf(
            aws_sdk_emrserverless::config::Builder::from(&config)
                .interceptor(CallLog)
                .build(),
        );
        Aws {
            cfn,
            s3,
            sfn,
            emr,
            #[cfg(feature = "kubernetes")]
            eks: crate::kubernetes::Eks::new(&config),
            #[cfg(feature = "kubernetes")]
            emr_containers: aws_sdk_emrcontainers::Client::from_conf(
                aws_sdk_emrcontainers::config::Builder::from(&config)
                    .interceptor(CallLog)
                    .build(),
            ),
            config,
            region,
        }
    }
}

/// The one HTTPS client of every AWS call, the credential providers' (SSO, STS) included:
/// hyper 1 and rustls with ring, the system's root certificates. Cargo.toml turns off the
/// SDK's default clients, so this is the only TLS stack compiled (see its comment).
pub fn https_client() -> aws_smithy_runtime_api::client::http::SharedHttpClient {
    use aws_smithy_http_client::tls::{rustls_provider::CryptoMode, Provider};
    aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .build_https()
}

/// Whether `region` can be part of a host name, as AWS's endpoint rules require
/// (`eu-west-1`, `us-gov-west-1`); anything else has no endpoint.
fn is_region_name(region: &str) -> bool {
    !region.is_empty()
        && region.len() <= 63
        && region
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !region.starts_with('-')
        && !region.ends_with('-')
}

/// An AWS error as the text a person can act on.
pub fn explain<E>(what: &str, err: &SdkError<E, HttpResponse>) -> String
where
    E: std::error::Error + ProvideErrorMetadata + 'static,
{
    AwsError::from_sdk(what, err).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_names() {
        assert!(is_region_name("eu-west-1") && is_region_name("us-gov-west-1"));
        assert!(!is_region_name("EU West") && !is_region_name("us_east_1") && !is_region_name(""));
    }
}
