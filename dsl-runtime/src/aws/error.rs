//! AWS failures as typed errors, each shown in one or two lines that say what to do. The SDK's
//! own cause chain is shown only with `-v` ([`set_verbose`]).

use aws_credential_types::provider::error::CredentialsError;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use std::error::Error as StdError;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

static VERBOSE: AtomicBool = AtomicBool::new(false);

/// `-v`: errors carry the SDK's cause chain.
pub fn set_verbose(on: bool) {
    VERBOSE.store(on, Ordering::Relaxed);
}

pub fn verbose() -> bool {
    VERBOSE.load(Ordering::Relaxed)
}

/// Where the clients send their calls, for the messages about reaching AWS.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Target {
    pub region: String,
    /// `AWS_ENDPOINT_URL` (or the profile's `endpoint_url`), when set.
    pub endpoint_url: Option<String>,
    /// The profile in use, when one is named (`AWS_PROFILE`).
    pub profile: Option<String>,
}

static TARGET: OnceLock<Target> = OnceLock::new();

pub(crate) fn set_target(t: Target) {
    let _ = TARGET.set(t);
}

fn target() -> Target {
    TARGET.get().cloned().unwrap_or_default()
}

/// Why an AWS call (or loading the AWS configuration) failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AwsError {
    /// No credentials anywhere the SDK looks.
    NoCredentials { profile: Option<String>, detail: String },
    /// The credentials, or the SSO sign-in behind them, have expired.
    Expired {
        profile: Option<String>,
        sso: bool,
        detail: String,
    },
    /// The credentials' configuration cannot be used (a profile that is not defined, a bad file).
    CredentialsConfig {
        profile: Option<String>,
        message: String,
        detail: String,
    },
    /// No region is configured.
    NoRegion,
    /// The region is not one the SDK can make an endpoint of.
    BadRegion { region: String, detail: String },
    /// Nothing answered: the endpoint's host does not resolve, refuses, or times out.
    Unreachable {
        target: Target,
        why: String,
        detail: String,
    },
    /// The credentials lack a permission.
    AccessDenied {
        action: String,
        message: String,
        detail: String,
    },
    /// The service does not accept the credentials (unknown key, bad signature).
    Rejected {
        action: String,
        code: String,
        message: String,
        detail: String,
    },
    /// Another answer of the service.
    Service {
        action: String,
        code: String,
        message: String,
        detail: String,
    },
    /// Anything else (an answer that could not be read, ...).
    Other {
        action: String,
        message: String,
        detail: String,
    },
}

impl AwsError {
    /// Classifies a failed SDK call; `action` says what sparkform was doing ("describe stack x").
    pub fn from_sdk<E>(action: impl Into<String>, err: &SdkError<E, HttpResponse>) -> AwsError
    where
        E: StdError + ProvideErrorMetadata + 'static,
    {
        let action = action.into();
        let detail = DisplayErrorContext(err).to_string();
        if let Some(c) = find_in_chain::<CredentialsError>(err) {
            return AwsError::from_credentials(c, target().profile);
        }
        match err {
            SdkError::ServiceError(se) => {
                let (code, message) = match (err.code(), err.message()) {
                    (Some(c), m) if c != "Unknown" => (c.to_string(), m.unwrap_or_default().to_string()),
                    // An answer the SDK could not parse (stand-ins answer some errors in
                    // another protocol): its body says what happened.
                    _ => body_error(se.raw()),
                };
                Self::from_code(action, code, message, detail)
            }
            SdkError::DispatchFailure(d) => {
                if let Some(e) = chain_message_of_endpoint(err) {
                    let t = target();
                    return AwsError::BadRegion {
                        region: t.region,
                        detail: format!("{e}; {detail}"),
                    };
                }
                if d.is_io() || d.is_timeout() {
                    AwsError::Unreachable {
                        target: target(),
                        why: unreachable_why(&detail, d.is_timeout()),
                        detail,
                    }
                } else {
                    AwsError::Other {
                        action,
                        message: "the request could not be sent".into(),
                        detail,
                    }
                }
            }
            SdkError::TimeoutError(_) => AwsError::Unreachable {
                target: target(),
                why: "no answer in time".into(),
                detail,
            },
            SdkError::ConstructionFailure(_) => match chain_message_of_endpoint(err) {
                Some(e) => AwsError::BadRegion {
                    region: target().region,
                    detail: format!("{e}; {detail}"),
                },
                None => AwsError::Other {
                    action,
                    message: "the request could not be built".into(),
                    detail,
                },
            },
            SdkError::ResponseError(_) => AwsError::Other {
                action,
                message: "AWS's answer could not be read (is AWS_ENDPOINT_URL an AWS API?)".into(),
                detail,
            },
            _ => AwsError::Other {
                action,
                message: "the call failed".into(),
                detail,
            },
        }
    }

