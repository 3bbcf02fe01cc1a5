//! Messages and edits held by a school's quiet hours until they end.

use parta_domain::{ChatId, MessageId, UserId};
use sqlx::AnyConnection;

use super::messages::{MESSAGE_SELECT, MessageRow};

/// A held message's new text: nobody has seen the old one, so it is not marked edited.
pub async fn rewrite_held(conn: &mut AnyConnection, id: MessageId, body: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE messages SET body = $1 WHERE id = $2 AND held_until IS NOT NULL")
        .bind(body)
        .bind(id.0)
        .execute(conn)
        .await
        .map(|_| ())
}

/// Holds an edit written in quiet hours until `until` (a later edit replaces it).
pub async fn hold_edit(conn: &mut AnyConnection, id: MessageId, body: &str, until: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE messages SET pending_body = $1, pending_until = $2 WHERE id = $3")
        .bind(body)
        .bind(until)
        .bind(id.0)
        .execute(conn)
        .await
        .map(|_| ())
}

/// Held edits whose quiet hours are over: (message, chat, org).
pub async fn edits_due(conn: &mut AnyConnection, now: i64) -> sqlx::Result<Vec<(i64, i64, i64)>> {
    sqlx::query_as(
        "SELECT id, chat_id, org_id FROM messages WHERE pending_until IS NOT NULL AND pending_until <= $1 ORDER BY id",
    )
    .bind(now)
    .fetch_all(conn)
    .await
}

/// Takes a held edit off its message; false if another node took it first.
pub async fn take_held_edit(conn: &mut AnyConnection, id: MessageId, until: i64) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE messages SET pending_body = NULL, pending_until = NULL WHERE id = $1 AND pending_until = $2",
    )
    .bind(id.0)
    .bind(until)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A sender's own messages still held by quiet hours in a chat, oldest first.
pub async fn held_of(conn: &mut AnyConnection, chat: ChatId, sender: UserId) -> sqlx::Result<Vec<MessageRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{MESSAGE_SELECT} WHERE m.chat_id = $1 AND m.sender_id = $2 AND m.held_until IS NOT NULL ORDER BY m.id"
    )))
    .bind(chat.0)
    .bind(sender.0)
    .fetch_all(conn)
    .await
}

/// Held messages due by `now`, oldest first.
pub async fn held_due(conn: &mut AnyConnection, now: i64) -> sqlx::Result<Vec<(i64, i64, i64)>> {
    sqlx::query_as(
        "SELECT id, chat_id, org_id FROM messages WHERE held_until IS NOT NULL AND held_until <= $1 ORDER BY id",
    )
    .bind(now)
    .fetch_all(conn)
    .await
}

/// Gives a held message its chat position; false if another node released it first.
pub async fn release_message(conn: &mut AnyConnection, message: MessageId, seq: i64) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE messages SET seq = $1, held_until = NULL, released_at = $3 WHERE id = $2 AND held_until IS NOT NULL",
    )
    .bind(seq)
    .bind(message.0)
    .bind(crate::clock::now_ms())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
