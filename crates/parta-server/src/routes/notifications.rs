use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use parta_domain::ChatId;
use parta_protocol::{
    ChatSilence, ChatSilenceRequest, DigestRequest, DigestSettings, MarkNotificationsRead, NotificationPage, Problem,
    UnsubscribeRequest,
};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::actions::{digests, notifications};
use crate::auth::Actor;
use crate::error::Result;
use crate::routes::AppJson;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(notifications_page))
        .routes(routes!(notifications_read))
        .routes(routes!(chat_silence))
        .routes(routes!(digest_get, digest_put))
        .routes(routes!(digest_unsubscribe))
        .routes(routes!(digest_one_click, digest_stop_page))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct Page {
    /// Notifications older than this id (the previous page's `next_before`).
    before: Option<i64>,
    /// 1 to 100, default 30.
    limit: Option<i64>,
}

/// # `GET /api/v1/notifications`
/// One's notifications, newest first, with the unread count and the posts waiting
/// for one's confirmation.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "notifications", security(("bearer" = []), ("cookie" = [])),
    params(Page), responses((status = 200, body = NotificationPage), (status = 401, body = Problem), (status = 422, body = Problem)))]
async fn notifications_page(
    State(state): State<AppState>,
    actor: Actor,
    Query(page): Query<Page>,
) -> Result<Json<NotificationPage>> {
    Ok(Json(notifications::page(&state, &actor, page.before, page.limit).await?))
}

/// # `POST /api/v1/notifications/read`
/// Marks one's notifications read: `ids`, or `all`. Every device of one's hears of it.
#[utoipa::path(post, path = "/api/v1/notifications/read", tag = "notifications", security(("bearer" = []), ("cookie" = [])),
    request_body = MarkNotificationsRead,
    responses((status = 204), (status = 401, body = Problem), (status = 422, body = Problem)))]
async fn notifications_read(
    State(state): State<AppState>,
    actor: Actor,
    AppJson(request): AppJson<MarkNotificationsRead>,
) -> Result<StatusCode> {
    notifications::mark_read(&state, &actor, &request).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// # `PUT /api/v1/chats/{chat_id}/silence`
/// Quiets the chat for oneself («не беспокоить»: `1h`, `8h`, `tomorrow`, `forever`,
/// `off`) or lets only mentions of oneself reach one from it. Others see nothing of it.
#[utoipa::path(put, path = "/api/v1/chats/{chat_id}/silence", tag = "notifications", security(("bearer" = []), ("cookie" = [])),
    params(("chat_id" = i64, Path)), request_body = ChatSilenceRequest,
    responses((status = 200, body = ChatSilence), (status = 401, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn chat_silence(
    State(state): State<AppState>,
    actor: Actor,
    Path(chat): Path<i64>,
    AppJson(request): AppJson<ChatSilenceRequest>,
) -> Result<Json<ChatSilence>> {
    Ok(Json(notifications::set_chat_silence(&state, &actor, ChatId(chat), &request).await?))
}

/// # `GET /api/v1/me/digest`
/// One's digest by e-mail: how often, when the next one is made, the address.
#[utoipa::path(get, path = "/api/v1/me/digest", tag = "notifications", security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = DigestSettings), (status = 401, body = Problem)))]
async fn digest_get(State(state): State<AppState>, actor: Actor) -> Result<Json<DigestSettings>> {
    Ok(Json(digests::settings(&state, &actor).await?))
}

/// # `PUT /api/v1/me/digest`
/// `off`, `daily` (18:00 where the school is) or `weekly` (Fridays at 18:00): what
/// happened for each child, posts awaiting one's confirmation, the school's
/// announcements. Needs an e-mail on the account.
#[utoipa::path(put, path = "/api/v1/me/digest", tag = "notifications", security(("bearer" = []), ("cookie" = [])),
    request_body = DigestRequest,
    responses((status = 200, body = DigestSettings), (status = 401, body = Problem), (status = 422, body = Problem)))]
async fn digest_put(
    State(state): State<AppState>,
    actor: Actor,
    AppJson(request): AppJson<DigestRequest>,
) -> Result<Json<DigestSettings>> {
    Ok(Json(digests::set(&state, &actor, &request).await?))
}

/// # `POST /api/v1/digest/unsubscribe`
/// Stops the digest whose letters carry this token (no sign-in); 410 for a token nobody has.
#[utoipa::path(post, path = "/api/v1/digest/unsubscribe", tag = "notifications", request_body = UnsubscribeRequest,
    responses((status = 204), (status = 410, body = Problem), (status = 422, body = Problem)))]
async fn digest_unsubscribe(
    State(state): State<AppState>,
    AppJson(request): AppJson<UnsubscribeRequest>,
) -> Result<StatusCode> {
    digests::unsubscribe(&state, &request.token).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// # `POST /api/v1/digest/unsubscribe/{token}`
/// A mail program's one-click «unsubscribe» (RFC 8058: the letter's `List-Unsubscribe`
/// header, its body `List-Unsubscribe=One-Click`, which is not needed): stops the digest.
#[utoipa::path(post, path = "/api/v1/digest/unsubscribe/{token}", tag = "notifications", params(("token" = String, Path)),
    responses((status = 204), (status = 410, body = Problem)))]
async fn digest_one_click(State(state): State<AppState>, Path(token): Path<String>) -> Result<StatusCode> {
    digests::unsubscribe(&state, &token).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// # `GET /api/v1/digest/unsubscribe/{token}`
/// The same address opened in a browser (or fetched by a link checker) stops nothing:
/// it leads to the page that asks first.
#[utoipa::path(get, path = "/api/v1/digest/unsubscribe/{token}", tag = "notifications", params(("token" = String, Path)),
    responses((status = 303)))]
async fn digest_stop_page(Path(token): Path<String>) -> axum::response::Redirect {
    let token: String = token.chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_')).collect();
    axum::response::Redirect::to(&format!("/unsubscribe?token={token}"))
}
