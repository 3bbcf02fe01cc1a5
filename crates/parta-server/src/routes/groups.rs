//! Chats people make (group and subject chats), their members and roles, chat
//! invite links, who has read a post, and search.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use parta_domain::{ChatId, MessageId, OrgId, UserId};
use parta_protocol::{
    AddMembersRequest, Chat, ChatInvite, ChatInvitePreview, ChatRoleRequest, CreateChatRequest, Problem, ReadStatus,
    RenameChatRequest, SearchResults,
};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppJson;
use crate::actions::{acks, groups, search};
use crate::auth::Actor;
use crate::error::Result;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(chats_create))
        .routes(routes!(chats_rename))
        .routes(routes!(members_add))
        .routes(routes!(members_remove))
        .routes(routes!(members_set_role))
        .routes(routes!(chat_links_list, chat_links_create))
        .routes(routes!(chat_links_revoke))
        .routes(routes!(chat_links_preview))
        .routes(routes!(chat_links_join))
        .routes(routes!(messages_reads))
        .routes(routes!(messages_search))
}

/// # `POST /api/v1/orgs/{org_id}/chats`
/// Makes a group chat (any staff member; administration chats, committees) or a
/// subject chat (a teacher of the class: its students join and follow the class roll).
#[utoipa::path(post, path = "/api/v1/orgs/{org_id}/chats", tag = "chats", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path)), request_body = CreateChatRequest,
    responses((status = 201, body = Chat), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn chats_create(
    State(state): State<AppState>,
    actor: Actor,
    Path(org): Path<i64>,
    AppJson(body): AppJson<CreateChatRequest>,
) -> Result<(StatusCode, Json<Chat>)> {
    Ok((StatusCode::CREATED, Json(groups::create(&state, &actor, OrgId(org), &body).await?)))
}

/// # `PATCH /api/v1/chats/{chat_id}`
/// Renames a group or subject chat (its moderators).
#[utoipa::path(patch, path = "/api/v1/chats/{chat_id}", tag = "chats", security(("bearer" = []), ("cookie" = [])),
    params(("chat_id" = i64, Path)), request_body = RenameChatRequest,
    responses((status = 200, body = Chat), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn chats_rename(
    State(state): State<AppState>,
    actor: Actor,
    Path(chat): Path<i64>,
    AppJson(body): AppJson<RenameChatRequest>,
) -> Result<Json<Chat>> {
    Ok(Json(groups::rename(&state, &actor, ChatId(chat), &body).await?))
}

/// # `POST /api/v1/chats/{chat_id}/members`
/// Adds people of the school to a group or subject chat (its moderators). In student
/// safe mode students are added only by admins and their own teachers, and only to a
/// chat with someone on the staff in it.
#[utoipa::path(post, path = "/api/v1/chats/{chat_id}/members", tag = "chats", security(("bearer" = []), ("cookie" = [])),
    params(("chat_id" = i64, Path)), request_body = AddMembersRequest,
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn members_add(
    State(state): State<AppState>,
    actor: Actor,
    Path(chat): Path<i64>,
    AppJson(body): AppJson<AddMembersRequest>,
) -> Result<StatusCode> {
    groups::add_members(&state, &actor, ChatId(chat), &body).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// # `DELETE /api/v1/chats/{chat_id}/members/{user_id}`
/// Removes a member from a group or subject chat (its moderators), or leaves it
/// (one's own id). Seats the directory gives are not removed by hand.
#[utoipa::path(delete, path = "/api/v1/chats/{chat_id}/members/{user_id}", tag = "chats", security(("bearer" = []), ("cookie" = [])),
    params(("chat_id" = i64, Path), ("user_id" = i64, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn members_remove(
    State(state): State<AppState>,
    actor: Actor,
    Path((chat, user)): Path<(i64, i64)>,
) -> Result<StatusCode> {
    groups::remove_member(&state, &actor, ChatId(chat), UserId(user)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// # `PUT /api/v1/chats/{chat_id}/members/{user_id}/role`
/// Appoints a channel author (school admins) or a moderator of a group or subject
/// chat (its moderators); `member` takes the appointment back.
#[utoipa::path(put, path = "/api/v1/chats/{chat_id}/members/{user_id}/role", tag = "chats", security(("bearer" = []), ("cookie" = [])),
    params(("chat_id" = i64, Path), ("user_id" = i64, Path)), request_body = ChatRoleRequest,
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn members_set_role(
    State(state): State<AppState>,
    actor: Actor,
    Path((chat, user)): Path<(i64, i64)>,
    AppJson(body): AppJson<ChatRoleRequest>,
) -> Result<StatusCode> {
    groups::set_role(&state, &actor, ChatId(chat), UserId(user), body.role).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// # `GET /api/v1/chats/{chat_id}/invites`
/// The chat's invite links and their use counts (its moderators).
#[utoipa::path(get, path = "/api/v1/chats/{chat_id}/invites", tag = "chats", security(("bearer" = []), ("cookie" = [])),
    params(("chat_id" = i64, Path)),
    responses((status = 200, body = [ChatInvite]), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn chat_links_list(
    State(state): State<AppState>,
    actor: Actor,
    Path(chat): Path<i64>,
) -> Result<Json<Vec<ChatInvite>>> {
    Ok(Json(groups::links(&state, &actor, ChatId(chat)).await?))
}

/// # `POST /api/v1/chats/{chat_id}/invites`
/// A new invite link to a group or subject chat (its moderators). The token is in
/// this answer only; the link works for people of the same school only.
#[utoipa::path(post, path = "/api/v1/chats/{chat_id}/invites", tag = "chats", security(("bearer" = []), ("cookie" = [])),
    params(("chat_id" = i64, Path)),
    responses((status = 201, body = ChatInvite), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn chat_links_create(
    State(state): State<AppState>,
    actor: Actor,
    Path(chat): Path<i64>,
) -> Result<(StatusCode, Json<ChatInvite>)> {
    Ok((StatusCode::CREATED, Json(groups::create_link(&state, &actor, ChatId(chat)).await?)))
}

/// # `POST /api/v1/chats/{chat_id}/invites/{invite_id}/revoke`
/// Stops a chat invite link (its moderators).
#[utoipa::path(post, path = "/api/v1/chats/{chat_id}/invites/{invite_id}/revoke", tag = "chats", security(("bearer" = []), ("cookie" = [])),
    params(("chat_id" = i64, Path), ("invite_id" = i64, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn chat_links_revoke(
    State(state): State<AppState>,
    actor: Actor,
    Path((chat, link)): Path<(i64, i64)>,
) -> Result<StatusCode> {
    groups::revoke_link(&state, &actor, ChatId(chat), link).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// # `GET /api/v1/chat-invites/{token}`
/// Where a chat invite link leads; 404 for anyone outside the chat's school, 410 once revoked.
#[utoipa::path(get, path = "/api/v1/chat-invites/{token}", tag = "chats", security(("bearer" = []), ("cookie" = [])),
    params(("token" = String, Path)),
    responses((status = 200, body = ChatInvitePreview), (status = 404, body = Problem), (status = 410, body = Problem)))]
async fn chat_links_preview(
    State(state): State<AppState>,
    actor: Actor,
    Path(token): Path<String>,
) -> Result<Json<ChatInvitePreview>> {
    Ok(Json(groups::preview_link(&state, &actor, &token).await?))
}

/// # `POST /api/v1/chat-invites/{token}/join`
/// Joins the chat (people of the same school; in safe mode students only where
/// someone on the staff is in the chat).
#[utoipa::path(post, path = "/api/v1/chat-invites/{token}/join", tag = "chats", security(("bearer" = []), ("cookie" = [])),
    params(("token" = String, Path)),
    responses((status = 200, body = Chat), (status = 403, body = Problem), (status = 404, body = Problem), (status = 410, body = Problem)))]
async fn chat_links_join(State(state): State<AppState>, actor: Actor, Path(token): Path<String>) -> Result<Json<Chat>> {
    Ok(Json(groups::join_by_link(&state, &actor, &token).await?))
}

/// # `GET /api/v1/chats/{chat_id}/messages/{message_id}/reads`
/// How many have read a post, and who (its author and the chat's moderators; only the
/// count in the school-wide channel).
#[utoipa::path(get, path = "/api/v1/chats/{chat_id}/messages/{message_id}/reads", tag = "chats", security(("bearer" = []), ("cookie" = [])),
    params(("chat_id" = i64, Path), ("message_id" = i64, Path)),
    responses((status = 200, body = ReadStatus), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn messages_reads(
    State(state): State<AppState>,
    actor: Actor,
    Path((chat, message)): Path<(i64, i64)>,
) -> Result<Json<ReadStatus>> {
    Ok(Json(acks::reads(&state, &actor, ChatId(chat), MessageId(message)).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct SearchQuery {
    /// Words to find; forms of a word find each other, the last may be unfinished.
    q: String,
    /// Only this school's chats.
    org_id: Option<i64>,
    /// Hits older than this message id (the last hit of the previous page).
    before: Option<i64>,
    /// 1 to 50, default 20.
    limit: Option<i64>,
}

/// # `GET /api/v1/search`
/// Searches the messages of the chats the caller sits in, newest first.
#[utoipa::path(get, path = "/api/v1/search", tag = "chats", security(("bearer" = []), ("cookie" = [])),
    params(SearchQuery), responses((status = 200, body = SearchResults), (status = 422, body = Problem)))]
async fn messages_search(
    State(state): State<AppState>,
    actor: Actor,
    Query(query): Query<SearchQuery>,
) -> Result<Json<SearchResults>> {
    Ok(Json(search::search(&state, &actor, &query.q, query.org_id.map(OrgId), query.before, query.limit).await?))
}
