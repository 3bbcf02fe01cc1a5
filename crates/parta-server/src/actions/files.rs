//! Files in chats: uploaded to a chat by someone who may post there, attached to
//! one of their messages, downloaded by whoever sits in that chat. Bytes live in
//! blob storage under server-made keys; type is judged from content. The journal's
//! files (homework, submissions) are recorded by the same `record_upload` without a chat,
//! and read by whoever reads what they belong to (`submissions::journal_file_readable`).

use parta_domain::{ChatId, FileId, OrgId};
use parta_protocol::FileInfo;
use sqlx::AnyConnection;

use crate::access;
use crate::auth::Actor;
use crate::blobs::{BlobReader, new_key, read_all, sniff_any};
use crate::error::{Error, Result};
use crate::routes::upload::StoredUpload;
use crate::state::AppState;
use crate::store;
use crate::store::files::{FileRow, NewFile};

pub const MAX_ATTACHMENTS: usize = 10;

/// Where chat files and their previews are kept in blob storage.
pub const CHAT_FILES: &str = "chat-files";
/// Where the journal's files (homework, submissions) are kept.
pub const JOURNAL_FILES: &str = "journal-files";

/// Images over this size are kept without a preview: making one would hold the
/// whole image in memory.
pub const PREVIEW_SOURCE_MAX_BYTES: u64 = 20 * 1024 * 1024;

/// # Upload a file to a chat, to attach to a message next: who may, checked before
/// a byte of the file is read. Answers the chat's school.
pub async fn admit_upload(state: &AppState, actor: &Actor, chat: ChatId) -> Result<OrgId> {
    let mut conn = state.db.reads().acquire().await?;
    let access = access::chat(&mut conn, actor, chat).await?;
    // Files are posts too: a muted member cannot upload, and uploads share the send limit.
    let now = crate::clock::now_ms();
    access::check_may_post(&access.chat, &access.seat, now)?;
    check_upload_rate(&mut conn, state, actor).await?;
    Ok(access.org_id())
}

/// Uploads share the send limit: at most so many a minute per person.
pub(crate) async fn check_upload_rate(conn: &mut AnyConnection, state: &AppState, actor: &Actor) -> Result<()> {
    if let Some(limit) = state.settings.flood_limit() {
        let since = crate::clock::now_ms() - crate::clock::MINUTE_MS;
        if store::files::uploaded_since(conn, actor.user_id, since).await? >= limit {
            return Err(Error::RateLimited("upload_rate_limited"));
        }
    }
    Ok(())
}

/// Records a file a member uploaded to their school — for a chat, or (without one)
/// for the journal — with its preview when it is an image: the one path every
/// member's upload takes. Its bytes are already stored (`routes::upload::stream_form`);
/// what is not recorded is removed again.
pub(crate) async fn record_upload(
    state: &AppState,
    actor: &Actor,
    org: OrgId,
    chat: Option<ChatId>,
    upload: Option<StoredUpload>,
) -> Result<FileInfo> {
    let Some(upload) = upload else { return Err(Error::field("file", "required")) };
    let recorded = record(state, actor, org, chat, &upload).await;
    if recorded.is_err() {
        crate::routes::upload::discard(state, &upload.key).await;
    }
    recorded
}

async fn record(
    state: &AppState,
    actor: &Actor,
    org: OrgId,
    chat: Option<ChatId>,
    upload: &StoredUpload,
) -> Result<FileInfo> {
    if upload.size == 0 {
        return Err(Error::field("file", "required"));
    }
    let content_type = sniff_any(&upload.head);
    // An image over the preview limits, or past the preview queue, is kept without one.
    let preview = if crate::thumbnails::previewable(content_type) && upload.size <= PREVIEW_SOURCE_MAX_BYTES {
        match read_all(state.blobs.as_ref(), &upload.key, PREVIEW_SOURCE_MAX_BYTES).await {
            Ok(image) => state.previews.preview(image.into()).await.ok(),
            Err(error) => return Err(Error::Internal(error.into())),
        }
    } else {
        None
    };
    let thumbnail_key = match preview {
        Some(preview) => {
            let prefix = if chat.is_some() { "chat-thumbnails" } else { "journal-thumbnails" };
            let thumbnail_key = new_key(prefix);
            state.blobs.put(&thumbnail_key, &preview).await.map_err(|e| Error::Internal(e.into()))?;
            Some(thumbnail_key)
        }
        None => None,
    };
    // Bytes first: a crash before commit leaves an orphan blob, never a row without its bytes.
    let mut work = state.begin().await?;
    let id = store::files::insert(
        &mut work,
        &NewFile {
            org: Some(org),
            storage_key: &upload.key,
            content_type,
            size: upload.size as i64,
            original_name: &super::applications::display_name(&upload.file_name),
            sha256: &upload.sha256,
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
pub async fn download(state: &AppState, actor: &Actor, id: FileId) -> Result<FileRow> {
    readable_file(state, actor, id).await
}

/// # An image's preview (JPEG), for whoever may download the image
pub async fn thumbnail(state: &AppState, actor: &Actor, id: FileId) -> Result<BlobReader> {
    let file = readable_file(state, actor, id).await?;
    let key = file.thumbnail_key.ok_or(Error::NotFound)?;
    state.blobs.open(&key, None).await.map_err(|e| Error::Internal(e.into()))
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
