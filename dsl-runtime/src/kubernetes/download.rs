//! Files pinned by SHA-256 (upstream CRDs): read from the cache when there, else downloaded
//! once over HTTPS and kept. Bytes whose digest is not the pinned one are never used, from
//! the network or from the cache.

use http_body_util::{BodyExt, Empty, Limited};
use hyper::body::Bytes;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A CRD is tens of kilobytes; anything this large is not one.
const MAX_BYTES: usize = 16 * 1024 * 1024;
const TIMEOUT: Duration = Duration::from_secs(60);
const REDIRECTS: usize = 5;

/// Where pinned downloads are kept: `<cache root>/downloads` (`$SPARKFORM_CACHE_DIR`, else
/// `~/.cache/sparkform`), one file per digest.
pub fn default_dir() -> PathBuf {
    crate::local::envs::cache_root().join("downloads")
}

/// The cache file of a digest: where an offline machine can be given the file.
pub fn cached_path(dir: &Path, sha256: &str) -> PathBuf {
    dir.join(format!("{sha256}.yaml"))
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Why a pinned file could not be had.
#[derive(Debug, PartialEq, Eq)]
pub enum FetchError {
    /// Not reachable, or an HTTP error.
    Unavailable(String),
    /// Downloaded, but not the pinned bytes.
    Digest { actual: String },
}

/// What `fetch` did, for progress lines and tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    Cache,
    Network,
}

/// The pinned bytes of `url`, from `dir` or the network (then kept in `dir`). A cache
/// file with other bytes (truncated, edited) is replaced.
pub async fn fetch(url: &str, sha256: &str, dir: &Path) -> Result<(Vec<u8>, Source), FetchError> {
    Downloader::default().fetch(url, sha256, dir).await
}

type HttpClient = hyper_util::client::legacy::Client<
    hyper_rustls::HttpsConnector<hyper_util::client::legacy::connect::HttpConnector>,
    Empty<Bytes>,
>;

/// Fetches several pinned files with one HTTPS client (the system's roots read once),
/// made on the first download: a run that finds everything cached makes none.
#[derive(Default)]
pub struct Downloader {
    client: std::sync::OnceLock<HttpClient>,
}

impl Downloader {
    /// As [`fetch`], with this downloader's client.
    pub async fn fetch(&self, url: &str, sha256: &str, dir: &Path) -> Result<(Vec<u8>, Source), FetchError> {
        let path = cached_path(dir, sha256);
        if let Ok(bytes) = tokio::fs::read(&path).await {
            if sha256_hex(&bytes) == sha256 {
                return Ok((bytes, Source::Cache));
            }
        }
        let bytes = tokio::time::timeout(TIMEOUT, self.get(url))
            .await
            .map_err(|_| FetchError::Unavailable(format!("no answer within {} s", TIMEOUT.as_secs())))??;
        let actual = sha256_hex(&bytes);
        if actual != sha256 {
            return Err(FetchError::Digest { actual });
        }
        // Written aside and renamed, so a crash never leaves a partial file under the
        // digest. A cache that cannot be written only costs a download next time.
        if tokio::fs::create_dir_all(dir).await.is_ok() {
            let tmp = dir.join(format!(".{sha256}.{}.part", std::process::id()));
            if tokio::fs::write(&tmp, &bytes).await.is_ok() && tokio::fs::rename(&tmp, &path).await.is_err() {
                let _ = tokio::fs::remove_file(&tmp).await;
            }
        }
        Ok((bytes, Source::Network))
    }

    /// The client over the system's root certificates (rustls with ring, the TLS stack the
    /// AWS and Kubernetes clients use).
    fn client(&self) -> Result<&HttpClient, FetchError> {
        if let Some(c) = self.client.get() {
            return Ok(c);
        }
        let tls = rustls::ClientConfig::builder_with_provider(rustls::crypto::ring::default_provider().into())
            .with_safe_default_protocol_versions()
            .map_err(|e| FetchError::Unavailable(e.to_string()))?
            .with_root_certificates(roots())
            .with_no_client_auth();
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .build();
        let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new()).build(https);
        Ok(self.client.get_or_init(|| client))
    }

    /// GET with redirects followed.
    async fn get(&self, url: &str) -> Result<Vec<u8>, FetchError> {
        let unavailable = |e: String| FetchError::Unavailable(e);
        let client = self.client()?;
        let mut uri: hyper::Uri = url.parse().map_err(|e| unavailable(format!("bad URL: {e}")))?;
        for _ in 0..=REDIRECTS {
            let response = client
                .get(uri.clone())
                .await
                .map_err(|e| unavailable(super::apply::chain(&e)))?;
            let status = response.status();
            if status.is_redirection() {
                let location = response
                    .headers()
                    .get(hyper::header::LOCATION)
                    .and_then(|l| l.to_str().ok())
                    .ok_or_else(|| unavailable(format!("HTTP {status} without a Location")))?;
                uri = location
                    .parse()
                    .map_err(|e| unavailable(format!("bad redirect {location}: {e}")))?;
                continue;
            }
            if !status.is_success() {
                return Err(unavailable(format!("HTTP {status}")));
            }
            let body = Limited::new(response.into_body(), MAX_BYTES)
                .collect()
                .await
                .map_err(|e| unavailable(format!("reading the body: {e}")))?;
            return Ok(body.to_bytes().to_vec());
        }
        Err(unavailable(format!("more than {REDIRECTS} redirects")))
    }
}

/// The system's root certificates; unreadable ones are skipped (rustls-native-certs
/// reports them one by one).
fn roots() -> rustls::RootCertStore {
    let mut store = rustls::RootCertStore::empty();
    let found = rustls_native_certs::load_native_certs();
    store.add_parsable_certificates(found.certs);
    store
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_are_lowercase_hex() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[tokio::test]
    async fn a_cached_file_with_the_pinned_digest_is_used_and_a_wrong_one_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let sha = sha256_hex(b"kind: CustomResourceDefinition\n");
        std::fs::write(cached_path(dir.path(), &sha), b"kind: CustomResourceDefinition\n").unwrap();
        // The URL is never asked: nothing listens on port 9.
        let (bytes, source) = fetch("http://127.0.0.1:9/x.yaml", &sha, dir.path()).await.unwrap();
        assert_eq!(
            (bytes.as_slice(), source),
            (&b"kind: CustomResourceDefinition\n"[..], Source::Cache)
        );

        std::fs::write(cached_path(dir.path(), &sha), b"tampered").unwrap();
        let err = fetch("http://127.0.0.1:9/x.yaml", &sha, dir.path()).await.unwrap_err();
        assert!(matches!(err, FetchError::Unavailable(_)), "{err:?}");
    }
}
