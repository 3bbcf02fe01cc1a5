//! Digest settings: who wants one, how often, when the next is due.

use parta_domain::UserId;
use sqlx::AnyConnection;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DigestRow {
    pub user_id: i64,
    pub frequency: String,
    pub next_due_at: Option<i64>,
    pub last_sent_at: Option<i64>,
    pub unsubscribe_token: String,
}

const COLUMNS: &str = "user_id, frequency, next_due_at, last_sent_at, unsubscribe_token";

pub async fn get(conn: &mut AnyConnection, user: UserId) -> sqlx::Result<Option<DigestRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM digest_settings WHERE user_id = $1")))
        .bind(user.0)
        .fetch_optional(conn)
        .await
}

/// Sets how often and when the next is due; a new row gets its stop link's token.
pub async fn set(
    conn: &mut AnyConnection,
    user: UserId,
    frequency: &str,
    next_due_at: Option<i64>,
    unsubscribe_token: &str,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO digest_settings (user_id, frequency, next_due_at, unsubscribe_token, changed_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (user_id) DO UPDATE SET frequency = $2, next_due_at = $3, changed_at = $5",
    )
    .bind(user.0)
    .bind(frequency)
    .bind(next_due_at)
    .bind(unsubscribe_token)
    .bind(now)
    .execute(conn)
    .await
    .map(|_| ())
}

/// Digests due by `now`, oldest first.
pub async fn due(conn: &mut AnyConnection, now: i64, limit: i64) -> sqlx::Result<Vec<DigestRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM digest_settings
         WHERE next_due_at IS NOT NULL AND next_due_at <= $1 ORDER BY next_due_at LIMIT $2"
    )))
    .bind(now)
    .bind(limit)
    .fetch_all(conn)
    .await
}

/// Takes a due digest (false: another node took it first) and sets the next one.
pub async fn take(conn: &mut AnyConnection, row: &DigestRow, now: i64, next: Option<i64>) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE digest_settings SET next_due_at = $3, last_sent_at = $4 WHERE user_id = $1 AND next_due_at = $2",
    )
    .bind(row.user_id)
    .bind(row.next_due_at)
    .bind(next)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Turns off the digest whose stop link this is; whose it was, if any.
pub async fn unsubscribe(conn: &mut AnyConnection, unsubscribe_token: &str, now: i64) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar(
        "UPDATE digest_settings SET frequency = 'off', next_due_at = NULL, changed_at = $2
         WHERE unsubscribe_token = $1 RETURNING user_id",
    )
    .bind(unsubscribe_token)
    .bind(now)
    .fetch_optional(conn)
    .await
}

/// The time zone of the first school the person has a place in (digests are made in
/// its evening).
pub async fn time_zone(conn: &mut AnyConnection, user: UserId) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar(
        "SELECT o.time_zone FROM memberships m JOIN organizations o ON o.id = m.org_id
         WHERE m.user_id = $1 AND m.ended_at IS NULL ORDER BY m.id LIMIT 1",
    )
    .bind(user.0)
    .fetch_optional(conn)
    .await
}
