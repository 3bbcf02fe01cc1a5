use parta_domain::{SessionId, UserId};
use sqlx::AnyConnection;

use crate::clock::now_ms;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    pub id: i64,
    pub user_id: i64,
    pub csrf_token: String,
    pub user_agent: Option<String>,
    pub ip: Option<String>,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
}

const COLUMNS: &str = "s.id, s.user_id, s.csrf_token, s.user_agent, s.ip, s.created_at, s.last_seen_at, s.expires_at";

pub async fn insert(
    conn: &mut AnyConnection,
    user: UserId,
    token_hash: &str,
    csrf_token: &str,
    user_agent: Option<&str>,
    ip: Option<&str>,
    expires_at: i64,
) -> sqlx::Result<SessionId> {
    let now = now_ms();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO sessions (user_id, token_hash, csrf_token, user_agent, ip, created_at, last_seen_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $6, $7) RETURNING id",
    )
    .bind(user.0)
    .bind(token_hash)
    .bind(csrf_token)
    .bind(user_agent)
    .bind(ip)
    .bind(now)
    .bind(expires_at)
    .fetch_one(conn)
    .await?;
    Ok(SessionId(id))
}

/// A session with the one fact about its account that every request needs.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LiveSession {
    #[sqlx(flatten)]
    pub session: SessionRow,
    pub is_operator: i64,
}

/// A live session of a live account, by token digest.
pub async fn find_live(conn: &mut AnyConnection, token_hash: &str) -> sqlx::Result<Option<LiveSession>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS}, u.is_operator FROM sessions s JOIN users u ON u.id = s.user_id
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.deleted_at IS NULL"
    )))
    .bind(token_hash)
    .bind(now_ms())
    .fetch_optional(conn)
    .await
}

pub async fn touch(conn: &mut AnyConnection, id: SessionId, now: i64, expires_at: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE sessions SET last_seen_at = $1, expires_at = $2 WHERE id = $3")
        .bind(now)
        .bind(expires_at)
        .bind(id.0)
        .execute(conn)
        .await
        .map(|_| ())
}

pub async fn list_for_user(conn: &mut AnyConnection, user: UserId) -> sqlx::Result<Vec<SessionRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM sessions s WHERE s.user_id = $1 AND s.expires_at > $2 ORDER BY s.last_seen_at DESC"
    )))
    .bind(user.0)
    .bind(now_ms())
    .fetch_all(conn)
    .await
}

/// Ends one session of this user; false when there was none (or it was someone else's).
pub async fn delete(conn: &mut AnyConnection, user: UserId, id: SessionId) -> sqlx::Result<bool> {
    let done = sqlx::query("DELETE FROM sessions WHERE id = $1 AND user_id = $2")
        .bind(id.0)
        .bind(user.0)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn delete_all_except(conn: &mut AnyConnection, user: UserId, keep: Option<SessionId>) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id <> $2")
        .bind(user.0)
        .bind(keep.map_or(0, |s| s.0))
        .execute(conn)
        .await
        .map(|_| ())
}
