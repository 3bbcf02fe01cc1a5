//! Who is asking: the session behind a request, from the `parta_session` cookie
//! (web, with a CSRF token on every change) or from `Authorization: Bearer` (API).
//! Tokens are looked up by digest; a token never appears in a URL or a log.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use parta_domain::{SessionId, UserId};

use crate::clock::{HOUR_MS, MINUTE_MS, now_ms};
use crate::error::Error;
use crate::secrets::token_hash;
use crate::state::AppState;
use crate::store;
use crate::store::sessions::LiveSession;

pub const SESSION_COOKIE: &str = "parta_session";
/// A random token naming this browser, kept across logouts: a login from a device
/// its owner used before is not held back by failures from elsewhere.
pub const DEVICE_COOKIE: &str = "parta_device";
/// How long a device stays known without a login from it.
pub const DEVICE_TTL_MS: i64 = 180 * 24 * crate::clock::HOUR_MS;
pub const CSRF_HEADER: &str = "x-csrf-token";

/// A signed-in person: who acts is `access`'s to know; finding them from a request is here.
pub use crate::access::Actor;

/// The signed-in person, if any (for endpoints anonymous people may use too).
#[derive(Debug, Clone)]
pub struct MaybeActor(pub Option<Actor>);

enum Credential {
    Bearer(String),
    Cookie(String),
}

fn credential(headers: &HeaderMap) -> Option<Credential> {
    if let Some(value) = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok())
        && let Some(token) = value.strip_prefix("Bearer ")
    {
        return Some(Credential::Bearer(token.trim().to_owned()));
    }
    cookie(headers, SESSION_COOKIE).map(Credential::Cookie)
}

pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|pair| {
        let (key, value) = pair.trim().split_once('=')?;
        (key == name).then(|| value.to_owned())
    })
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The live session behind a token: from this node's cache, or read (and cached).
async fn live_session(state: &AppState, digest: &str) -> Result<Option<LiveSession>, Error> {
    let now = now_ms();
    if let Some(live) = state.sessions.get(digest, now) {
        return Ok(Some(live));
    }
    let ticket = state.sessions.ticket();
    let mut conn = state.db.reads().acquire().await?;
    let live = store::sessions::find_live(&mut conn, digest).await?;
    if let Some(live) = &live {
        state.sessions.remember(ticket, digest, live.clone(), now);
    }
    Ok(live)
}

/// The actor behind a bare token (the WebSocket's first frame).
pub async fn actor_from_token(state: &AppState, token: &str) -> Result<Option<Actor>, Error> {
    let Some(LiveSession { session, is_operator }) = live_session(state, &token_hash(token)).await? else {
        return Ok(None);
    };
    Ok(Some(Actor {
        user_id: UserId(session.user_id),
        session_id: SessionId(session.id),
        is_operator: is_operator == 1,
        csrf_token: session.csrf_token,
    }))
}

async fn authenticate(parts: &Parts, state: &AppState) -> Result<Option<Actor>, Error> {
    let Some(credential) = credential(&parts.headers) else {
        return Ok(None);
    };
    let (token, via_cookie) = match credential {
        Credential::Bearer(token) => (token, false),
        Credential::Cookie(token) => (token, true),
    };
    let digest = token_hash(&token);
    let Some(LiveSession { session, is_operator }) = live_session(state, &digest).await? else {
        return Err(Error::Unauthenticated);
    };
    // A cookie is sent by the browser on its own; a change must also prove it came
    // from our page by echoing the CSRF token only our page can read.
    let safe_method = matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
    if via_cookie && !safe_method {
        let sent = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).unwrap_or("");
        if !constant_time_eq(sent.as_bytes(), session.csrf_token.as_bytes()) {
            return Err(Error::CsrfFailed);
        }
    }
    // Sliding expiry, written at most once a minute per session.
    let now = now_ms();
    if now - session.last_seen_at > MINUTE_MS {
        let expires_at = now + state.settings.session_idle_ms;
        let mut work = state.begin().await?;
        store::sessions::touch(&mut work, SessionId(session.id), now, expires_at).await?;
        // Activity is counted by day: looked at once an hour of use is enough.
        if now / HOUR_MS != session.last_seen_at / HOUR_MS {
            crate::actions::statistics::do_record_activity(&mut work, UserId(session.user_id)).await?;
        }
        work.commit(state).await?;
        state.sessions.touched(&digest, now, expires_at);
    }
    Ok(Some(Actor {
        user_id: UserId(session.user_id),
        session_id: SessionId(session.id),
        is_operator: is_operator == 1,
        csrf_token: session.csrf_token,
    }))
}

impl FromRequestParts<AppState> for Actor {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Actor, Error> {
        let started = std::time::Instant::now();
        let actor = authenticate(parts, state).await?.ok_or(Error::Unauthenticated);
        crate::stages::record(crate::stages::SESSION, started.elapsed(), 1);
        actor
    }
}

impl FromRequestParts<AppState> for MaybeActor {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<MaybeActor, Error> {
        authenticate(parts, state).await.map(MaybeActor)
    }
}

/// Where a request came from, for throttling and the session list.
#[derive(Debug, Clone)]
pub struct ClientInfo {
    pub ip: String,
    pub user_agent: Option<String>,
    /// The device cookie, when the browser has one.
    pub device: Option<String>,
}

impl FromRequestParts<AppState> for ClientInfo {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<ClientInfo, Self::Rejection> {
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|info| info.0.ip().to_string());
        // Behind a reverse proxy every client would share the proxy's address (and its
        // login throttle): trust the address the proxy appends, when told to.
        let forwarded = state
            .settings
            .trust_forwarded_for
            .then(|| parts.headers.get("x-forwarded-for").and_then(|v| v.to_str().ok()))
            .flatten()
            .and_then(|list| list.rsplit(',').next())
            .map(|ip| ip.trim().to_owned())
            .filter(|ip| ip.parse::<std::net::IpAddr>().is_ok());
        let ip = forwarded.or(peer).unwrap_or_else(|| "local".to_owned());
        let user_agent =
            parts.headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).map(|v| v.chars().take(300).collect());
        let device = cookie(&parts.headers, DEVICE_COOKIE).filter(|token| !token.is_empty() && token.len() <= 64);
        Ok(ClientInfo { ip, user_agent, device })
    }
}

/// The `Set-Cookie` value for a new session (or, with an empty token, for logging out).
pub fn session_cookie(token: &str, max_age_secs: i64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_secs}{secure}")
}

/// The `Set-Cookie` value naming this browser as a device its owner logs in from.
/// Sent only to the sign-in endpoints, and never readable by scripts.
pub fn device_cookie(token: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    let max_age = DEVICE_TTL_MS / 1000;
    format!("{DEVICE_COOKIE}={token}; Path=/api/v1/auth; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}")
}
