//! Signing in with OpenID Connect providers, and the identities linked to one's account.
//!
//! The browser's steps (`start`, `callback`) answer with redirects — to the provider,
//! then back into the web client, or to the login page with `?sso_error=<code>` — and
//! with problem documents (or the outcome as JSON) to a client that asks for JSON.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{AppendHeaders, IntoResponse, Response};
use parta_protocol::{OidcLink, OidcLinkRequest, OidcOutcome, OidcProvider, OidcRedirect, Problem};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppJson;
use crate::actions::login::SignedIn;
use crate::actions::oidc::{self, Answer, Finished};
use crate::auth::{Actor, ClientInfo, cookie, device_cookie, session_cookie};
use crate::error::{Error, Result};
use crate::state::AppState;

/// Binds a begun sign-in to the browser that began it. `Lax`: the provider's redirect
/// back is a top-level navigation from another site, which `Strict` would not carry.
pub const BROWSER_COOKIE: &str = "parta_oidc";
const COOKIE_PATH: &str = "/api/v1/auth/oidc";

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(oidc_providers))
        .routes(routes!(oidc_start))
        .routes(routes!(oidc_callback))
        .routes(routes!(me_oidc_list))
        .routes(routes!(me_oidc_link))
        .routes(routes!(me_oidc_unlink))
}

fn browser_cookie(state: &AppState, value: &str) -> (header::HeaderName, String) {
    let secure = if state.settings.secure_cookies { "; Secure" } else { "" };
    let max_age = oidc::STATE_TTL_MS / 1000;
    (
        header::SET_COOKIE,
        format!("{BROWSER_COOKIE}={value}; Path={COOKIE_PATH}; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"),
    )
}

fn wants_json(headers: &HeaderMap) -> bool {
    headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("application/json"))
}

fn see_other(location: &str, cookies: Vec<(header::HeaderName, String)>) -> Response {
    (StatusCode::SEE_OTHER, AppendHeaders(cookies), [(header::LOCATION, location.to_owned())]).into_response()
}

/// An error as the browser sees it: back to the login page, the code in the query.
fn to_login(error: &Error) -> Response {
    if matches!(error, Error::Database(_) | Error::Internal(_)) {
        tracing::error!(%error, "a sign-in with a provider failed");
    }
    see_other(&format!("/login?sso_error={}", error.code()), Vec::new())
}

/// # `GET /api/v1/auth/oidc`
/// The OpenID Connect providers people may sign in with (for the login and join pages).
#[utoipa::path(get, path = "/api/v1/auth/oidc", tag = "accounts", responses((status = 200, body = [OidcProvider])))]
async fn oidc_providers(State(state): State<AppState>) -> Json<Vec<OidcProvider>> {
    Json(oidc::providers(&state))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct StartQuery {
    /// An invite link's token: join by it and link the identity (a new account from
    /// the provider's name and contact when the identity is not linked yet).
    invite: Option<String>,
    /// With `invite`: the version of the consent agreed to (`GET /api/v1/consent`).
    consent_version: Option<String>,
}

/// # `GET /api/v1/auth/oidc/{id}/start`
/// Begins signing in at the provider (code flow with PKCE, state and nonce, good for
/// 10 minutes): 303 to its authorization endpoint, with a cookie binding the sign-in to
/// this browser. With `invite`, the sign-in joins by that link. 429
/// `oidc_rate_limited` beyond 600 begun from one address in 10 minutes.
#[utoipa::path(get, path = "/api/v1/auth/oidc/{id}/start", tag = "accounts",
    params(("id" = String, Path), StartQuery),
    responses((status = 303), (status = 404, body = Problem), (status = 410, body = Problem),
        (status = 422, body = Problem), (status = 429, body = Problem), (status = 503, body = Problem)))]