    /// A service's answer, by its error code.
    pub fn from_code(action: String, code: String, message: String, detail: String) -> AwsError {
        match code.as_str() {
            "ExpiredToken" | "ExpiredTokenException" | "RequestExpired" => AwsError::Expired {
                profile: target().profile,
                sso: false,
                detail: format!("{code}: {message}"),
            },
            "AccessDenied" | "AccessDeniedException" | "UnauthorizedOperation" | "AuthorizationError" => {
                AwsError::AccessDenied {
                    action,
                    message,
                    detail,
                }
            }
            "InvalidClientTokenId"
            | "UnrecognizedClientException"
            | "SignatureDoesNotMatch"
            | "InvalidAccessKeyId"
            | "IncompleteSignature" => AwsError::Rejected {
                action,
                code,
                message,
                detail,
            },
            _ => AwsError::Service {
                action,
                code,
                message,
                detail,
            },
        }
    }

    /// A failure of the credentials provider chain.
    pub fn from_credentials(err: &CredentialsError, profile: Option<String>) -> AwsError {
        let detail = DisplayErrorContext(err).to_string();
        let lower = detail.to_ascii_lowercase();
        if lower.contains("sso token has expired")
            || lower.contains("sso session") && lower.contains("expired")
            || lower.contains("session token not found or invalid")
        {
            return AwsError::Expired {
                profile,
                sso: true,
                detail,
            };
        }
        if lower.contains("expired") {
            return AwsError::Expired {
                profile,
                sso: false,
                detail,
            };
        }
        match err {
            CredentialsError::CredentialsNotLoaded(_) => match &profile {
                Some(p) if lower.contains("was not defined") || !profile_defined(p) => AwsError::CredentialsConfig {
                    message: "it is not defined in ~/.aws/config or ~/.aws/credentials".into(),
                    profile,
                    detail,
                },
                _ => AwsError::NoCredentials { profile, detail },
            },
            CredentialsError::ProviderTimedOut(_) => AwsError::Unreachable {
                target: target(),
                why: "the credentials provider did not answer in time (an SSO or STS endpoint, or instance metadata)"
                    .into(),
                detail,
            },
            _ => AwsError::CredentialsConfig {
                profile,
                message: innermost(err),
                detail,
            },
        }
    }

    /// The service's error code, when the service answered.
    pub fn code(&self) -> Option<&str> {
        match self {
            AwsError::Service { code, .. } | AwsError::Rejected { code, .. } => Some(code),
            AwsError::AccessDenied { .. } => Some("AccessDenied"),
            _ => None,
        }
    }

    /// The service's message, when it answered.
    pub fn message(&self) -> Option<&str> {
        match self {
            AwsError::Service { message, .. }
            | AwsError::Rejected { message, .. }
            | AwsError::AccessDenied { message, .. } => Some(message),
            _ => None,
        }
    }

    /// CloudFormation's answer for a stack (or change set) that does not exist.
    pub fn is_missing(&self) -> bool {
        matches!(self, AwsError::Service { code, message, .. }
            if (code == "ValidationError" && message.contains("does not exist")) || code == "ChangeSetNotFound")
    }

    fn detail(&self) -> &str {
        match self {
            AwsError::NoCredentials { detail, .. }
            | AwsError::Expired { detail, .. }
            | AwsError::CredentialsConfig { detail, .. }
            | AwsError::BadRegion { detail, .. }
            | AwsError::Unreachable { detail, .. }
            | AwsError::AccessDenied { detail, .. }
            | AwsError::Rejected { detail, .. }
            | AwsError::Service { detail, .. }
            | AwsError::Other { detail, .. } => detail,
            AwsError::NoRegion => "",
        }
    }
}

