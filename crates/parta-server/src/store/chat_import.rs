//! Messages brought in by a chat import: the keys a chat already holds, a batch of
//! messages in one statement (a key the chat holds is left out: the same export twice
//! adds nothing), and the read marks of those who had read everything before.

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
/// the imported history too: it is no news to anyone.
pub async fn read_through(conn: &mut AnyConnection, chat: ChatId, read_to: i64, to: i64) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE chat_members SET last_read_seq = $1 WHERE chat_id = $2 AND left_at IS NULL AND last_read_seq >= $3",
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