async fn oidc_start(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<StartQuery>,
    client: ClientInfo,
    headers: HeaderMap,
) -> Response {
    let browser = cookie(&headers, BROWSER_COOKIE);
    let started =
        oidc::start(&state, &id, query.invite.as_deref(), query.consent_version.as_deref(), browser, &client).await;
    match started {
        Ok(started) => see_other(&started.url, vec![browser_cookie(&state, &started.browser)]),
        Err(error) if wants_json(&headers) => error.into_response(),
        // Back to the join page of a link that looks like one (never a header from arbitrary text).
        Err(error) => match query
            .invite
            .as_deref()
            .filter(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
        {
            Some(token) => see_other(
                &format!("{}?sso_error={}", crate::actions::invites::join_path(token), error.code()),
                Vec::new(),
            ),
            None => to_login(&error),
        },
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    /// The provider's refusal (`access_denied`, …).
    error: Option<String>,
}

fn session_cookies(state: &AppState, signed: &SignedIn) -> Vec<(header::HeaderName, String)> {
    let max_age = state.settings.session_idle_ms / 1000;
    let mut cookies = vec![(header::SET_COOKIE, session_cookie(&signed.token, max_age, state.settings.secure_cookies))];
    if let Some(device) = &signed.new_device {
        cookies.push((header::SET_COOKIE, device_cookie(device, state.settings.secure_cookies)));
    }
    cookies
}

/// # `GET /api/v1/auth/oidc/{id}/callback`
/// Where the provider sends the browser back. The state is taken (used once), the
/// code exchanged, the ID token checked (signature by the provider's keys, issuer,
/// audience, expiry, nonce); then the linked account is signed in, the identity linked
/// or the invite link used. 303 to the app (`/`, or `/profile?sso=linked`) or to
/// `/login?sso_error=<code>`; with `Accept: application/json`, the outcome or a problem
/// document: `oidc_state_unknown` (unknown or used state), `oidc_state_expired`,
/// `oidc_state_browser`, `oidc_token_signature`, `oidc_token_audience`,
/// `oidc_token_expired`, `oidc_token_nonce`, `oidc_not_linked`, `oidc_identity_taken`, …
#[utoipa::path(get, path = "/api/v1/auth/oidc/{id}/callback", tag = "accounts",
    params(("id" = String, Path), CallbackQuery),
    responses((status = 303), (status = 200, body = OidcOutcome), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 410, body = Problem),
        (status = 503, body = Problem)))]
async fn oidc_callback(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<CallbackQuery>,
    headers: HeaderMap,
    client: ClientInfo,
) -> Response {
    let browser = cookie(&headers, BROWSER_COOKIE);
    let answer = Answer { code: query.code.as_deref(), state: query.state.as_deref(), error: query.error.as_deref() };
    let finished = oidc::callback(&state, &id, answer, browser.as_deref(), &client).await;
    let json = wants_json(&headers);
    let (outcome, location, signed) = match finished {
        Ok(Finished::SignedIn(signed)) => ("signed_in", "/", Some(signed)),
        Ok(Finished::Joined(signed)) => ("joined", "/", Some(signed)),
        Ok(Finished::Linked) => ("linked", "/profile?sso=linked", None),
        Err(error) if json => return error.into_response(),
        Err(error) => return to_login(&error),
    };
    let cookies = signed.as_ref().map(|s| session_cookies(&state, s)).unwrap_or_default();
    if json {
        let body =
            OidcOutcome { outcome: outcome.to_owned(), location: location.to_owned(), token: signed.map(|s| s.token) };
        return (AppendHeaders(cookies), Json(body)).into_response();
    }
    see_other(location, cookies)
}

/// # `GET /api/v1/me/oidc`
/// The providers linked to the signed-in account.
#[utoipa::path(get, path = "/api/v1/me/oidc", tag = "accounts", security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = [OidcLink]), (status = 401, body = Problem)))]
async fn me_oidc_list(State(state): State<AppState>, actor: Actor) -> Result<Json<Vec<OidcLink>>> {
    Ok(Json(oidc::links(&state, &actor).await?))
}

/// # `POST /api/v1/me/oidc/{id}/link`
/// Begins linking the provider to the signed-in account: the current password (under
/// the login's limits), then the URL to send the browser to; the identity is linked
/// when the provider sends it back. 409 `oidc_already_linked` when one is linked.
#[utoipa::path(post, path = "/api/v1/me/oidc/{id}/link", tag = "accounts", security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path)), request_body = OidcLinkRequest,
    responses((status = 200, body = OidcRedirect), (status = 401, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 429, body = Problem), (status = 503, body = Problem)))]
async fn me_oidc_link(
    State(state): State<AppState>,
    actor: Actor,
    client: ClientInfo,
    Path(id): Path<String>,
    headers: HeaderMap,
    AppJson(body): AppJson<OidcLinkRequest>,
) -> Result<impl IntoResponse> {
    let browser = cookie(&headers, BROWSER_COOKIE);
    let started = oidc::start_link(&state, &actor, &id, &body.password, &client, browser).await?;
    Ok((AppendHeaders([browser_cookie(&state, &started.browser)]), Json(OidcRedirect { url: started.url })))
}

/// # `DELETE /api/v1/me/oidc/{id}`
/// Unlinks the provider from the signed-in account (audited). An account without a
/// password keeps its only link: 409 `oidc_last_sign_in`.
#[utoipa::path(delete, path = "/api/v1/me/oidc/{id}", tag = "accounts", security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path)),
    responses((status = 204), (status = 401, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn me_oidc_unlink(State(state): State<AppState>, actor: Actor, Path(id): Path<String>) -> Result<StatusCode> {
    oidc::unlink(&state, &actor, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
