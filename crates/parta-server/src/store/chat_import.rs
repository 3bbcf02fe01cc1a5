//! A chat import's row (`chat_imports`: staged, running, done or failed) and the
//! messages it brings in: the keys a chat already holds, a batch of messages in one
//! statement (a key the chat holds is left out: the same export twice adds nothing),
//! and the read marks of those who had read everything before.

use std::collections::HashMap;

use parta_domain::{ChatId, OrgId, UserId};
use sqlx::AnyConnection;

use super::Placeholders;

/// The imported messages of a chat: export key → message id.
pub async fn imported_keys(conn: &mut AnyConnection, chat: ChatId) -> sqlx::Result<HashMap<String, i64>> {
    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT import_key, id FROM messages WHERE chat_id = $1 AND import_key IS NOT NULL")
            .bind(chat.0)
            .fetch_all(conn)
            .await?;
    Ok(rows.into_iter().collect())
}

/// One imported message as stored.
pub struct NewImported<'a> {
    pub org: OrgId,
    pub chat: ChatId,
    pub seq: i64,
    /// The member the author is, or the importer for a guest.
    pub sender: UserId,
    pub client_msg_id: String,
    pub body: &'a str,
    pub reply_to: Option<i64>,
    pub created_at: i64,
    pub import_key: &'a str,
    pub guest_name: Option<&'a str>,
    pub forwarded_name: Option<&'a str>,
}

/// Rows a statement carries: 12 parameters a row, under both databases' limits.
pub const BATCH: usize = 1_000;

/// Inserts up to `BATCH` messages in one statement; those whose key the chat already
/// holds are left out. Returns (key, id) of those inserted.
pub async fn insert(conn: &mut AnyConnection, rows: &[NewImported<'_>]) -> sqlx::Result<Vec<(String, i64)>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "INSERT INTO messages (org_id, chat_id, seq, sender_id, client_msg_id, body, reply_to, created_at, needs_ack,
            import_key, guest_name, forwarded_name)
         VALUES {} ON CONFLICT DO NOTHING RETURNING import_key, id",
        Placeholders::for_connection(conn).rows(rows.len(), 12)
    );
    let args = super::arguments(|b| {
        for row in rows {
            b.bind(row.org.0)
                .bind(row.chat.0)
                .bind(row.seq)
                .bind(row.sender.0)
                .bind(row.client_msg_id.as_str())
                .bind(row.body)
                .bind(row.reply_to)
                .bind(row.created_at)
                .bind(0i64)
                .bind(row.import_key)
                .bind(row.guest_name)
                .bind(row.forwarded_name);
        }
    })?;
    sqlx::query_as_with::<_, (String, i64), _>(sqlx::AssertSqlSafe(sql), args).fetch_all(conn).await
}

/// Those who had read the chat to `read_to` (everything before the import) have read
/// the imported history too, up to `to`: it is no news to anyone. Who has read further
/// meanwhile keeps their mark.
pub async fn read_through(conn: &mut AnyConnection, chat: ChatId, read_to: i64, to: i64) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE chat_members SET last_read_seq = $1
         WHERE chat_id = $2 AND left_at IS NULL AND last_read_seq >= $3 AND last_read_seq < $1",
    )
    .bind(to)
    .bind(chat.0)
    .bind(read_to)
    .execute(conn)
    .await
    .map(|_| ())
}

/// Points imported messages at the messages they answer: (message, answered), each
/// statement a thousand of them.
pub async fn set_replies(conn: &mut AnyConnection, replies: &[(i64, i64)]) -> sqlx::Result<()> {
    for chunk in replies.chunks(BATCH) {
        let sql = format!(
            "WITH reply (id, target) AS (VALUES {})
             UPDATE messages SET reply_to = reply.target FROM reply WHERE messages.id = reply.id",
            Placeholders::for_connection(conn).rows(chunk.len(), 2)
        );
        let args = super::arguments(|b| {
            for (id, target) in chunk {
                b.bind(*id).bind(*target);
            }
        })?;
        sqlx::query_with(sqlx::AssertSqlSafe(sql), args).execute(&mut *conn).await?;
    }
    Ok(())
}

/// A chat import between its upload and its end.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ImportRow {
    pub id: String,
    pub org_id: i64,
    pub chat_id: i64,
    pub importer_id: i64,
    pub upload_key: String,
    pub state: String,
    pub total: i64,
    pub done: i64,
    pub imported: i64,
    pub files: i64,
    pub error: Option<String>,
    pub updated_at: i64,
    pub expires_at: i64,
}

