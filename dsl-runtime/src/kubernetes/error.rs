//! What can go wrong applying Kubernetes objects, each case with what to do about it.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum KubeError {
    #[error("no AWS credentials to sign the EKS token with: {0}\n  run `aws configure` or `aws sso login`, or set AWS_PROFILE")]
    Credentials(String),

    #[error("no AWS region is set, so the EKS token cannot be signed: set AWS_REGION or a region in your profile")]
    NoRegion,

    #[error("signing the EKS token failed: {0}")]
    Signing(String),

    #[error("the EKS cluster `{0}` does not exist in this account and region: deploy the stack that creates it first")]
    ClusterNotFound(String),

    #[error("{0}")]
    Describe(String),

    #[error("the EKS cluster `{cluster}` is {status}, not ACTIVE: wait for it (deploy again when it is ACTIVE)")]
    ClusterNotActive { cluster: String, status: String },

    #[error("the EKS cluster `{cluster}` has an unusable endpoint or certificate: {reason}")]
    BadCluster { cluster: String, reason: String },

    #[error("object #{index} of `{group}` is not a Kubernetes object: {reason}")]
    BadObject {
        group: String,
        index: usize,
        reason: String,
    },

    #[error("could not reach the Kubernetes API of `{cluster}` at {endpoint}: {reason}\n  a private-only endpoint is reachable only from inside its VPC (run deploy there, or through a VPN), a public one only from its allowed CIDRs")]
    Unreachable {
        cluster: String,
        endpoint: String,
        reason: String,
    },

    #[error("the cluster `{cluster}` did not accept the EKS token (401): {message}\n  its authentication mode must be API or API_AND_CONFIG_MAP, and the principal that deploys needs an access entry; also check this machine's clock")]
    Unauthorized { cluster: String, message: String },

    #[error("{object}: forbidden: {message}\n  the principal that deploys needs an access entry on the cluster with an access policy that allows this (e.g. AmazonEKSClusterAdminPolicy)")]
    Forbidden { object: String, message: String },

    #[error("{object}: the cluster does not serve {api_version} {kind}: {hint}")]
    NotServed {
        object: String,
        api_version: String,
        kind: String,
        hint: String,
    },

    #[error("{object}: its namespace `{namespace}` does not exist: put the Namespace before it in the group")]
    NamespaceMissing { object: String, namespace: String },

    #[error("{object}: the cluster rejected it as invalid: {message}")]
    Invalid { object: String, message: String },

    #[error("{object}: still conflicting after {attempts} attempts (409): {message}\n  another client keeps changing it: run deploy again")]
    Conflict {
        object: String,
        attempts: u32,
        message: String,
    },

    #[error("{object}: still present after {seconds} s: its finalizers are waiting (e.g. Karpenter draining nodes); run destroy again, or look at `kubectl describe` of it")]
    DeleteTimeout { object: String, seconds: u64 },

    #[error("{object}: the Kubernetes API answered {code}: {message}")]
    Api { object: String, code: u16, message: String },

    #[error("could not download {url}: {reason}\n  deploy fetches it once and keeps it as {cached}; on a machine without that access, put the file there (its SHA-256 is checked)")]
    CrdUnavailable {
        url: String,
        reason: String,
        cached: String,
    },

    #[error("{url}: its SHA-256 is {actual}, not the pinned {expected}: refusing it (the file changed upstream or on the way); nothing was applied")]
    CrdDigest {
        url: String,
        expected: String,
        actual: String,
    },

    #[error("{url} is not the CRD sparkform expects: {reason}")]
    BadCrd { url: String, reason: String },

    #[error("{object}: not established after {seconds} s (conditions: {conditions}): run deploy again, or look at `kubectl describe` of it")]
    NotEstablished {
        object: String,
        seconds: u64,
        conditions: String,
    },
}
