use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use parta_domain::{ChatId, MessageId, OrgId};
use parta_protocol::{
    AckStatus, Chat, ChatMember, CreatePollRequest, DirectRequest, EditMessageRequest, MarkReadRequest, Message,
    MessagePage, MessageVersion, MuteRequest, Poll, Problem, Reaction, ReadOnlyRequest, Report, ReportRequest,
    ResolveReportRequest, SendMessageRequest, VoteRequest,
};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppJson;
use crate::actions::{acks, chats, direct, messages, moderation, polls, reactions};
use crate::auth::Actor;
use crate::error::Result;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(chats_list))
        .routes(routes!(chats_get))
        .routes(routes!(chat_members_list))
        .routes(routes!(messages_list, messages_send))
        .routes(routes!(messages_edit, messages_delete))
        .routes(routes!(chats_mark_read))
        .routes(routes!(reactions_add, reactions_remove))
        .routes(routes!(pins_add, pins_remove))
        .routes(routes!(pins_list))
        .routes(routes!(acks_confirm))
        .routes(routes!(acks_list))
        .routes(routes!(acks_remind))
        .routes(routes!(polls_create))
        .routes(routes!(polls_vote))
        .routes(routes!(polls_close))
        .routes(routes!(messages_versions))
        .routes(routes!(chats_read_only))
        .routes(routes!(members_mute))
        .routes(routes!(messages_report))
        .routes(routes!(reports_list))
        .routes(routes!(reports_resolve))
        .routes(routes!(direct_open))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ChatFilter {
    /// Only this school's chats.
    org_id: Option<i64>,
}

/// # `GET /api/v1/chats`
/// The signed-in person's chats with unread counts and the last message.
#[utoipa::path(get, path = "/api/v1/chats", tag = "chats", security(("bearer" = []), ("cookie" = [])),
    params(ChatFilter), responses((status = 200, body = [Chat]), (status = 401, body = Problem)))]
async fn chats_list(
    State(state): State<AppState>,
    actor: Actor,
    Query(filter): Query<ChatFilter>,
) -> Result<Json<Vec<Chat>>> {
    Ok(Json(chats::list(&state, &actor, filter.org_id.map(OrgId)).await?))
}

/// # `GET /api/v1/chats/{chat_id}`
/// One chat; 404 for anyone who does not sit in it.
#[utoipa::path(get, path = "/api/v1/chats/{chat_id}", tag = "chats", security(("bearer" = []), ("cookie" = [])),
    params(("chat_id" = i64, Path)), responses((status = 200, body = Chat), (status = 404, body = Problem)))]
async fn chats_get(State(state): State<AppState>, actor: Actor, Path(chat): Path<i64>) -> Result<Json<Chat>> {
    Ok(Json(chats::get(&state, &actor, ChatId(chat)).await?))
}

/// # `GET /api/v1/chats/{chat_id}/members`
/// Who sits in the chat, with their role and how far they have read.
#[utoipa::path(get, path = "/api/v1/chats/{chat_id}/members", tag = "chats", security(("bearer" = []), ("cookie" = [])),
    params(("chat_id" = i64, Path)), responses((status = 200, body = [ChatMember]), (status = 404, body = Problem)))]
