//! Reactions to messages and pinned messages.

use parta_domain::{ChatId, MessageId, OrgId, UserId};
use sqlx::AnyConnection;

use super::messages::{MESSAGE_SELECT, MessageRow};
use crate::clock::now_ms;

/// Adds or removes one reaction; false when nothing changed.
pub async fn set_reaction(
    conn: &mut AnyConnection,
    org: OrgId,
    message: MessageId,
    user: UserId,
    emoji: &str,
    present: bool,
) -> sqlx::Result<bool> {
    let done = if present {
        sqlx::query(
            "INSERT INTO message_reactions (message_id, user_id, emoji, org_id, created_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT DO NOTHING",
        )
        .bind(message.0)
        .bind(user.0)
        .bind(emoji)
        .bind(org.0)
        .bind(now_ms())
        .execute(conn)
        .await?
    } else {
        sqlx::query("DELETE FROM message_reactions WHERE message_id = $1 AND user_id = $2 AND emoji = $3")
            .bind(message.0)
            .bind(user.0)
            .bind(emoji)
            .execute(conn)
            .await?
    };
    Ok(done.rows_affected() == 1)
}

/// (emoji, user) pairs of a message, oldest first.
pub async fn reactions(conn: &mut AnyConnection, message: MessageId) -> sqlx::Result<Vec<(String, i64)>> {
    sqlx::query_as("SELECT emoji, user_id FROM message_reactions WHERE message_id = $1 ORDER BY created_at, user_id")
        .bind(message.0)
        .fetch_all(conn)
        .await
}

pub async fn set_pinned(conn: &mut AnyConnection, message: MessageId, by: Option<UserId>) -> sqlx::Result<()> {
    sqlx::query("UPDATE messages SET pinned_at = $1, pinned_by = $2 WHERE id = $3")
        .bind(by.map(|_| now_ms()))
        .bind(by.map(|u| u.0))
        .bind(message.0)
        .execute(conn)
        .await
        .map(|_| ())
}

pub async fn pinned(conn: &mut AnyConnection, chat: ChatId) -> sqlx::Result<Vec<MessageRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{MESSAGE_SELECT} WHERE m.chat_id = $1 AND m.pinned_at IS NOT NULL AND m.deleted_at IS NULL ORDER BY m.pinned_at DESC"
    )))
    .bind(chat.0)
    .fetch_all(conn)
    .await
}
