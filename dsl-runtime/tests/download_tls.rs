//! Pinned downloads over HTTPS with the system's roots (where `SSL_CERT_FILE` points, as
//! rustls-native-certs reads it): a file from a server the roots trust arrives and is
//! kept; a server signed by another CA is refused. One test in its own binary, since it
//! sets the process environment.

#[path = "kube/apiserver.rs"]
mod apiserver;
#[path = "kube/certs.rs"]
mod certs;

use apiserver::ApiServer;
use sparkform::kubernetes::download::{self, cached_path, sha256_hex, FetchError, Source};

#[tokio::test]
async fn https_downloads_trust_the_system_roots_and_no_other() {
    let dir = tempfile::tempdir().unwrap();
    let (ca, cert, key) = certs::certificates(dir.path(), "mirror");
    let (other_ca, _, _) = certs::certificates(dir.path(), "other");
    let server = ApiServer::start(Some(certs::acceptor(&cert, &key))).await;
    let body = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n";
    server
        .state
        .lock()
        .unwrap()
        .files
        .insert("/crds/x.yaml".into(), body.into());
    let url = format!("https://{}/crds/x.yaml", server.addr);
    let sha = sha256_hex(body.as_bytes());

    let roots = dir.path().join("roots.pem");
    std::fs::write(&roots, &ca).unwrap();
    // SAFETY: this binary's only test, before it starts any thread that reads the
    // environment (the server's tasks do not).
    unsafe { std::env::set_var("SSL_CERT_FILE", &roots) };
    let cache = tempfile::tempdir().unwrap();
    let (bytes, source) = download::fetch(&url, &sha, cache.path()).await.unwrap();
    assert_eq!((bytes.as_slice(), source), (body.as_bytes(), Source::Network));
    assert_eq!(std::fs::read_to_string(cached_path(cache.path(), &sha)).unwrap(), body);

    std::fs::write(&roots, &other_ca).unwrap();
    let fresh = tempfile::tempdir().unwrap();
    let err = download::fetch(&url, &sha, fresh.path()).await.unwrap_err();
    let FetchError::Unavailable(reason) = &err else {
        panic!("{err:?}")
    };
    assert!(reason.to_lowercase().contains("certificate"), "{reason}");
    assert!(!cached_path(fresh.path(), &sha).exists());
}