async fn chat_members_list(
    State(state): State<AppState>,
    actor: Actor,
    Path(chat): Path<i64>,
) -> Result<Json<Vec<ChatMember>>> {
    Ok(Json(chats::members(&state, &actor, ChatId(chat)).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct Page {
    /// Messages before this chat position (the oldest position of the previous page).
    before: Option<i64>,
    /// 1 to 100, default 50.
    limit: Option<i64>,
}

/// # `GET /api/v1/chats/{chat_id}/messages`
/// History, a page at a time going back; each page oldest first.
#[utoipa::path(get, path = "/api/v1/chats/{chat_id}/messages", tag = "chats", security(("bearer" = []), ("cookie" = [])),
    params(("chat_id" = i64, Path), Page), responses((status = 200, body = MessagePage), (status = 404, body = Problem)))]
async fn messages_list(
    State(state): State<AppState>,
    actor: Actor,
    Path(chat): Path<i64>,
    Query(page): Query<Page>,
) -> Result<Json<MessagePage>> {
    Ok(Json(chats::history(&state, &actor, ChatId(chat), page.before, page.limit).await?))
}

/// # `POST /api/v1/chats/{chat_id}/messages`
/// Sends a message; answered after commit. 201 for a new message, 200 when the
/// `client_msg_id` was already used for this chat (the stored message is returned).
#[utoipa::path(post, path = "/api/v1/chats/{chat_id}/messages", tag = "chats", security(("bearer" = []), ("cookie" = [])),
    params(("chat_id" = i64, Path)), request_body = SendMessageRequest,
    responses((status = 201, body = Message), (status = 200, body = Message), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn messages_send(
    State(state): State<AppState>,
    actor: Actor,
    Path(chat): Path<i64>,
    AppJson(body): AppJson<SendMessageRequest>,
) -> Result<(StatusCode, Json<Message>)> {
    let started = std::time::Instant::now();
    let sent = messages::send(&state, &actor, ChatId(chat), &body).await;
    crate::stages::record(crate::stages::SEND, started.elapsed(), 1);
    let (message, created) = sent?;
    Ok((if created { StatusCode::CREATED } else { StatusCode::OK }, Json(message)))
}

/// # `PATCH /api/v1/chats/{chat_id}/messages/{message_id}`
/// Edits one's own message; it is marked as edited.
#[utoipa::path(patch, path = "/api/v1/chats/{chat_id}/messages/{message_id}", tag = "chats", security(("bearer" = []), ("cookie" = [])),
    params(("chat_id" = i64, Path), ("message_id" = i64, Path)), request_body = EditMessageRequest,
    responses((status = 200, body = Message), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn messages_edit(
    State(state): State<AppState>,
    actor: Actor,
    Path((chat, message)): Path<(i64, i64)>,
    AppJson(body): AppJson<EditMessageRequest>,
) -> Result<Json<Message>> {
    Ok(Json(messages::edit(&state, &actor, ChatId(chat), MessageId(message), &body).await?))
}

/// # `DELETE /api/v1/chats/{chat_id}/messages/{message_id}`
/// Deletes a message for everyone: one's own, or any as a moderator of the chat.
#[utoipa::path(delete, path = "/api/v1/chats/{chat_id}/messages/{message_id}", tag = "chats", security(("bearer" = []), ("cookie" = [])),
    params(("chat_id" = i64, Path), ("message_id" = i64, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn messages_delete(
    State(state): State<AppState>,
    actor: Actor,
    Path((chat, message)): Path<(i64, i64)>,
) -> Result<StatusCode> {
    messages::delete(&state, &actor, ChatId(chat), MessageId(message)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// # `POST /api/v1/chats/{chat_id}/read`
/// Marks the chat as read up to a position; others in the chat see the receipt.
#[utoipa::path(post, path = "/api/v1/chats/{chat_id}/read", tag = "chats", security(("bearer" = []), ("cookie" = [])),
    params(("chat_id" = i64, Path)), request_body = MarkReadRequest,
    responses((status = 204), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn chats_mark_read(
    State(state): State<AppState>,
    actor: Actor,
    Path(chat): Path<i64>,
    AppJson(body): AppJson<MarkReadRequest>,
) -> Result<StatusCode> {
    chats::mark_read(&state, &actor, ChatId(chat), body.seq).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// # `PUT /api/v1/chats/{chat_id}/messages/{message_id}/reactions/{emoji}`
/// Adds one's reaction (one of 👍 ❤️ 😂 😮 😢 🙏 👏 🔥 ✅ 👀); answers the message's reactions.
#[utoipa::path(put, path = "/api/v1/chats/{chat_id}/messages/{message_id}/reactions/{emoji}", tag = "chats",
    security(("bearer" = []), ("cookie" = [])),
    params(("chat_id" = i64, Path), ("message_id" = i64, Path), ("emoji" = String, Path)),
    responses((status = 200, body = [Reaction]), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn reactions_add(
    State(state): State<AppState>,
    actor: Actor,
    Path((chat, message, emoji)): Path<(i64, i64, String)>,
) -> Result<Json<Vec<Reaction>>> {
    Ok(Json(reactions::react(&state, &actor, ChatId(chat), MessageId(message), &emoji, true).await?))
}

/// # `DELETE /api/v1/chats/{chat_id}/messages/{message_id}/reactions/{emoji}`
/// Takes one's reaction back.
#[utoipa::path(delete, path = "/api/v1/chats/{chat_id}/messages/{message_id}/reactions/{emoji}", tag = "chats",
    security(("bearer" = []), ("cookie" = [])),
    params(("chat_id" = i64, Path), ("message_id" = i64, Path), ("emoji" = String, Path)),
    responses((status = 200, body = [Reaction]), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn reactions_remove(
    State(state): State<AppState>,
    actor: Actor,
    Path((chat, message, emoji)): Path<(i64, i64, String)>,
) -> Result<Json<Vec<Reaction>>> {
    Ok(Json(reactions::react(&state, &actor, ChatId(chat), MessageId(message), &emoji, false).await?))
}

/// # `PUT /api/v1/chats/{chat_id}/messages/{message_id}/pin`
/// Pins a message (the chat's moderators).
#[utoipa::path(put, path = "/api/v1/chats/{chat_id}/messages/{message_id}/pin", tag = "chats",
    security(("bearer" = []), ("cookie" = [])), params(("chat_id" = i64, Path), ("message_id" = i64, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn pins_add(
    State(state): State<AppState>,
    actor: Actor,
    Path((chat, message)): Path<(i64, i64)>,
) -> Result<StatusCode> {
    reactions::pin(&state, &actor, ChatId(chat), MessageId(message), true).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// # `DELETE /api/v1/chats/{chat_id}/messages/{message_id}/pin`
/// Unpins a message (the chat's moderators).
#[utoipa::path(delete, path = "/api/v1/chats/{chat_id}/messages/{message_id}/pin", tag = "chats",
    security(("bearer" = []), ("cookie" = [])), params(("chat_id" = i64, Path), ("message_id" = i64, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn pins_remove(
    State(state): State<AppState>,
    actor: Actor,
    Path((chat, message)): Path<(i64, i64)>,
) -> Result<StatusCode> {
    reactions::pin(&state, &actor, ChatId(chat), MessageId(message), false).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// # `GET /api/v1/chats/{chat_id}/pins`
/// The pinned messages, most recently pinned first.
#[utoipa::path(get, path = "/api/v1/chats/{chat_id}/pins", tag = "chats", security(("bearer" = []), ("cookie" = [])),
    params(("chat_id" = i64, Path)), responses((status = 200, body = [Message]), (status = 404, body = Problem)))]
async fn pins_list(State(state): State<AppState>, actor: Actor, Path(chat): Path<i64>) -> Result<Json<Vec<Message>>> {
    Ok(Json(reactions::pinned(&state, &actor, ChatId(chat)).await?))
}

/// # `POST /api/v1/chats/{chat_id}/messages/{message_id}/ack`
/// Confirms a must-acknowledge post («Ознакомлен»). Confirming twice changes nothing.
#[utoipa::path(post, path = "/api/v1/chats/{chat_id}/messages/{message_id}/ack", tag = "chats",
    security(("bearer" = []), ("cookie" = [])), params(("chat_id" = i64, Path), ("message_id" = i64, Path)),
    responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn acks_confirm(
    State(state): State<AppState>,
    actor: Actor,
    Path((chat, message)): Path<(i64, i64)>,
) -> Result<StatusCode> {
    acks::acknowledge(&state, &actor, ChatId(chat), MessageId(message)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// # `GET /api/v1/chats/{chat_id}/messages/{message_id}/acks`
/// Who confirmed the post and who has not yet (its author and the chat's moderators).
#[utoipa::path(get, path = "/api/v1/chats/{chat_id}/messages/{message_id}/acks", tag = "chats",
    security(("bearer" = []), ("cookie" = [])), params(("chat_id" = i64, Path), ("message_id" = i64, Path)),
    responses((status = 200, body = AckStatus), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn acks_list(
    State(state): State<AppState>,
    actor: Actor,
    Path((chat, message)): Path<(i64, i64)>,
) -> Result<Json<AckStatus>> {
    Ok(Json(acks::acks(&state, &actor, ChatId(chat), MessageId(message)).await?))
}

/// # `POST /api/v1/chats/{chat_id}/messages/{message_id}/remind`
/// Reminds everyone who has not confirmed the post; answers who that was.
#[utoipa::path(post, path = "/api/v1/chats/{chat_id}/messages/{message_id}/remind", tag = "chats",
    security(("bearer" = []), ("cookie" = [])), params(("chat_id" = i64, Path), ("message_id" = i64, Path)),
    responses((status = 200, body = AckStatus), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn acks_remind(
    State(state): State<AppState>,
    actor: Actor,
    Path((chat, message)): Path<(i64, i64)>,
) -> Result<Json<AckStatus>> {
    Ok(Json(acks::remind(&state, &actor, ChatId(chat), MessageId(message)).await?))
}

/// # `POST /api/v1/chats/{chat_id}/polls`
/// Posts a poll (a message whose body is the question). 201, or 200 for a repeated `client_msg_id`.
#[utoipa::path(post, path = "/api/v1/chats/{chat_id}/polls", tag = "chats", security(("bearer" = []), ("cookie" = [])),
    params(("chat_id" = i64, Path)), request_body = CreatePollRequest,
    responses((status = 201, body = Message), (status = 200, body = Message), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn polls_create(
    State(state): State<AppState>,
    actor: Actor,
    Path(chat): Path<i64>,
    AppJson(body): AppJson<CreatePollRequest>,
) -> Result<(StatusCode, Json<Message>)> {
    let (message, created) = polls::create(&state, &actor, ChatId(chat), &body).await?;
    Ok((if created { StatusCode::CREATED } else { StatusCode::OK }, Json(message)))
}

/// # `PUT /api/v1/chats/{chat_id}/polls/{poll_id}/vote`
/// Votes; the options chosen replace one's earlier choice (an empty list takes it back).
#[utoipa::path(put, path = "/api/v1/chats/{chat_id}/polls/{poll_id}/vote", tag = "chats", security(("bearer" = []), ("cookie" = [])),
    params(("chat_id" = i64, Path), ("poll_id" = i64, Path)), request_body = VoteRequest,
    responses((status = 200, body = Poll), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn polls_vote(
    State(state): State<AppState>,
    actor: Actor,
    Path((chat, poll)): Path<(i64, i64)>,
    AppJson(body): AppJson<VoteRequest>,
) -> Result<Json<Poll>> {
    Ok(Json(polls::vote(&state, &actor, ChatId(chat), poll, &body.option_ids).await?))
}

/// # `POST /api/v1/chats/{chat_id}/polls/{poll_id}/close`
/// Closes a poll (its author or the chat's moderators).
#[utoipa::path(post, path = "/api/v1/chats/{chat_id}/polls/{poll_id}/close", tag = "chats", security(("bearer" = []), ("cookie" = [])),
    params(("chat_id" = i64, Path), ("poll_id" = i64, Path)),
    responses((status = 200, body = Poll), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn polls_close(
    State(state): State<AppState>,
    actor: Actor,
    Path((chat, poll)): Path<(i64, i64)>,
) -> Result<Json<Poll>> {
    Ok(Json(polls::close(&state, &actor, ChatId(chat), poll).await?))
}

/// # `GET /api/v1/chats/{chat_id}/messages/{message_id}/versions`
/// Earlier texts of an edited message, oldest first (the chat's moderators).
#[utoipa::path(get, path = "/api/v1/chats/{chat_id}/messages/{message_id}/versions", tag = "chats",
    security(("bearer" = []), ("cookie" = [])), params(("chat_id" = i64, Path), ("message_id" = i64, Path)),
    responses((status = 200, body = [MessageVersion]), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn messages_versions(
    State(state): State<AppState>,
    actor: Actor,
    Path((chat, message)): Path<(i64, i64)>,
) -> Result<Json<Vec<MessageVersion>>> {
    Ok(Json(messages::versions(&state, &actor, ChatId(chat), MessageId(message)).await?))
}

/// # `PUT /api/v1/chats/{chat_id}/read-only`
/// Makes the chat read-only (only moderators post) or opens it again (moderators).
#[utoipa::path(put, path = "/api/v1/chats/{chat_id}/read-only", tag = "moderation", security(("bearer" = []), ("cookie" = [])),
    params(("chat_id" = i64, Path)), request_body = ReadOnlyRequest,
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn chats_read_only(
    State(state): State<AppState>,
    actor: Actor,
    Path(chat): Path<i64>,
    AppJson(body): AppJson<ReadOnlyRequest>,
) -> Result<StatusCode> {
    moderation::set_read_only(&state, &actor, ChatId(chat), body.read_only).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// # `PUT /api/v1/chats/{chat_id}/members/{user_id}/mute`
/// Mutes a member for some minutes; 0 lifts the mute (moderators).
#[utoipa::path(put, path = "/api/v1/chats/{chat_id}/members/{user_id}/mute", tag = "moderation", security(("bearer" = []), ("cookie" = [])),
    params(("chat_id" = i64, Path), ("user_id" = i64, Path)), request_body = MuteRequest,
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn members_mute(
    State(state): State<AppState>,
    actor: Actor,
    Path((chat, user)): Path<(i64, i64)>,
    AppJson(body): AppJson<MuteRequest>,
) -> Result<StatusCode> {
    moderation::mute(&state, &actor, ChatId(chat), parta_domain::UserId(user), body.minutes).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// # `POST /api/v1/chats/{chat_id}/messages/{message_id}/report`
/// Reports a message to the chat's moderators and the school's admins.
#[utoipa::path(post, path = "/api/v1/chats/{chat_id}/messages/{message_id}/report", tag = "moderation", security(("bearer" = []), ("cookie" = [])),
    params(("chat_id" = i64, Path), ("message_id" = i64, Path)), request_body = ReportRequest,
    responses((status = 201, body = Report), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn messages_report(
    State(state): State<AppState>,
    actor: Actor,
    Path((chat, message)): Path<(i64, i64)>,
    AppJson(body): AppJson<ReportRequest>,
) -> Result<(StatusCode, Json<Report>)> {
    Ok((
        StatusCode::CREATED,
        Json(moderation::report(&state, &actor, ChatId(chat), MessageId(message), &body.reason).await?),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ReportFilter {
    /// `open`, `dismissed` or `removed`; all when absent.
    status: Option<String>,
}

/// # `GET /api/v1/orgs/{org_id}/reports`
/// The reports queue: the school's admins see all, chat moderators their chats'.
#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/reports", tag = "moderation", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), ReportFilter),
    responses((status = 200, body = [Report]), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn reports_list(
    State(state): State<AppState>,
    actor: Actor,
    Path(org): Path<i64>,
    Query(filter): Query<ReportFilter>,
) -> Result<Json<Vec<Report>>> {
    Ok(Json(moderation::reports(&state, &actor, OrgId(org), filter.status.as_deref()).await?))
}

/// # `POST /api/v1/orgs/{org_id}/reports/{report_id}/resolve`
/// Dismisses a report or deletes the reported message; recorded in the audit log.
#[utoipa::path(post, path = "/api/v1/orgs/{org_id}/reports/{report_id}/resolve", tag = "moderation", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), ("report_id" = i64, Path)), request_body = ResolveReportRequest,
    responses((status = 200, body = Report), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn reports_resolve(
    State(state): State<AppState>,
    actor: Actor,
    Path((org, report)): Path<(i64, i64)>,
    AppJson(body): AppJson<ResolveReportRequest>,
) -> Result<Json<Report>> {
    Ok(Json(moderation::resolve(&state, &actor, OrgId(org), report, body.delete_message, body.note.as_deref()).await?))
}

/// # `POST /api/v1/orgs/{org_id}/direct`
/// Opens (or finds) the direct conversation with a person of the school who shares a
/// class or a group chat with the caller; in student safe mode students are reached
/// only by classmates, their teachers and their parents. Anyone else answers 404.
#[utoipa::path(post, path = "/api/v1/orgs/{org_id}/direct", tag = "chats", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path)), request_body = DirectRequest,
    responses((status = 200, body = Chat), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn direct_open(
    State(state): State<AppState>,
    actor: Actor,
    Path(org): Path<i64>,
    AppJson(body): AppJson<DirectRequest>,
) -> Result<Json<Chat>> {
    Ok(Json(direct::open_direct(&state, &actor, OrgId(org), body.user_id).await?))
}
