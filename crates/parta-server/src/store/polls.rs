//! Polls, their options and votes.

use parta_domain::{ChatId, MessageId, OrgId, UserId};
use sqlx::AnyConnection;

use crate::clock::now_ms;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PollRow {
    pub id: i64,
    pub chat_id: i64,
    pub message_id: i64,
    pub multiple: i64,
    pub anonymous: i64,
    pub closes_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub created_by: i64,
}

impl PollRow {
    /// Closed by hand, or past its deadline.
    pub fn is_closed(&self, now: i64) -> bool {
        self.closed_at.is_some() || self.closes_at.is_some_and(|at| at <= now)
    }
}

const COLUMNS: &str = "id, chat_id, message_id, multiple, anonymous, closes_at, closed_at, created_by";

pub struct NewPoll<'a> {
    pub org: OrgId,
    pub chat: ChatId,
    pub message: MessageId,
    pub multiple: bool,
    pub anonymous: bool,
    pub closes_at: Option<i64>,
    pub created_by: UserId,
    pub options: &'a [String],
}

pub async fn insert(conn: &mut AnyConnection, new: &NewPoll<'_>) -> sqlx::Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO polls (org_id, chat_id, message_id, multiple, anonymous, closes_at, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(new.org.0)
    .bind(new.chat.0)
    .bind(new.message.0)
    .bind(super::flag(new.multiple))
    .bind(super::flag(new.anonymous))
    .bind(new.closes_at)
    .bind(new.created_by.0)
    .fetch_one(&mut *conn)
    .await?;
    for (position, text) in new.options.iter().enumerate() {
        sqlx::query("INSERT INTO poll_options (poll_id, position, text, org_id) VALUES ($1, $2, $3, $4)")
            .bind(id)
            .bind(position as i64)
            .bind(text)
            .bind(new.org.0)
            .execute(&mut *conn)
            .await?;
    }
    Ok(id)
}

pub async fn of_message(conn: &mut AnyConnection, message: MessageId) -> sqlx::Result<Option<PollRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM polls WHERE message_id = $1")))
        .bind(message.0)
        .fetch_optional(conn)
        .await
}

pub async fn get(conn: &mut AnyConnection, chat: ChatId, id: i64) -> sqlx::Result<Option<PollRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM polls WHERE chat_id = $1 AND id = $2")))
        .bind(chat.0)
        .bind(id)
        .fetch_optional(conn)
        .await
}

pub async fn options(conn: &mut AnyConnection, poll: i64) -> sqlx::Result<Vec<(i64, String)>> {
    sqlx::query_as("SELECT id, text FROM poll_options WHERE poll_id = $1 ORDER BY position")
        .bind(poll)
        .fetch_all(conn)
        .await
}

/// (option, voter) pairs.
pub async fn votes(conn: &mut AnyConnection, poll: i64) -> sqlx::Result<Vec<(i64, i64)>> {
    sqlx::query_as("SELECT option_id, user_id FROM poll_votes WHERE poll_id = $1 ORDER BY at, user_id")
        .bind(poll)
        .fetch_all(conn)
        .await
}

/// Replaces a person's votes in a poll with `options` (none: takes the vote back).
pub async fn set_votes(
    conn: &mut AnyConnection,
    org: OrgId,
    poll: i64,
    user: UserId,
    options: &[i64],
) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM poll_votes WHERE poll_id = $1 AND user_id = $2")
        .bind(poll)
        .bind(user.0)
        .execute(&mut *conn)
        .await?;
    let now = now_ms();
    for option in options {
        sqlx::query("INSERT INTO poll_votes (poll_id, option_id, user_id, org_id, at) VALUES ($1, $2, $3, $4, $5)")
            .bind(poll)
            .bind(option)
            .bind(user.0)
            .bind(org.0)
            .bind(now)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

pub async fn close(conn: &mut AnyConnection, poll: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE polls SET closed_at = $1 WHERE id = $2 AND closed_at IS NULL")
        .bind(now_ms())
        .bind(poll)
        .execute(conn)
        .await
        .map(|_| ())
}