fn profile_words(profile: &Option<String>) -> String {
    match profile {
        Some(p) => format!("the profile `{p}` (AWS_PROFILE)"),
        None => "the profile `default`".into(),
    }
}

fn profile_flag(profile: &Option<String>) -> String {
    profile.as_ref().map(|p| format!(" --profile {p}")).unwrap_or_default()
}

impl fmt::Display for AwsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AwsError::NoCredentials { profile, .. } => {
                let imds = if std::env::var("AWS_EC2_METADATA_DISABLED").is_ok_and(|v| v.eq_ignore_ascii_case("true")) {
                    "EC2 instance metadata (disabled by AWS_EC2_METADATA_DISABLED)"
                } else {
                    "EC2 instance metadata"
                };
                write!(
                    f,
                    "no AWS credentials were found. sparkform looked in the environment (AWS_ACCESS_KEY_ID), {} in ~/.aws/credentials and ~/.aws/config, web identity (AWS_WEB_IDENTITY_TOKEN_FILE), the ECS container endpoint and {imds}.\n  \
                     Name a profile (`export AWS_PROFILE=<name>`; for SSO then `aws sso login --profile <name>`), or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; for the local stand-ins `eval \"$(scripts/test-services env)\"`",
                    profile_words(profile)
                )?;
            }
            AwsError::Expired { profile, sso: true, .. } => write!(
                f,
                "the SSO sign-in of {} has expired: run `aws sso login{}` and run the command again",
                profile_words(profile),
                profile_flag(profile)
            )?,
            AwsError::Expired { profile, sso: false, .. } => write!(
                f,
                "the AWS credentials ({}) have expired: refresh them (`aws sso login{}`, or new temporary credentials) and run the command again",
                if profile.is_some() { profile_words(profile) } else { "from the environment or the default profile".into() },
                profile_flag(profile)
            )?,
            AwsError::CredentialsConfig { profile, message, .. } => write!(
                f,
                "the AWS credentials of {} cannot be loaded: {message}\n  check ~/.aws/config (`aws configure list-profiles` lists the profiles) or unset AWS_PROFILE",
                profile_words(profile)
            )?,
            AwsError::NoRegion => f.write_str(
                "no AWS region is set: set AWS_REGION (e.g. `export AWS_REGION=eu-west-1`) or `region` in the profile",
            )?,
            AwsError::BadRegion { region, .. } => write!(
                f,
                "AWS has no endpoint for the region `{region}`: set AWS_REGION (or the profile's `region`) to a region such as eu-west-1"
            )?,
            AwsError::Unreachable { target, why, .. } => match &target.endpoint_url {
                Some(url) => write!(
                    f,
                    "nothing answered at {url} (AWS_ENDPOINT_URL): {why}\n  start the service there (for the local stand-ins `scripts/test-services start`) or unset AWS_ENDPOINT_URL"
                )?,
                None => write!(
                    f,
                    "AWS could not be reached in the region `{}`: {why}\n  check that `{}` is a region (AWS_REGION or the profile's `region`) and the network",
                    target.region, target.region
                )?,
            },
            AwsError::AccessDenied { action, message, .. } => write!(
                f,
                "cannot {action}: access denied: {message}\n  the credentials in use lack a permission this command needs (named above); use a role or profile that has it"
            )?,
            AwsError::Rejected { action, code, message, .. } => write!(
                f,
                "cannot {action}: AWS refused the credentials ({code}: {message})\n  check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or the profile, and that they belong to this partition"
            )?,
            AwsError::Service { action, code, message, .. } => {
                write!(f, "cannot {action}: {code}")?;
                if !message.is_empty() {
                    write!(f, ": {message}")?;
                }
            }
            AwsError::Other { action, message, .. } => write!(f, "cannot {action}: {message}")?,
        }
        if verbose() && !self.detail().is_empty() {
            write!(f, "\n  details (-v): {}", self.detail())?;
        }
        Ok(())
    }
}

impl StdError for AwsError {}

