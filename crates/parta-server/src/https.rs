//! One HTTPS request to a service outside (a push service, an SMS gateway, an OpenID
//! provider): HTTP/1.1
//! over rustls, the public roots and, where the deployment names one, its own
//! authority, with a deadline; and the addresses such requests may go to.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use http_body_util::Full;
use hyper_util::rt::TokioIo;
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};
use tokio_rustls::rustls::{ClientConfig, RootCertStore};

/// A whole request, from connecting to the answer's head.
const DEADLINE: Duration = Duration::from_secs(15);

/// What the service answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    /// Seconds to wait before trying again, when the service says (429, 503).
    pub retry_after: Option<i64>,
}

/// TLS with the public roots, and `extra_ca_pem` besides.
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

/// Which addresses a request may connect to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// Wherever the name resolves (a service the deployment itself names).
    Anywhere,
    /// Public addresses only: a URL someone typed never reaches inside the network.
    Public,
}

/// POSTs `body` with `headers` to the endpoint.
pub async fn post(
    tls: &Arc<ClientConfig>,
    endpoint: &Endpoint,
    headers: &[(&'static str, String)],
    body: Vec<u8>,
) -> anyhow::Result<Answer> {
    request(tls, "POST", endpoint, headers, body, Reach::Anywhere).await
}

/// POSTs to an endpoint someone typed: `reach` says where it may go.
pub async fn post_within(
    tls: &Arc<ClientConfig>,
    endpoint: &Endpoint,
    headers: &[(&'static str, String)],
    body: Vec<u8>,
    reach: Reach,
) -> anyhow::Result<Answer> {
    request(tls, "POST", endpoint, headers, body, reach).await
}

/// GETs the endpoint.
pub async fn get(tls: &Arc<ClientConfig>, endpoint: &Endpoint) -> anyhow::Result<Answer> {
    request(tls, "GET", endpoint, &[], Vec::new(), Reach::Anywhere).await
}

async fn request(
    tls: &Arc<ClientConfig>,
    method: &'static str,
    endpoint: &Endpoint,
    headers: &[(&'static str, String)],
    body: Vec<u8>,
    reach: Reach,
) -> anyhow::Result<Answer> {
    tokio::time::timeout(DEADLINE, send(tls, method, endpoint, headers, body, reach))
        .await
        .map_err(|_| anyhow::anyhow!("{} did not answer within {} s", endpoint.host, DEADLINE.as_secs()))?
}

/// Whether an address is on the public internet: not this machine, not a private,
/// shared or link-local network (a cloud's metadata service), not multicast.
pub fn is_public(ip: std::net::IpAddr) -> bool {
    use std::net::IpAddr;
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b)))
        }
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public(IpAddr::V4(v4)),
            None => {
                let first = v6.segments()[0];
                !(v6.is_loopback()
                    || v6.is_unspecified()
                    || v6.is_multicast()
                    || (first & 0xfe00) == 0xfc00
                    || (first & 0xffc0) == 0xfe80)
            }
        },
    }
}

/// Connects to the endpoint (resolved once, the address checked against `reach`) and
/// opens an HTTP/1.1 connection over TLS; the driver task is the caller's to abort.
async fn open(
    tls: &Arc<ClientConfig>,
    endpoint: &Endpoint,
    reach: Reach,
) -> anyhow::Result<(hyper::client::conn::http1::SendRequest<Full<Bytes>>, tokio::task::JoinHandle<hyper::Result<()>>)>
{
    let host = endpoint.host.trim_start_matches('[').trim_end_matches(']').to_owned();
    // Resolved once and connected to the address checked, so a name cannot point
    // elsewhere between the check and the connection.
    let addresses: Vec<std::net::SocketAddr> = tokio::net::lookup_host((host.as_str(), endpoint.port)).await?.collect();
    let allowed = addresses.iter().find(|a| reach == Reach::Anywhere || is_public(a.ip()));
    let Some(address) = allowed else {
        anyhow::bail!("{host} is inside the network, not a public address");
    };
    let tcp = tokio::net::TcpStream::connect(address).await?;
    let name = ServerName::try_from(host)?;
    let stream = TlsConnector::from(Arc::clone(tls)).connect(name, tcp).await?;
    let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    Ok((sender, tokio::spawn(connection)))
}

