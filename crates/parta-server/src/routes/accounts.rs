use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{AppendHeaders, IntoResponse};
use parta_domain::SessionId;
use parta_protocol::{
    ChangePasswordRequest, ConsentText, CsrfToken, DeleteAccountRequest, LoginRequest, Me, MessagesExport,
    PasswordResetRequest, Problem, RegisterRequest, Registered, SessionCreated, SessionInfo, SetPasswordRequest,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppJson;
use crate::actions::{accounts, invites, login, recovery};
use crate::auth::{Actor, ClientInfo, device_cookie, session_cookie};
use crate::error::Result;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(auth_login))
        .routes(routes!(auth_logout))
        .routes(routes!(auth_register))
        .routes(routes!(auth_set_password))
        .routes(routes!(auth_password_reset))
        .routes(routes!(consent_get))
        .routes(routes!(me_get, me_delete))
        .routes(routes!(me_csrf))
        .routes(routes!(me_sessions))
        .routes(routes!(me_session_end))
        .routes(routes!(me_password))
        .routes(routes!(me_messages_export))
}

/// The session cookie, and the device cookie when this browser is new.
fn login_cookies(
    state: &AppState,
    token: &str,
    new_device: Option<&str>,
) -> AppendHeaders<Vec<(header::HeaderName, String)>> {
    let max_age = state.settings.session_idle_ms / 1000;
    let mut cookies = vec![(header::SET_COOKIE, session_cookie(token, max_age, state.settings.secure_cookies))];
    if let Some(device) = new_device {
        cookies.push((header::SET_COOKIE, device_cookie(device, state.settings.secure_cookies)));
    }
    AppendHeaders(cookies)
}

fn clear_cookie(state: &AppState) -> AppendHeaders<[(header::HeaderName, String); 1]> {
    AppendHeaders([(header::SET_COOKIE, session_cookie("", 0, state.settings.secure_cookies))])
}

/// # `POST /api/v1/auth/login`
/// Logs in by phone or e-mail and password. Sets the session cookie (and, for a new
/// browser, the device cookie) and returns the token and CSRF token. Unknown account
/// and wrong password answer alike; after 10 failures in 15 minutes for one account
/// (or 100 from one address, for devices the account has not logged in from) the
/// answer is 429; while too many password checks wait, 503.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "accounts", request_body = LoginRequest,
    responses((status = 200, body = SessionCreated), (status = 401, body = Problem), (status = 429, body = Problem),
        (status = 503, body = Problem)))]
async fn auth_login(
    State(state): State<AppState>,
    client: ClientInfo,
    AppJson(body): AppJson<LoginRequest>,
) -> Result<impl IntoResponse> {
    let logged_in = login::login(&state, &body.login, &body.password, &client).await?;
    let cookies = login_cookies(&state, &logged_in.session.token, logged_in.new_device.as_deref());
    Ok((cookies, Json(logged_in.session)))
}

/// # `POST /api/v1/auth/logout`
/// Ends the current session and clears the cookie.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "accounts", security(("bearer" = []), ("cookie" = [])),
    responses((status = 204), (status = 401, body = Problem)))]
async fn auth_logout(State(state): State<AppState>, actor: Actor) -> Result<impl IntoResponse> {
    accounts::logout(&state, &actor).await?;
    Ok((StatusCode::NO_CONTENT, clear_cookie(&state)))
}

/// # `POST /api/v1/auth/register`
/// Creates an account through an invite link and uses the link in the same step:
/// the answer says whether the person joined or a join request is waiting. A phone
/// or e-mail that has an account already makes this that account's login (401 for a
/// wrong password, under the login's limits): whether a contact has an account is
/// never told.
#[utoipa::path(post, path = "/api/v1/auth/register", tag = "accounts", request_body = RegisterRequest,
    responses((status = 201, body = Registered), (status = 401, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 410, body = Problem), (status = 422, body = Problem),
        (status = 429, body = Problem), (status = 503, body = Problem)))]
async fn auth_register(
    State(state): State<AppState>,
    client: ClientInfo,
    AppJson(body): AppJson<RegisterRequest>,
) -> Result<impl IntoResponse> {
    let done = invites::register(&state, &body, &client).await?;
    let cookies = login_cookies(&state, &done.token, done.new_device.as_deref());
    Ok((StatusCode::CREATED, cookies, Json(done.registered)))
}

/// # `POST /api/v1/auth/set-password`
/// Sets a password with a one-time code (printed by `parta admin create-operator`).
/// Ends every existing session of that account.
#[utoipa::path(post, path = "/api/v1/auth/set-password", tag = "accounts", request_body = SetPasswordRequest,
    responses((status = 204), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn auth_set_password(
    State(state): State<AppState>,
    AppJson(body): AppJson<SetPasswordRequest>,
) -> Result<StatusCode> {
    accounts::set_password_with_token(&state, &body.token, &body.password).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// # `POST /api/v1/auth/password-reset`
/// Sends a link to set a new password (valid 30 minutes, once) to the account with this
/// e-mail. The answer is the same whether there is such an account or not; a few
/// requests an hour per address and per network address.
#[utoipa::path(post, path = "/api/v1/auth/password-reset", tag = "accounts", request_body = PasswordResetRequest,
    responses((status = 202), (status = 422, body = Problem), (status = 429, body = Problem)))]
