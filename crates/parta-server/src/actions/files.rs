//! Files in chats: uploaded to a chat by someone who may post there, attached to
//! one of their messages, downloaded by whoever sits in that chat. Bytes live in
//! blob storage under server-made keys; type is judged from content. The journal's
//! files (homework, submissions) are stored by the same `stored_upload` without a chat,
//! and read by whoever reads what they belong to (`submissions::journal_file_readable`).

use parta_domain::{ChatId, FileId, OrgId};
use parta_protocol::FileInfo;
use sqlx::AnyConnection;

use super::applications::Upload;
use crate::access;
use crate::auth::Actor;
use crate::blobs::{new_key, sniff_any};
use crate::error::{Error, Result};
use crate::secrets;
use crate::state::AppState;
use crate::store;
use crate::store::files::{FileRow, NewFile};

pub const MAX_ATTACHMENTS: usize = 10;

/// # Upload a file to a chat, to attach to a message next.
pub async fn upload(state: &AppState, actor: &Actor, chat: ChatId, upload: Option<Upload>) -> Result<FileInfo> {
    let access = {
        let mut conn = state.db.reads().acquire().await?;
        access::chat(&mut conn, actor, chat).await?
    };
    // Files are posts too: a muted member cannot upload, and uploads share the send limit.
    let now = crate::clock::now_ms();
    access::check_may_post(&access.chat, &access.seat, now)?;
    if let Some(limit) = state.settings.flood_limit() {
        let mut conn = state.db.reads().acquire().await?;
        if store::files::uploaded_since(&mut conn, actor.user_id, now - crate::clock::MINUTE_MS).await? >= limit {
            return Err(Error::RateLimited("upload_rate_limited"));
        }
    }
    stored_upload(state, actor, access.org_id(), Some(chat), upload).await
}

/// Stores an uploaded file of a school — for a chat, or (without one) for the journal —
/// with its preview when it is an image: the one path every upload of a member takes.
pub(crate) async fn stored_upload(
    state: &AppState,
    actor: &Actor,
    org: OrgId,
    chat: Option<ChatId>,
    upload: Option<Upload>,
) -> Result<FileInfo> {
    let Some(upload) = upload else { return Err(Error::field("file", "required")) };
    if upload.bytes.len() > state.settings.max_file_bytes {
        return Err(Error::PayloadTooLarge);
    }
    if upload.bytes.is_empty() {
        return Err(Error::field("file", "required"));
    }
    let (files_prefix, thumbnails_prefix) =
        if chat.is_some() { ("chat-files", "chat-thumbnails") } else { ("journal-files", "journal-thumbnails") };
    let key = new_key(files_prefix);
    let content_type = sniff_any(&upload.bytes);
    // Bytes first: a crash before commit leaves an orphan blob, never a row without its bytes.
    state.blobs.put(&key, &upload.bytes).await.map_err(|e| Error::Internal(e.into()))?;
    // An image over the preview limits, or past the preview queue, is kept without one.
    let preview = if crate::thumbnails::previewable(content_type) {
        state.previews.preview(upload.bytes.clone()).await.ok()
    } else {
        None
    };
    let thumbnail_key = match preview {
        Some(preview) => {
            let thumbnail_key = new_key(thumbnails_prefix);
            state.blobs.put(&thumbnail_key, &preview).await.map_err(|e| Error::Internal(e.into()))?;
            Some(thumbnail_key)
        }
        None => None,
    };
    let mut work = state.begin().await?;
    let id = store::files::insert(
        &mut work,
        &NewFile {
            org: Some(org),
            storage_key: &key,
            content_type,
            size: upload.bytes.len() as i64,
            original_name: &super::applications::display_name(&upload.file_name),
            sha256: &secrets::sha256_hex(&upload.bytes),
            uploaded_by: Some(actor.user_id),
            chat,
        },
    )
    .await?;
    if let Some(thumbnail_key) = &thumbnail_key {
        store::files::set_thumbnail(&mut work, id, thumbnail_key).await?;
    }
    let stored = store::files::get(&mut work, id).await?.ok_or(Error::NotFound)?;
    work.commit(state).await?;
    Ok(stored.info())
}

/// Checks files a sender wants to attach: theirs, uploaded to this chat, not yet attached.
pub(crate) async fn check_attachments(
    conn: &mut AnyConnection,
    actor: &Actor,
    chat: ChatId,
    files: &[FileId],
) -> Result<()> {
    if files.len() > MAX_ATTACHMENTS {
        return Err(Error::field("attachments", "out_of_range"));
    }
    for (index, file) in files.iter().enumerate() {
        let row = store::files::get(conn, *file).await?;
        let usable = row.is_some_and(|f| f.uploaded_by == Some(actor.user_id.0) && f.chat_id == Some(chat.0))
            && store::files::attached_to(conn, *file).await?.is_none()
            && !files[..index].contains(file);
        if !usable {
            return Err(Error::field(&format!("attachments[{index}]"), "unknown_file"));
        }
    }
    Ok(())
}

/// # Download a file
/// For whoever sits in the chat of the message it is attached to (while that message
/// stands and is delivered), and for its uploader before it is posted; to anyone else
/// it does not exist.
pub async fn download(state: &AppState, actor: &Actor, id: FileId) -> Result<(FileRow, tokio::fs::File)> {
    let file = readable_file(state, actor, id).await?;
    let handle = state.blobs.open(&file.storage_key).await.map_err(|e| Error::Internal(e.into()))?;
    Ok((file, handle))
}

/// # An image's preview (JPEG), for whoever may download the image
pub async fn thumbnail(state: &AppState, actor: &Actor, id: FileId) -> Result<tokio::fs::File> {
    let file = readable_file(state, actor, id).await?;
    let key = file.thumbnail_key.ok_or(Error::NotFound)?;
    state.blobs.open(&key).await.map_err(|e| Error::Internal(e.into()))
}

async fn readable_file(state: &AppState, actor: &Actor, id: FileId) -> Result<FileRow> {
    let mut conn = state.db.reads().acquire().await?;
    let file = store::files::get(&mut conn, id).await?.ok_or(Error::NotFound)?;
    let Some(chat) = file.chat_id.map(ChatId) else {
        // A journal file: its homework's or its submission's readers.
        return if super::submissions::journal_file_readable(&mut conn, actor, &file).await? {
            Ok(file)
        } else {
            Err(Error::NotFound)
        };
    };
    let own_upload = file.uploaded_by == Some(actor.user_id.0);
    let readable = match store::files::attached_to(&mut conn, id).await? {
        // Posted: gone with its message; the chat reads it once the message is delivered,
        // its sender while quiet hours hold it too.
        Some(attachment) if attachment.deleted => false,
        Some(attachment) => {
            own_upload || (!attachment.held && store::seats::seat(&mut conn, chat, actor.user_id).await?.is_some())
        }
        None => own_upload,
    };
    if !readable {
        return Err(Error::NotFound);
    }
    Ok(file)
}