fn build(
    method: &'static str,
    endpoint: &Endpoint,
    headers: &[(&'static str, String)],
    body: Vec<u8>,
) -> anyhow::Result<axum::http::Request<Full<Bytes>>> {
    let authority = endpoint.origin.as_str().trim_start_matches("https://").to_owned();
    let mut request =
        axum::http::Request::builder().method(method).uri(endpoint.path.as_str()).header("host", authority);
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    Ok(request.header("content-length", body.len()).body(Full::new(Bytes::from(body)))?)
}

async fn send(
    tls: &Arc<ClientConfig>,
    method: &'static str,
    endpoint: &Endpoint,
    headers: &[(&'static str, String)],
    body: Vec<u8>,
    reach: Reach,
) -> anyhow::Result<Answer> {
    let (mut sender, driver) = open(tls, endpoint, reach).await?;
    let response = sender.send_request(build(method, endpoint, headers, body)?).await?;
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

/// A whole answer: status, headers and a body of at most `MAX_BODY` bytes.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub status: u16,
    pub headers: axum::http::HeaderMap,
    pub body: Vec<u8>,
}

/// Largest body `fetch` reads (a discovery document, a key set, a token answer).
pub const MAX_BODY: usize = 1024 * 1024;

/// One request to a service the deployment names (an OpenID provider), with its whole
/// answer, within the deadline.
pub async fn fetch(
    tls: &Arc<ClientConfig>,
    method: &'static str,
    endpoint: &Endpoint,
    headers: &[(&'static str, String)],
    body: Vec<u8>,
) -> anyhow::Result<Fetched> {
    let whole = async {
        let (mut sender, driver) = open(tls, endpoint, Reach::Anywhere).await?;
        let response = sender.send_request(build(method, endpoint, headers, body)?).await?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let limited = http_body_util::Limited::new(response.into_body(), MAX_BODY);
        let body = http_body_util::BodyExt::collect(limited)
            .await
            .map_err(|e| anyhow::anyhow!("reading the answer: {e}"))?
            .to_bytes()
            .to_vec();
        drop(sender);
        driver.abort();
        Ok::<_, anyhow::Error>(Fetched { status, headers, body })
    };
    tokio::time::timeout(DEADLINE, whole)
        .await
        .map_err(|_| anyhow::anyhow!("{} did not answer within {} s", endpoint.host, DEADLINE.as_secs()))?
}

/// `https://host[:port]` of an endpoint URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin(String);

impl Origin {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The parts of an `https://` endpoint: its origin, host, port and path with query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub origin: Origin,
    pub host: String,
    pub port: u16,
    pub path: String,
}

/// Splits an endpoint URL; only `https` with a host and no user information is one.
pub fn parse(url: &str) -> Option<Endpoint> {
    let uri: axum::http::Uri = url.parse().ok()?;
    if uri.scheme_str() != Some("https") || url.contains('#') {
        return None;
    }
    let authority = uri.authority()?;
    if authority.as_str().contains('@') || authority.host().is_empty() {
        return None;
    }
    let host = authority.host().to_ascii_lowercase();
    // A port that is not a number up to 65535 is no port, not the default one.
    let names_port = authority.as_str().rsplit(']').next().is_some_and(|tail| tail.contains(':'));
    let port = match authority.port_u16() {
        Some(port) => port,
        None if names_port => return None,
        None => 443,
    };
    let path = uri.path_and_query().map_or("/", |p| p.as_str()).to_owned();
    let origin = if port == 443 { format!("https://{host}") } else { format!("https://{host}:{port}") };
    Some(Endpoint { origin: Origin(origin), host, port, path })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_addresses_on_the_internet_are_public() {
        for inside in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:10.0.0.1",
        ] {
            assert!(!is_public(inside.parse().expect("an address")), "{inside}");
        }
        for outside in ["8.8.8.8", "77.88.8.8", "2a02:6b8::feed:0ff"] {
            assert!(is_public(outside.parse().expect("an address")), "{outside}");
        }
    }

    #[test]
    fn endpoints_are_https_urls_without_credentials() {
        let e = parse("https://fcm.googleapis.com/fcm/send/abc:def").expect("an endpoint");
        assert_eq!(e.origin.as_str(), "https://fcm.googleapis.com");
        assert_eq!((e.host.as_str(), e.port, e.path.as_str()), ("fcm.googleapis.com", 443, "/fcm/send/abc:def"));
        let e = parse("https://127.0.0.1:8443/push/1?x=y").expect("with a port");
        assert_eq!(e.origin.as_str(), "https://127.0.0.1:8443");
        assert_eq!(e.path, "/push/1?x=y");
        for bad in [
            "http://fcm.googleapis.com/x",
            "https://user@fcm.googleapis.com/x",
            "https:///x",
            "https://fcm.googleapis.com:99999/x",
            "https://fcm.googleapis.com/x y",
            "javascript:alert(1)",
            "https://host/x#frag",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }
}
