//! The connection to a cluster's Kubernetes API: endpoint and CA from `eks:DescribeCluster`,
//! a kube client that trusts only that CA and sends a fresh EKS token.

use super::{token, KubeError};
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_sdk_eks::types::ClusterStatus;
use base64::Engine;
use rustls_pki_types::{pem::PemObject, CertificateDer};
use std::time::{Duration, Instant, SystemTime};
use tokio::sync::Mutex;

/// A client is rebuilt with a new token this often; EKS accepts a token for 15 minutes.
const TOKEN_REFRESH: Duration = Duration::from_secs(10 * 60);

/// What talking to EKS needs: the API client, and the credentials and region tokens are
/// signed with.
#[derive(Clone, Debug)]
pub struct Eks {
    pub client: aws_sdk_eks::Client,
    pub credentials: Option<SharedCredentialsProvider>,
    pub region: Option<String>,
    /// For assuming the cluster's admin role, and asking STS who we are.
    pub config: aws_config::SdkConfig,
}

impl Eks {
    pub fn new(config: &aws_config::SdkConfig) -> Eks {
        let client = aws_sdk_eks::Client::from_conf(
            aws_sdk_eks::config::Builder::from(config)
                .interceptor(crate::aws::CallLog)
                .build(),
        );
        Eks {
            client,
            credentials: config.credentials_provider(),
            region: config.region().map(|r| r.to_string()),
            config: config.clone(),
        }
    }

    /// The credentials Kubernetes calls are signed with: the deployer's own when it is
    /// `role` already (or no role is named), else a session of `role` (the cluster's admin
    /// role, the one principal with an access entry sparkform created).
    pub async fn credentials_for(&self, role: Option<&str>) -> Result<SharedCredentialsProvider, KubeError> {
        let own = self
            .credentials
            .clone()
            .ok_or_else(|| KubeError::Credentials("no credentials provider is configured".into()))?;
        let Some(role) = role else { return Ok(own) };
        let sts = aws_sdk_sts::Client::from_conf(
            aws_sdk_sts::config::Builder::from(&self.config)
                .interceptor(crate::aws::CallLog)
                .build(),
        );
        if let Ok(me) = sts.get_caller_identity().send().await {
            if me.arn().is_some_and(|arn| same_role(arn, role)) {
                return Ok(own);
            }
        }
        let provider = aws_config::sts::AssumeRoleProvider::builder(role)
            .session_name("sparkform-kubernetes")
            .configure(&self.config)
            .build()
            .await;
        provider.provide_credentials().await.map_err(|e| {
            KubeError::Credentials(format!(
                "Kubernetes objects are applied as the cluster's admin role {role}, which this identity could not assume ({}). Deploy as that role, or let this identity assume it (add it to the role's trust policy)",
                aws_smithy_types::error::display::DisplayErrorContext(e)
            ))
        })?;
        Ok(SharedCredentialsProvider::new(provider))
    }
}

/// Whether a caller ARN (`...:assumed-role/<name>/<session>` or `...:role/<path>/<name>`)
/// is the role `role_arn`.
fn same_role(caller: &str, role_arn: &str) -> bool {
    let name = role_arn.rsplit('/').next().unwrap_or(role_arn);
    let account = |arn: &str| arn.split(':').nth(4).map(str::to_string);
    let caller_role = match caller.split_once(":assumed-role/") {
        Some((_, rest)) => rest.split('/').next(),
        None => caller.contains(":role/").then(|| caller.rsplit('/').next()).flatten(),
    };
    caller_role == Some(name) && account(caller) == account(role_arn)
}

/// A cluster as DescribeCluster reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClusterInfo {
    pub name: String,
    pub status: String,
    pub endpoint: Option<String>,
    /// Base64 of the PEM bundle of the cluster's CA.
    pub certificate_authority: Option<String>,
}

/// `eks:DescribeCluster`.
pub async fn describe(eks: &Eks, name: &str) -> Result<ClusterInfo, KubeError> {
    let out = eks.client.describe_cluster().name(name).send().await.map_err(|e| {
        if e.as_service_error()
            .is_some_and(|s| s.is_resource_not_found_exception())
        {
            KubeError::ClusterNotFound(name.to_string())
        } else {
            KubeError::Describe(crate::aws::explain(&format!("eks:DescribeCluster of `{name}`"), &e))
        }
    })?;
    let c = out
        .cluster
        .ok_or_else(|| KubeError::ClusterNotFound(name.to_string()))?;
    Ok(ClusterInfo {
        name: c.name.unwrap_or_else(|| name.to_string()),
        status: c
            .status
            .as_ref()
            .map(ClusterStatus::as_str)
            .unwrap_or("UNKNOWN")
            .to_string(),
        endpoint: c.endpoint,
        certificate_authority: c.certificate_authority.and_then(|ca| ca.data),
    })
}

/// Where the API server is and which CA signed its certificate.
#[derive(Clone, Debug)]
pub struct Cluster {
    pub name: String,
    pub endpoint: http::Uri,
    /// DER certificates the client trusts (only these). Empty: the system's roots.
    pub ca: Vec<Vec<u8>>,
}

