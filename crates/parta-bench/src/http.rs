//! A small HTTP/1.1 client: one kept-alive connection per task, reopened after an error.

use std::net::SocketAddr;

use anyhow::Context;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper::{Method, Request, StatusCode, header};
use serde::Serialize;
use serde::de::DeserializeOwned;

pub struct Conn {
    address: SocketAddr,
    sender: Option<SendRequest<Full<Bytes>>>,
}

pub struct Reply {
    pub status: StatusCode,
    pub body: Bytes,
}

impl Reply {
    /// The body as `T` when the status is `expected`; an error naming both otherwise.
    pub fn json<T: DeserializeOwned>(&self, expected: u16) -> anyhow::Result<T> {
        anyhow::ensure!(
            self.status.as_u16() == expected,
            "expected {expected}, got {}: {}",
            self.status,
            String::from_utf8_lossy(&self.body)
        );
        serde_json::from_slice(&self.body).context("reading the answer")
    }
}

impl Conn {
    pub fn new(address: SocketAddr) -> Conn {
        Conn { address, sender: None }
    }

    async fn sender(&mut self) -> anyhow::Result<&mut SendRequest<Full<Bytes>>> {
        if self.sender.as_ref().is_none_or(|s| s.is_closed()) {
            let stream = tokio::net::TcpStream::connect(self.address).await?;
            stream.set_nodelay(true)?;
            let (sender, connection) =
                hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream)).await?;
            tokio::spawn(async move {
                let _ = connection.await;
            });
            self.sender = Some(sender);
        }
        let sender = self.sender.as_mut().context("connection just opened")?;
        sender.ready().await?;
        Ok(sender)
    }

    pub async fn request(
        &mut self,
        method: Method,
        path: &str,
        token: Option<&str>,
        content_type: Option<&str>,
        body: Bytes,
    ) -> anyhow::Result<Reply> {
        let result = self.try_request(method, path, token, content_type, body).await;
        if result.is_err() {
            self.sender = None;
        }
        result
    }

    async fn try_request(
        &mut self,
        method: Method,
        path: &str,
        token: Option<&str>,
        content_type: Option<&str>,
        body: Bytes,
    ) -> anyhow::Result<Reply> {
        let host = self.address.to_string();
        let mut builder = Request::builder().method(method).uri(path).header(header::HOST, host);
        if let Some(token) = token {
            builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        if let Some(content_type) = content_type {
            builder = builder.header(header::CONTENT_TYPE, content_type);
        }
        let request = builder.body(Full::new(body))?;
        let response = self.sender().await?.send_request(request).await?;
        let status = response.status();
        let body = response.into_body().collect().await?.to_bytes();
        Ok(Reply { status, body })
    }

    pub async fn get(&mut self, path: &str, token: Option<&str>) -> anyhow::Result<Reply> {
        self.request(Method::GET, path, token, None, Bytes::new()).await
    }

    pub async fn post<T: Serialize>(&mut self, path: &str, token: Option<&str>, body: &T) -> anyhow::Result<Reply> {
        let bytes = Bytes::from(serde_json::to_vec(body)?);
        self.request(Method::POST, path, token, Some("application/json"), bytes).await
    }

    pub async fn put<T: Serialize>(&mut self, path: &str, token: Option<&str>, body: &T) -> anyhow::Result<Reply> {
        let bytes = Bytes::from(serde_json::to_vec(body)?);
        self.request(Method::PUT, path, token, Some("application/json"), bytes).await
    }
}

/// Connections handed out to concurrent tasks and taken back, so that at most as many
/// are open as tasks run at once.
pub struct Pool {
    address: SocketAddr,
    idle: std::sync::Mutex<Vec<Conn>>,
}

impl Pool {
    pub fn new(address: SocketAddr) -> Pool {
        Pool { address, idle: std::sync::Mutex::new(Vec::new()) }
    }

    pub fn take(&self) -> Conn {
        self.idle
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .pop()
            .unwrap_or_else(|| Conn::new(self.address))
    }

    pub fn give(&self, conn: Conn) {
        self.idle.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(conn);
    }
}

/// Waits until `GET /readyz` answers 200 (up to `limit`).
pub async fn wait_ready(address: SocketAddr, limit: std::time::Duration) -> anyhow::Result<()> {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        let mut conn = Conn::new(address);
        if let Ok(reply) = conn.get("/readyz", None).await
            && reply.status == StatusCode::OK
        {
            return Ok(());
        }
        anyhow::ensure!(tokio::time::Instant::now() < deadline, "{address} did not become ready within {limit:?}");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}
