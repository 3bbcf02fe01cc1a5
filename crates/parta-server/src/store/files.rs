use parta_domain::{ChatId, FileId, MessageId, OrgId, UserId};
use parta_protocol::FileInfo;
use sqlx::AnyConnection;

use crate::clock::now_ms;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FileRow {
    pub id: i64,
    pub org_id: Option<i64>,
    pub storage_key: String,
    pub content_type: String,
    pub size: i64,
    pub original_name: String,
    pub sha256: String,
    pub uploaded_by: Option<i64>,
    pub chat_id: Option<i64>,
    pub thumbnail_key: Option<String>,
}

impl FileRow {
    pub fn info(&self) -> FileInfo {
        FileInfo {
            id: FileId(self.id),
            name: self.original_name.clone(),
            content_type: self.content_type.clone(),
            size: self.size,
            has_thumbnail: self.thumbnail_key.is_some(),
        }
    }
}

pub struct NewFile<'a> {
    pub org: Option<OrgId>,
    pub storage_key: &'a str,
    pub content_type: &'a str,
    pub size: i64,
    pub original_name: &'a str,
    pub sha256: &'a str,
    pub uploaded_by: Option<UserId>,
    /// The chat a chat file was uploaded to.
    pub chat: Option<ChatId>,
}

pub async fn insert(conn: &mut AnyConnection, file: &NewFile<'_>) -> sqlx::Result<FileId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO files (org_id, storage_key, content_type, size, original_name, sha256, uploaded_by, created_at, chat_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(file.org.map(|o| o.0))
    .bind(file.storage_key)
    .bind(file.content_type)
    .bind(file.size)
    .bind(file.original_name)
    .bind(file.sha256)
    .bind(file.uploaded_by.map(|u| u.0))
    .bind(now_ms())
    .bind(file.chat.map(|c| c.0))
    .fetch_one(conn)
    .await?;
    Ok(FileId(id))
}

pub async fn get(conn: &mut AnyConnection, id: FileId) -> sqlx::Result<Option<FileRow>> {
    sqlx::query_as(
        "SELECT id, org_id, storage_key, content_type, size, original_name, sha256, uploaded_by, chat_id, thumbnail_key
         FROM files WHERE id = $1",
    )
    .bind(id.0)
    .fetch_optional(conn)
    .await
}

/// Attaches uploaded files to a message, in order.
pub async fn attach(conn: &mut AnyConnection, org: OrgId, message: MessageId, files: &[FileId]) -> sqlx::Result<()> {
    for (position, file) in files.iter().enumerate() {
        sqlx::query("INSERT INTO attachments (message_id, file_id, position, org_id) VALUES ($1, $2, $3, $4)")
            .bind(message.0)
            .bind(file.0)
            .bind(position as i64)
            .bind(org.0)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

pub async fn attachments(conn: &mut AnyConnection, message: MessageId) -> sqlx::Result<Vec<FileRow>> {
    sqlx::query_as(
        "SELECT f.id, f.org_id, f.storage_key, f.content_type, f.size, f.original_name, f.sha256, f.uploaded_by, f.chat_id, f.thumbnail_key
         FROM attachments a JOIN files f ON f.id = a.file_id WHERE a.message_id = $1 ORDER BY a.position",
    )
    .bind(message.0)
    .fetch_all(conn)
    .await
}

/// Where a posted file stands: the message it is attached to, whether that message
/// was deleted, and whether quiet hours still hold it.
pub struct Attachment {
    pub message: MessageId,
    pub deleted: bool,
    pub held: bool,
}

pub async fn attached_to(conn: &mut AnyConnection, file: FileId) -> sqlx::Result<Option<Attachment>> {
    let row: Option<(i64, Option<i64>, Option<i64>)> = sqlx::query_as(
        "SELECT m.id, m.deleted_at, m.held_until FROM attachments a JOIN messages m ON m.id = a.message_id
         WHERE a.file_id = $1",
    )
    .bind(file.0)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|(message, deleted_at, held_until)| Attachment {
        message: MessageId(message),
        deleted: deleted_at.is_some(),
        held: held_until.is_some(),
    }))
}

pub async fn set_thumbnail(conn: &mut AnyConnection, file: FileId, key: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE files SET thumbnail_key = $1 WHERE id = $2")
        .bind(key)
        .bind(file.0)
        .execute(conn)
        .await
        .map(|_| ())
}

/// A forwarded file: a new row for the target chat over a duplicate of the stored bytes, so who
/// may download it follows the chat it is forwarded to.
pub async fn copy_to_chat(
    conn: &mut AnyConnection,
    file: &FileRow,
    storage_key: &str,
    chat: ChatId,
    by: UserId,
) -> sqlx::Result<FileId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO files (org_id, storage_key, content_type, size, original_name, sha256, uploaded_by, created_at, chat_id, thumbnail_key)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(file.org_id)
    .bind(storage_key)
    .bind(&file.content_type)
    .bind(file.size)
    .bind(&file.original_name)
    .bind(&file.sha256)
    .bind(by.0)
    .bind(now_ms())
    .bind(chat.0)
    .bind(&file.thumbnail_key)
    .fetch_one(conn)
    .await?;
    Ok(FileId(id))
}

/// How many files someone uploaded since a time, to chats or to the journal (the send limit counts them too).
pub async fn uploaded_since(conn: &mut AnyConnection, user: UserId, since: i64) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM files WHERE uploaded_by = $1 AND created_at >= $2")
        .bind(user.0)
        .bind(since)
        .fetch_one(conn)
        .await
}

/// Hands a file uploaded before its school existed (an application's order) to the school.
pub async fn give_to_school(conn: &mut AnyConnection, file: FileId, org: OrgId) -> sqlx::Result<()> {
    sqlx::query("UPDATE files SET org_id = $1 WHERE id = $2").bind(org.0).bind(file.0).execute(conn).await.map(|_| ())
}