impl Cluster {
    /// From DescribeCluster: an ACTIVE cluster with an endpoint and a PEM CA.
    pub fn from_info(info: &ClusterInfo) -> Result<Cluster, KubeError> {
        let bad = |reason: String| KubeError::BadCluster {
            cluster: info.name.clone(),
            reason,
        };
        if info.status != "ACTIVE" {
            return Err(KubeError::ClusterNotActive {
                cluster: info.name.clone(),
                status: info.status.clone(),
            });
        }
        let endpoint = info
            .endpoint
            .as_deref()
            .ok_or_else(|| bad("DescribeCluster gave no endpoint".into()))?;
        let endpoint: http::Uri = endpoint
            .parse()
            .map_err(|e| bad(format!("endpoint `{endpoint}`: {e}")))?;
        let data = info
            .certificate_authority
            .as_deref()
            .ok_or_else(|| bad("DescribeCluster gave no certificate authority".into()))?;
        Ok(Cluster {
            name: info.name.clone(),
            endpoint,
            ca: parse_ca(data).map_err(bad)?,
        })
    }
}

/// The DER certificates in base64-encoded PEM (`certificateAuthority.data`).
pub fn parse_ca(data: &str) -> Result<Vec<Vec<u8>>, String> {
    let pem = base64::engine::general_purpose::STANDARD
        .decode(data.trim())
        .map_err(|e| format!("the certificate authority is not base64: {e}"))?;
    let certs: Vec<Vec<u8>> = CertificateDer::pem_slice_iter(&pem)
        .map(|c| c.map(|c| c.to_vec()))
        .collect::<Result<_, _>>()
        .map_err(|e| format!("the certificate authority is not PEM: {e}"))?;
    if certs.is_empty() {
        return Err("the certificate authority holds no PEM certificate".into());
    }
    Ok(certs)
}

/// A connection to one cluster, whose client is rebuilt with a new token before the old
/// one expires (a destroy that waits for nodes to drain can outlast a token).
pub struct Session {
    cluster: Cluster,
    region: String,
    credentials: SharedCredentialsProvider,
    client: Mutex<Option<(Instant, kube::Client)>>,
}

impl Session {
    pub fn new(cluster: Cluster, region: impl Into<String>, credentials: SharedCredentialsProvider) -> Session {
        Session {
            cluster,
            region: region.into(),
            credentials,
            client: Mutex::new(None),
        }
    }

    /// DescribeCluster, then a session with the deployer's credentials, or `role`'s
    /// ([`Eks::credentials_for`]).
    pub async fn connect(eks: &Eks, cluster_name: &str, role: Option<&str>) -> Result<Session, KubeError> {
        let region = eks.region.clone().ok_or(KubeError::NoRegion)?;
        let cluster = Cluster::from_info(&describe(eks, cluster_name).await?)?;
        let credentials = eks.credentials_for(role).await?;
        Ok(Session::new(cluster, region, credentials))
    }

    pub fn cluster(&self) -> &Cluster {
        &self.cluster
    }

    /// A client with a token younger than [`TOKEN_REFRESH`].
    pub async fn client(&self) -> Result<kube::Client, KubeError> {
        let mut slot = self.client.lock().await;
        if let Some((made, client)) = slot.as_ref() {
            if made.elapsed() < TOKEN_REFRESH {
                return Ok(client.clone());
            }
        }
        let credentials = self.credentials.provide_credentials().await.map_err(|e| {
            KubeError::Credentials(aws_smithy_types::error::display::DisplayErrorContext(e).to_string())
        })?;
        let bearer = token::token(&self.cluster.name, &self.region, &credentials, SystemTime::now())?;
        let mut config = kube::Config::new(self.cluster.endpoint.clone());
        config.root_cert = (!self.cluster.ca.is_empty()).then(|| self.cluster.ca.clone());
        config.auth_info.token = Some(bearer.into());
        config.read_timeout = Some(Duration::from_secs(60));
        let client = kube::Client::try_from(config).map_err(|e| KubeError::BadCluster {
            cluster: self.cluster.name.clone(),
            reason: super::apply::chain(&e),
        })?;
        *slot = Some((Instant::now(), client.clone()));
        Ok(client)
    }
}

#[cfg(test)]
mod tests {
    use super::same_role;

    #[test]
    fn a_caller_is_the_role_it_assumed() {
        let role = "arn:aws:iam::123456789012:role/path/eks-admin";
        assert!(same_role(
            "arn:aws:sts::123456789012:assumed-role/eks-admin/ci-42",
            role
        ));
        assert!(same_role("arn:aws:iam::123456789012:role/eks-admin", role));
        assert!(!same_role("arn:aws:sts::123456789012:assumed-role/dev/me", role));
        assert!(!same_role("arn:aws:sts::999999999999:assumed-role/eks-admin/x", role));
        assert!(!same_role("arn:aws:iam::123456789012:user/eks-admin", role));
    }
}