/// The code and message of an error body the SDK could not parse: JSON with `__type` and
/// `message`, or else the body's first 300 characters.
fn body_error(raw: &HttpResponse) -> (String, String) {
    let text = raw
        .body()
        .bytes()
        .map(|b| String::from_utf8_lossy(b).trim().to_string())
        .unwrap_or_default();
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) {
        let code = v["__type"].as_str().or(v["code"].as_str()).unwrap_or("Unknown");
        let message = v["message"].as_str().or(v["Message"].as_str()).unwrap_or_default();
        return (code.rsplit('#').next().unwrap_or(code).to_string(), message.to_string());
    }
    let short: String = text.chars().take(300).collect();
    (format!("HTTP {}", raw.status().as_u16()), short)
}

/// Whether a profile has a section in the shared config or credentials file.
fn profile_defined(profile: &str) -> bool {
    let home = std::env::var_os("HOME")
        .map(std::path::PathBuf::from)
        .unwrap_or_default();
    let file = |var: &str, name: &str| {
        std::env::var_os(var)
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| home.join(".aws").join(name))
    };
    let sections = [format!("[profile {profile}]"), format!("[{profile}]")];
    [
        file("AWS_CONFIG_FILE", "config"),
        file("AWS_SHARED_CREDENTIALS_FILE", "credentials"),
    ]
    .iter()
    .filter_map(|f| std::fs::read_to_string(f).ok())
    .any(|text| text.lines().any(|l| sections.iter().any(|s| l.trim() == s)))
}

/// The first error of type `T` in `err`'s source chain.
fn find_in_chain<'a, T: StdError + 'static>(err: &'a (dyn StdError + 'static)) -> Option<&'a T> {
    let mut cur: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(e) = cur {
        if let Some(t) = e.downcast_ref::<T>() {
            return Some(t);
        }
        cur = e.source();
    }
    None
}

/// The message of an endpoint resolution failure in the chain (a region the rules refuse).
fn chain_message_of_endpoint(err: &(dyn StdError + 'static)) -> Option<String> {
    use aws_smithy_runtime_api::client::endpoint::error::{InvalidEndpointError, ResolveEndpointError};
    find_in_chain::<ResolveEndpointError>(err)
        .map(|e| e.to_string())
        .or_else(|| find_in_chain::<InvalidEndpointError>(err).map(|e| e.to_string()))
}

/// The last message of an error's chain: the specific cause.
fn innermost(err: &(dyn StdError + 'static)) -> String {
    let mut last = err.to_string();
    let mut cur = err.source();
    while let Some(e) = cur {
        last = e.to_string();
        cur = e.source();
    }
    last
}

fn unreachable_why(chain: &str, timeout: bool) -> String {
    let c = chain.to_ascii_lowercase();
    if c.contains("dns error") || c.contains("failed to lookup address") || c.contains("name or service not known") {
        "its host name does not resolve".into()
    } else if c.contains("connection refused") {
        "the connection was refused".into()
    } else if timeout || c.contains("timed out") || c.contains("timeout") {
        "no answer in time".into()
    } else {
        "the connection failed".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_classified() {
        let e = AwsError::from_code("x".into(), "ExpiredToken".into(), "expired".into(), String::new());
        assert!(matches!(e, AwsError::Expired { sso: false, .. }));
        let e = AwsError::from_code(
            "read".into(),
            "AccessDenied".into(),
            "no s3:GetObject".into(),
            String::new(),
        );
        assert!(e.to_string().contains("no s3:GetObject"), "{e}");
        let e = AwsError::from_code(
            "describe stack x".into(),
            "ValidationError".into(),
            "Stack with id x does not exist".into(),
            String::new(),
        );
        assert!(e.is_missing());
        assert_eq!(
            e.to_string(),
            "cannot describe stack x: ValidationError: Stack with id x does not exist"
        );
    }

    #[test]
    fn the_details_show_with_verbose_only() {
        let e = AwsError::Other {
            action: "x".into(),
            message: "y".into(),
            detail: "the SDK's chain".into(),
        };
        assert!(!e.to_string().contains("the SDK's chain"));
        set_verbose(true);
        assert!(e.to_string().contains("details (-v): the SDK's chain"));
        set_verbose(false);
    }

    #[test]
    fn unreachable_says_why() {
        assert_eq!(
            unreachable_why(
                "dispatch failure: io error: dns error: failed to lookup address information",
                false
            ),
            "its host name does not resolve"
        );
        assert_eq!(
            unreachable_why("tcp connect error: Connection refused (os error 111)", false),
            "the connection was refused"
        );
    }
}
