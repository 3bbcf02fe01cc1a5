use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use parta_domain::{CallId, ChatId, LessonId, OrgId};
use parta_protocol::{Call, CallStay, MuteInCallRequest, OnlineLesson, Problem, RemoveFromCallRequest};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppJson;
use crate::actions::calls;
use crate::auth::Actor;
use crate::error::Result;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(calls_start))
        .routes(routes!(calls_current))
        .routes(routes!(calls_get))
        .routes(routes!(calls_stays))
        .routes(routes!(calls_end))
        .routes(routes!(calls_remove))
        .routes(routes!(calls_mute))
        .routes(routes!(lessons_call))
        .routes(routes!(lessons_online))
}

/// # `POST /api/v1/chats/{chat_id}/calls`
/// Starts a call in the chat (whoever may write there; a muted member may not), or
/// gives the one already running (200). Devices then join over the WebSocket with
/// `call_join`; the chat's members see `call_started`.
#[utoipa::path(post, path = "/api/v1/chats/{chat_id}/calls", tag = "calls", security(("bearer" = []), ("cookie" = [])),
    params(("chat_id" = i64, Path)),
    responses((status = 201, body = Call), (status = 200, body = Call), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn calls_start(
    State(state): State<AppState>,
    actor: Actor,
    Path(chat): Path<i64>,
) -> Result<(StatusCode, Json<Call>)> {
    let (started, call) = calls::start(&state, &actor, ChatId(chat)).await?;
    Ok((if started { StatusCode::CREATED } else { StatusCode::OK }, Json(call)))
}

/// # `GET /api/v1/chats/{chat_id}/call`
/// The call running in the chat, with who is in it; 404 `no_call` when none runs.
#[utoipa::path(get, path = "/api/v1/chats/{chat_id}/call", tag = "calls", security(("bearer" = []), ("cookie" = [])),
    params(("chat_id" = i64, Path)),
    responses((status = 200, body = Call), (status = 404, body = Problem)))]
async fn calls_current(State(state): State<AppState>, actor: Actor, Path(chat): Path<i64>) -> Result<Json<Call>> {
    Ok(Json(calls::current(&state, &actor, ChatId(chat)).await?))
}

/// # `GET /api/v1/calls/{call_id}`
/// A call of a chat the reader sits in, running or over.
#[utoipa::path(get, path = "/api/v1/calls/{call_id}", tag = "calls", security(("bearer" = []), ("cookie" = [])),
    params(("call_id" = i64, Path)),
    responses((status = 200, body = Call), (status = 404, body = Problem)))]
async fn calls_get(State(state): State<AppState>, actor: Actor, Path(id): Path<i64>) -> Result<Json<Call>> {
    Ok(Json(calls::get(&state, &actor, CallId(id)).await?))
}

/// # `GET /api/v1/calls/{call_id}/stays`
/// Who was in the call and when, one entry per device and stay (its host, or whoever
/// leads the chat's calls).
#[utoipa::path(get, path = "/api/v1/calls/{call_id}/stays", tag = "calls", security(("bearer" = []), ("cookie" = [])),
    params(("call_id" = i64, Path)),
    responses((status = 200, body = [CallStay]), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn calls_stays(State(state): State<AppState>, actor: Actor, Path(id): Path<i64>) -> Result<Json<Vec<CallStay>>> {
    Ok(Json(calls::stays(&state, &actor, CallId(id)).await?))
}

/// # `POST /api/v1/calls/{call_id}/end`
/// Ends the call for everyone (its host, or whoever leads the chat's calls).
#[utoipa::path(post, path = "/api/v1/calls/{call_id}/end", tag = "calls", security(("bearer" = []), ("cookie" = [])),
    params(("call_id" = i64, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn calls_end(State(state): State<AppState>, actor: Actor, Path(id): Path<i64>) -> Result<StatusCode> {
    calls::end(&state, &actor, CallId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// # `POST /api/v1/calls/{call_id}/remove`
/// Takes someone out of the call (the host): their media ends at once and they may
/// not join this call again.
#[utoipa::path(post, path = "/api/v1/calls/{call_id}/remove", tag = "calls", security(("bearer" = []), ("cookie" = [])),
    params(("call_id" = i64, Path)), request_body = RemoveFromCallRequest,
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn calls_remove(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    AppJson(body): AppJson<RemoveFromCallRequest>,
) -> Result<StatusCode> {
    calls::remove(&state, &actor, CallId(id), body.user_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// # `POST /api/v1/calls/{call_id}/mute`
/// Turns someone's microphone or camera off (the host), or everyone's but the host's
/// when `user_id` is absent. The media stops being forwarded at once; the person may
/// turn it on again.
#[utoipa::path(post, path = "/api/v1/calls/{call_id}/mute", tag = "calls", security(("bearer" = []), ("cookie" = [])),
    params(("call_id" = i64, Path)), request_body = MuteInCallRequest,
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn calls_mute(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    AppJson(body): AppJson<MuteInCallRequest>,
) -> Result<StatusCode> {
    calls::mute(&state, &actor, CallId(id), body.user_id, body.kind).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// # `POST /api/v1/orgs/{org_id}/lessons/{lesson_id}/call`
/// Holds a lesson online (its teacher that day): a call in its class's chat that the
/// lesson's students (the class's, or its group's) join; or the one running (200).
/// The call carries the grade's longest online lesson (`limit_minutes`).
#[utoipa::path(post, path = "/api/v1/orgs/{org_id}/lessons/{lesson_id}/call", tag = "calls", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), ("lesson_id" = i64, Path)),
    responses((status = 201, body = Call), (status = 200, body = Call), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn lessons_call(
    State(state): State<AppState>,
    actor: Actor,
    Path((org, lesson)): Path<(i64, i64)>,
) -> Result<(StatusCode, Json<Call>)> {
    let (started, call) = calls::start_lesson(&state, &actor, OrgId(org), LessonId(lesson)).await?;
    Ok((if started { StatusCode::CREATED } else { StatusCode::OK }, Json(call)))
}

/// # `GET /api/v1/orgs/{org_id}/lessons/{lesson_id}/online`
/// A lesson held online: each student's presence in its call (minutes within the
/// lesson's time, in the call now) and the attendance it suggests — absent, late or
/// present — for the teacher to confirm into the journal. Its teacher and the journal's
/// readers see every student, a student themselves, a parent their children.
#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/lessons/{lesson_id}/online", tag = "calls", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), ("lesson_id" = i64, Path)),
    responses((status = 200, body = OnlineLesson), (status = 404, body = Problem)))]
async fn lessons_online(
    State(state): State<AppState>,
    actor: Actor,
    Path((org, lesson)): Path<(i64, i64)>,
) -> Result<Json<OnlineLesson>> {
    Ok(Json(calls::online(&state, &actor, OrgId(org), LessonId(lesson)).await?))
}
