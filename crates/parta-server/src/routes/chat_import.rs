//! A chat's history imported from a Telegram or WhatsApp export: the upload (a dry
//! run), applying it, and its progress.

use axum::Json;
use axum::extract::{Path, Request, State};
use parta_domain::ChatId;
use parta_protocol::{ApplyChatImportRequest, ChatImportPreview, ChatImportProgress, Problem};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppJson;
use crate::actions::chat_import;
use crate::auth::Actor;
use crate::error::Result;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(chat_import_upload))
        .routes(routes!(chat_import_apply))
        .routes(routes!(chat_import_progress))
}

/// Whether a request is an export's upload, which may be larger than any other body.
pub fn is_upload(path: &str) -> bool {
    path.starts_with("/api/v1/chats/") && path.ends_with("/imports")
}

/// # `POST /api/v1/chats/{chat_id}/imports`
/// Uploads a chat's exported history (the chat's owner or an admin of its school):
/// Telegram Desktop's `result.json` or WhatsApp's `.txt` as the body, or either in
/// a zip with its media (up to 512 MiB). Answers a dry run — nothing is written to
/// the chat — and keeps the export for an hour as `import_id` for `apply`, on any
/// node; one per importer (a new upload replaces the last; 409 `import_running`
/// while that one runs). An export that cannot be
/// taken is 422 with the part and line at fault and a stable code: `not_utf8`,
/// `line_too_long`, `too_large`, `invalid_json`, `unknown_format`, `no_messages`,
/// `unsafe_path`, `not_a_zip`, `size_mismatch`, `too_many_files`, `no_history`,
/// `two_histories`, `too_many_messages`. 503 while two uploads are read on the node.
#[utoipa::path(post, path = "/api/v1/chats/{chat_id}/imports", tag = "chats", security(("bearer" = []), ("cookie" = [])),
    params(("chat_id" = i64, Path)),
    request_body(content = String, content_type = "application/octet-stream", description = "result.json, the .txt, or a zip of either with its media"),
    responses((status = 200, body = ChatImportPreview), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem), (status = 503, body = Problem)))]
async fn chat_import_upload(
    State(state): State<AppState>,
    actor: Actor,
    Path(chat): Path<i64>,
    request: Request,
) -> Result<Json<ChatImportPreview>> {
    // Who may not import, or one beyond the uploads being read, is answered before
    // a byte of the body is read.
    let _permit = chat_import::admit(&state, &actor, ChatId(chat)).await?;
    Ok(Json(chat_import::stage(&state, &actor, ChatId(chat), request.into_body()).await?))
}

/// # `POST /api/v1/chats/{chat_id}/imports/{import_id}/apply`
/// Applies a staged import with every author mapped to a member or a guest (and the
/// time zone of WhatsApp's times). Runs in the background: poll its progress. The
/// same export again adds nothing. 503 while two imports run on the node.
#[utoipa::path(post, path = "/api/v1/chats/{chat_id}/imports/{import_id}/apply", tag = "chats",
    security(("bearer" = []), ("cookie" = [])),
    params(("chat_id" = i64, Path), ("import_id" = String, Path)), request_body = ApplyChatImportRequest,
    responses((status = 200, body = ChatImportProgress), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem), (status = 503, body = Problem)))]
async fn chat_import_apply(
    State(state): State<AppState>,
    actor: Actor,
    Path((chat, id)): Path<(i64, String)>,
    AppJson(body): AppJson<ApplyChatImportRequest>,
) -> Result<Json<ChatImportProgress>> {
    Ok(Json(chat_import::apply(&state, &actor, ChatId(chat), &id, body).await?))
}

/// # `GET /api/v1/chats/{chat_id}/imports/{import_id}`
/// How far an import is: `staged`, `running` (steps done of the total), `done`
/// (messages and files added) or `failed` (with a code, and what was added before it
/// failed — applying again adds the rest; `interrupted` when the node running it
/// stopped).
#[utoipa::path(get, path = "/api/v1/chats/{chat_id}/imports/{import_id}", tag = "chats",
    security(("bearer" = []), ("cookie" = [])),
    params(("chat_id" = i64, Path), ("import_id" = String, Path)),
    responses((status = 200, body = ChatImportProgress), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn chat_import_progress(
    State(state): State<AppState>,
    actor: Actor,
    Path((chat, id)): Path<(i64, String)>,
) -> Result<Json<ChatImportProgress>> {
    Ok(Json(chat_import::progress(&state, &actor, ChatId(chat), &id).await?))
}