async fn auth_password_reset(
    State(state): State<AppState>,
    client: ClientInfo,
    AppJson(body): AppJson<PasswordResetRequest>,
) -> Result<StatusCode> {
    recovery::request_reset(&state, &body, &client).await?;
    Ok(StatusCode::ACCEPTED)
}

/// # `GET /api/v1/consent`
/// The text of the consent to the processing of personal data (152-ФЗ) a person agrees
/// to when they register, and a parent for their child, with its version.
#[utoipa::path(get, path = "/api/v1/consent", tag = "accounts", responses((status = 200, body = ConsentText)))]
async fn consent_get() -> Json<ConsentText> {
    Json(accounts::consent_text())
}

/// # `GET /api/v1/me`
/// The signed-in person: name, own contacts, and every school with roles, classes and children.
#[utoipa::path(get, path = "/api/v1/me", tag = "accounts", security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = Me), (status = 401, body = Problem)))]
async fn me_get(State(state): State<AppState>, actor: Actor) -> Result<Json<Me>> {
    Ok(Json(accounts::me(&state, actor.user_id).await?))
}

/// # `DELETE /api/v1/me`
/// Deletes the account: personal data erased, memberships ended, sessions closed;
/// audit entries stay. Needs the current password.
#[utoipa::path(delete, path = "/api/v1/me", tag = "accounts", security(("bearer" = []), ("cookie" = [])),
    request_body = DeleteAccountRequest,
    responses((status = 204), (status = 401, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn me_delete(
    State(state): State<AppState>,
    actor: Actor,
    AppJson(body): AppJson<DeleteAccountRequest>,
) -> Result<impl IntoResponse> {
    accounts::delete_account(&state, &actor, &body.password).await?;
    Ok((StatusCode::NO_CONTENT, clear_cookie(&state)))
}

/// # `GET /api/v1/me/csrf`
/// The CSRF token of the current session, for a web page loaded after login.
#[utoipa::path(get, path = "/api/v1/me/csrf", tag = "accounts", security(("cookie" = [])),
    responses((status = 200, body = CsrfToken), (status = 401, body = Problem)))]
async fn me_csrf(actor: Actor) -> Json<CsrfToken> {
    Json(CsrfToken { csrf_token: actor.csrf_token })
}

/// # `GET /api/v1/me/sessions`
/// The account's live sessions, the current one marked.
#[utoipa::path(get, path = "/api/v1/me/sessions", tag = "accounts", security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = [SessionInfo]), (status = 401, body = Problem)))]
async fn me_sessions(State(state): State<AppState>, actor: Actor) -> Result<Json<Vec<SessionInfo>>> {
    Ok(Json(accounts::sessions(&state, &actor).await?))
}

/// # `DELETE /api/v1/me/sessions/{session_id}`
/// Ends one of the account's sessions (on another device, or this one).
#[utoipa::path(delete, path = "/api/v1/me/sessions/{session_id}", tag = "accounts", security(("bearer" = []), ("cookie" = [])),
    params(("session_id" = i64, Path)), responses((status = 204), (status = 404, body = Problem)))]
async fn me_session_end(
    State(state): State<AppState>,
    actor: Actor,
    Path(session_id): Path<i64>,
) -> Result<StatusCode> {
    accounts::end_session(&state, &actor, SessionId(session_id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// # `POST /api/v1/me/password`
/// Changes the password; every other session ends.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "accounts", security(("bearer" = []), ("cookie" = [])),
    request_body = ChangePasswordRequest, responses((status = 204), (status = 422, body = Problem)))]
async fn me_password(
    State(state): State<AppState>,
    actor: Actor,
    AppJson(body): AppJson<ChangePasswordRequest>,
) -> Result<StatusCode> {
    accounts::change_password(&state, &actor, &body.current_password, &body.new_password).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// # `GET /api/v1/me/messages/export`
/// Everything the signed-in person wrote in chats (oldest first, deleted ones left out),
/// as a JSON file — whatever chats they have left since.
#[utoipa::path(get, path = "/api/v1/me/messages/export", tag = "accounts", security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = MessagesExport), (status = 401, body = Problem)))]
async fn me_messages_export(State(state): State<AppState>, actor: Actor) -> Result<impl IntoResponse> {
    let export = accounts::export_messages(&state, &actor).await?;
    let day = export.exported_at.get(..10).unwrap_or("export").to_owned();
    let disposition = format!("attachment; filename=\"parta-messages-{day}.json\"");
    Ok((AppendHeaders([(header::CONTENT_DISPOSITION, disposition)]), Json(export)))
}
