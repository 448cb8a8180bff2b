//! AWS clients from the standard environment (profiles, SSO, `AWS_ENDPOINT_URL`), with
//! retries on throttling, a log of every API call (so tests count write calls instead of
//! assuming them), and error messages that say what to do.

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::BeforeSerializationInterceptorContextRef;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use std::sync::Mutex;

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
struct CallLog;

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
    pub region: String,
}

impl Aws {
    /// Loads the standard AWS configuration. A custom endpoint (`AWS_ENDPOINT_URL`, e.g. moto)
    /// switches S3 to path-style addressing.
    pub async fn load() -> Aws {
        let retry = aws_config::retry::RetryConfig::standard().with_max_attempts(8);
        let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .http_client(https_client())
            .retry_config(retry)
            .load()
            .await;
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
            region,
        }
    }
}

/// The one HTTPS client of every AWS call, the credential providers' (SSO, STS) included:
/// hyper 1 and rustls with ring, the system's root certificates. Cargo.toml turns off the
/// SDK's default clients, so this is the only TLS stack compiled (see its comment).
fn https_client() -> aws_smithy_runtime_api::client::http::SharedHttpClient {
    use aws_smithy_http_client::tls::{rustls_provider::CryptoMode, Provider};
    aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .build_https()
}

/// An AWS error as one line a person can act on.
pub fn explain<E>(what: &str, err: &E) -> String
where
    E: std::error::Error + ProvideErrorMetadata,
{
    // The service's code and message when there is one; the whole chain otherwise
    // (credentials, network), where the cause sits deep inside.
    let text = match (err.code(), err.message()) {
        (Some(code), Some(message)) => format!("{code}: {message}"),
        (Some(code), None) => code.to_string(),
        _ => format!("{}", DisplayErrorContext(err)),
    };
    let hint = if text.contains("no providers in chain")
        || text.contains("CredentialsNotLoaded")
        || text.contains("failed to load credentials")
    {
        "\n  no AWS credentials were found: run `aws configure` or `aws sso login`, set AWS_PROFILE, or for local testing `eval \"$(scripts/test-services env)\"`"
    } else if text.contains("ExpiredToken") || text.contains("expired") {
        "\n  your AWS credentials have expired: refresh them (e.g. `aws sso login`) and run the command again"
    } else if text.contains("dispatch failure") || text.contains("Connection refused") {
        "\n  AWS could not be reached: check the network, AWS_REGION and AWS_ENDPOINT_URL"
    } else if text.contains("AccessDenied") || text.contains("not authorized") {
        "\n  the credentials lack a permission this command needs (the message above names it)"
    } else {
        ""
    };
    format!("{what}: {text}{hint}")
}