impl ImportRow {
    /// Running on a node that has not spoken since `stale_before`: that node stopped.
    pub fn cut_off(&self, stale_before: i64) -> bool {
        self.state == "running" && self.updated_at < stale_before
    }
}

const COLUMNS: &str =
    "id, org_id, chat_id, importer_id, upload_key, state, total, done, imported, files, error, updated_at, expires_at";

pub async fn get(conn: &mut AnyConnection, id: &str) -> sqlx::Result<Option<ImportRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM chat_imports WHERE id = $1")))
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// The importer's import, whichever chat it is for.
pub async fn of_importer(conn: &mut AnyConnection, importer: UserId) -> sqlx::Result<Option<ImportRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM chat_imports WHERE importer_id = $1")))
        .bind(importer.0)
        .fetch_optional(conn)
        .await
}

/// A staged upload, in place of the importer's last import (removed first).
pub async fn insert_staged(conn: &mut AnyConnection, row: &ImportRow) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM chat_imports WHERE importer_id = $1").bind(row.importer_id).execute(&mut *conn).await?;
    sqlx::query(
        "INSERT INTO chat_imports (id, org_id, chat_id, importer_id, upload_key, state, updated_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, 'staged', $6, $7)",
    )
    .bind(&row.id)
    .bind(row.org_id)
    .bind(row.chat_id)
    .bind(row.importer_id)
    .bind(&row.upload_key)
    .bind(row.updated_at)
    .bind(row.expires_at)
    .execute(conn)
    .await
    .map(|_| ())
}

/// Marks an import running with `total` steps, unless it runs already (on a node
/// that spoke since `stale_before`). Returns whether it was marked.
pub async fn start(conn: &mut AnyConnection, id: &str, total: i64, now: i64, stale_before: i64) -> sqlx::Result<bool> {
    sqlx::query(
        "UPDATE chat_imports SET state = 'running', total = $2, done = 0, imported = 0, files = 0, error = NULL,
             updated_at = $3
         WHERE id = $1 AND (state <> 'running' OR updated_at < $4)",
    )
    .bind(id)
    .bind(total)
    .bind(now)
    .bind(stale_before)
    .execute(conn)
    .await
    .map(|r| r.rows_affected() == 1)
}

/// Steps done so far of a running import, and the messages and files it committed.
pub async fn advanced(
    conn: &mut AnyConnection,
    id: &str,
    done: i64,
    (imported, files): (i64, i64),
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE chat_imports SET done = $2, imported = $3, files = $4, updated_at = $5
         WHERE id = $1 AND state = 'running'",
    )
    .bind(id)
    .bind(done)
    .bind(imported)
    .bind(files)
    .bind(now)
    .execute(conn)
    .await
    .map(|_| ())
}

/// How a run ended: `done` with what it added, or `failed` with a code.
pub struct Ended<'a> {
    pub done: i64,
    pub imported: i64,
    pub files: i64,
    pub error: Option<&'a str>,
    pub now: i64,
    pub expires_at: i64,
}

pub async fn end(conn: &mut AnyConnection, id: &str, ended: &Ended<'_>) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE chat_imports SET state = $2, done = $3, imported = $4, files = $5, error = $6, updated_at = $7,
             expires_at = $8
         WHERE id = $1",
    )
    .bind(id)
    .bind(if ended.error.is_some() { "failed" } else { "done" })
    .bind(ended.done)
    .bind(ended.imported)
    .bind(ended.files)
    .bind(ended.error)
    .bind(ended.now)
    .bind(ended.expires_at)
    .execute(conn)
    .await
    .map(|_| ())
}

/// Imports past their hour and not running (or cut off): (id, upload key).
pub async fn expired(conn: &mut AnyConnection, now: i64, stale_before: i64) -> sqlx::Result<Vec<(String, String)>> {
    sqlx::query_as(
        "SELECT id, upload_key FROM chat_imports
         WHERE expires_at < $1 AND (state <> 'running' OR updated_at < $2) LIMIT 100",
    )
    .bind(now)
    .bind(stale_before)
    .fetch_all(conn)
    .await
}

/// Removes an import's row if it is still the one with that upload.
pub async fn remove(conn: &mut AnyConnection, id: &str, upload_key: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM chat_imports WHERE id = $1 AND upload_key = $2")
        .bind(id)
        .bind(upload_key)
        .execute(conn)
        .await
        .map(|_| ())
}
