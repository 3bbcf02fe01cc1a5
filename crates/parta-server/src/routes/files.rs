use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use parta_domain::{ChatId, FileId};
use parta_protocol::{FileInfo, Problem};
use tokio::io::AsyncReadExt;
use tokio_util::io::ReaderStream;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::actions::files;
use crate::auth::Actor;
use crate::blobs::{BlobReader, byte_range};
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store::files::FileRow;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(files_upload)).routes(routes!(files_download)).routes(routes!(files_thumbnail))
}

/// Streams a stored file as a download the browser will not render or sniff, honouring
/// a single `Range` (206, or 416 when it cannot be met).
pub async fn attachment(state: &AppState, file: FileRow, headers: &HeaderMap) -> Result<Response> {
    let size = file.size.max(0) as u64;
    let range = byte_range(headers.get(header::RANGE).and_then(|v| v.to_str().ok()), size);
    let (status, start, length) = match range {
        Ok(None) => (StatusCode::OK, 0, size),
        Ok(Some((start, end))) => (StatusCode::PARTIAL_CONTENT, start, end - start + 1),
        Err(_) => {
            let mut response = StatusCode::RANGE_NOT_SATISFIABLE.into_response();
            if let Ok(value) = HeaderValue::from_str(&format!("bytes */{size}")) {
                response.headers_mut().insert(header::CONTENT_RANGE, value);
            }
            return Ok(response);
        }
    };
    let part = (status == StatusCode::PARTIAL_CONTENT).then(|| (start, start + length - 1));
    let blob = state.blobs.open(&file.storage_key, part).await.map_err(|e| Error::Internal(e.into()))?;
    let mut response = (status, Body::from_stream(ReaderStream::new(blob.body.take(length)))).into_response();
    let out = response.headers_mut();
    let encoded: String = file
        .original_name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") }
        })
        .collect();
    out.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&file.content_type).unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    out.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    out.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    if status == StatusCode::PARTIAL_CONTENT
        && let Ok(value) = HeaderValue::from_str(&format!("bytes {start}-{}/{size}", start + length - 1))
    {
        out.insert(header::CONTENT_RANGE, value);
    }
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"file\"; filename*=UTF-8''{encoded}")) {
        out.insert(header::CONTENT_DISPOSITION, value);
    }
    out.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("sandbox; default-src 'none'"));
    out.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    Ok(response)
}

/// # `POST /api/v1/chats/{chat_id}/files`
/// Uploads a file (multipart part `file`, at most 50 MiB by default) to a chat one may
/// post in; attach it by id to the next message. Its type is judged from its content.
#[utoipa::path(post, path = "/api/v1/chats/{chat_id}/files", tag = "chats", security(("bearer" = []), ("cookie" = [])),
    params(("chat_id" = i64, Path)), request_body(content = String, content_type = "multipart/form-data", description = "part `file`"),
    responses((status = 201, body = FileInfo), (status = 403, body = Problem), (status = 404, body = Problem), (status = 413, body = Problem), (status = 415, body = Problem)))]
async fn files_upload(
    State(state): State<AppState>,
    actor: Actor,
    Path(chat): Path<i64>,
    request: axum::extract::Request,
) -> Result<(StatusCode, Json<FileInfo>)> {
    let org = files::admit_upload(&state, &actor, ChatId(chat)).await?;
    let max = state.settings.max_file_bytes;
    let form = super::upload::stream_form(&state, request, "file", max, files::CHAT_FILES).await?;
    let stored = files::record_upload(&state, &actor, org, Some(ChatId(chat)), form.file).await?;
    Ok((StatusCode::CREATED, Json(stored)))
}

/// # `GET /api/v1/files/{file_id}`
/// Downloads a chat file, for those who sit in its chat; supports `Range`.
#[utoipa::path(get, path = "/api/v1/files/{file_id}", tag = "chats", security(("bearer" = []), ("cookie" = [])),
    params(("file_id" = i64, Path)),
    responses((status = 200, content_type = "application/octet-stream", body = String, description = "The file (binary)"),
        (status = 206, description = "Part of the file"), (status = 404, body = Problem), (status = 416, description = "Range not satisfiable")))]
async fn files_download(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> Result<Response> {
    let file = files::download(&state, &actor, FileId(id)).await?;
    attachment(&state, file, &headers).await
}

/// # `GET /api/v1/files/{file_id}/thumbnail`
/// A JPEG preview of an image (at most 480 px on its longest side), made by the server
/// and safe to show inline; for whoever may download the image. 404 when it has none.
#[utoipa::path(get, path = "/api/v1/files/{file_id}/thumbnail", tag = "chats", security(("bearer" = []), ("cookie" = [])),
    params(("file_id" = i64, Path)),
    responses((status = 200, content_type = "image/jpeg", body = String, description = "The preview (binary)"),
        (status = 404, body = Problem)))]
async fn files_thumbnail(State(state): State<AppState>, actor: Actor, Path(id): Path<i64>) -> Result<Response> {
    Ok(inline_jpeg(files::thumbnail(&state, &actor, FileId(id)).await?))
}

/// A JPEG the server made (a preview, a profile photo), safe to show inline and kept a
/// day by the browser: a new one has a new URL.
pub fn inline_jpeg(blob: BlobReader) -> Response {
    let mut response = Body::from_stream(ReaderStream::new(blob.body)).into_response();
    let out = response.headers_mut();
    out.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/jpeg"));
    out.insert(header::CONTENT_DISPOSITION, HeaderValue::from_static("inline"));
    out.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("sandbox; default-src 'none'"));
    out.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=86400"));
    response
}
