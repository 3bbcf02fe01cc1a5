//! One request to a push service: HTTPS (HTTP/1.1 over rustls, the public roots and,
//! where the deployment names one, its own authority), with a deadline.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use http_body_util::Full;
use hyper_util::rt::TokioIo;
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};
use tokio_rustls::rustls::{ClientConfig, RootCertStore};

use super::vapid::url_origin::Endpoint;

/// A whole request, from connecting to the answer's head.
const DEADLINE: Duration = Duration::from_secs(15);

/// What the push service answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    /// Seconds to wait before trying again, when the service says (429, 503).
    pub retry_after: Option<i64>,
}

/// TLS as push services need it: the public roots, and `extra_ca_pem` besides.
pub fn tls_config(extra_ca_pem: Option<&[u8]>) -> anyhow::Result<Arc<ClientConfig>> {
    let mut roots = RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
    if let Some(pem) = extra_ca_pem {
        for cert in CertificateDer::pem_slice_iter(pem) {
            roots.add(cert?)?;
        }
    }
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// POSTs `body` with `headers` to the endpoint.
pub async fn post(
    tls: &Arc<ClientConfig>,
    endpoint: &Endpoint,
    headers: &[(&'static str, String)],
    body: Vec<u8>,
) -> anyhow::Result<Answer> {
    tokio::time::timeout(DEADLINE, send(tls, endpoint, headers, body))
        .await
        .map_err(|_| anyhow::anyhow!("the push service did not answer within {} s", DEADLINE.as_secs()))?
}

async fn send(
    tls: &Arc<ClientConfig>,
    endpoint: &Endpoint,
    headers: &[(&'static str, String)],
    body: Vec<u8>,
) -> anyhow::Result<Answer> {
    let host = endpoint.host.trim_start_matches('[').trim_end_matches(']').to_owned();
    let tcp = tokio::net::TcpStream::connect((host.as_str(), endpoint.port)).await?;
    let name = ServerName::try_from(host)?;
    let stream = TlsConnector::from(Arc::clone(tls)).connect(name, tcp).await?;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    let driver = tokio::spawn(connection);
    let authority = endpoint.origin.as_str().trim_start_matches("https://").to_owned();
    let mut request = axum::http::Request::post(endpoint.path.as_str()).header("host", authority);
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    let request = request.header("content-length", body.len()).body(Full::new(Bytes::from(body)))?;
    let response = sender.send_request(request).await?;
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<i64>().ok())
        .filter(|s| *s >= 0);
    let answer = Answer { status: response.status().as_u16(), retry_after };
    drop(sender);
    driver.abort();
    Ok(answer)
}
