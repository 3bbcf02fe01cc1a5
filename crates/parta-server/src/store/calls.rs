//! Calls and who was in them (`call_presence`): queries only.

use parta_domain::{CallId, ChatId, LessonId, OrgId, UserId};
use sqlx::AnyConnection;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CallRow {
    pub id: i64,
    pub org_id: i64,
    pub chat_id: i64,
    pub lesson_id: Option<i64>,
    pub started_by: i64,
    pub host_id: i64,
    pub node: String,
    pub started_at: i64,
    pub ended_at: Option<i64>,
}

impl CallRow {
    pub fn call_id(&self) -> CallId {
        CallId(self.id)
    }

    pub fn chat(&self) -> ChatId {
        ChatId(self.chat_id)
    }

    pub fn org(&self) -> OrgId {
        OrgId(self.org_id)
    }
}

const COLUMNS: &str = "id, org_id, chat_id, lesson_id, started_by, host_id, node, started_at, ended_at";

pub async fn get(conn: &mut AnyConnection, id: CallId) -> sqlx::Result<Option<CallRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM calls WHERE id = $1")))
        .bind(id.0)
        .fetch_optional(conn)
        .await
}

/// The call running in a chat (not a lesson's), if any.
pub async fn running_in(conn: &mut AnyConnection, chat: ChatId) -> sqlx::Result<Option<CallRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM calls WHERE chat_id = $1 AND ended_at IS NULL AND lesson_id IS NULL"
    )))
    .bind(chat.0)
    .fetch_optional(conn)
    .await
}

/// The calls of a lesson, the latest first (a lesson may be started again).
pub async fn of_lesson(conn: &mut AnyConnection, lesson: LessonId) -> sqlx::Result<Vec<CallRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM calls WHERE lesson_id = $1 ORDER BY started_at DESC, id DESC"
    )))
    .bind(lesson.0)
    .fetch_all(conn)
    .await
}

/// Starts a lesson's call in its class's chat; `None` when one already runs.
pub async fn insert_for_lesson(
    conn: &mut AnyConnection,
    org: OrgId,
    chat: ChatId,
    lesson: LessonId,
    by: UserId,
    node: &str,
    at: i64,
) -> sqlx::Result<Option<CallId>> {
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO calls (org_id, chat_id, lesson_id, started_by, host_id, node, started_at)
         VALUES ($1, $2, $3, $4, $4, $5, $6)
         ON CONFLICT (lesson_id) WHERE ended_at IS NULL AND lesson_id IS NOT NULL DO NOTHING RETURNING id",
    )
    .bind(org.0)
    .bind(chat.0)
    .bind(lesson.0)
    .bind(by.0)
    .bind(node)
    .bind(at)
    .fetch_optional(conn)
    .await?;
    Ok(id.map(CallId))
}

/// Every stay in any of these calls.
pub async fn presence_in(conn: &mut AnyConnection, calls: &[CallId]) -> sqlx::Result<Vec<PresenceRow>> {
    let mut all = Vec::new();
    for call in calls {
        all.extend(presence(conn, *call).await?);
    }
    Ok(all)
}

/// Starts a call; `None` when one already runs in the chat (the unique index on
/// running calls decides between two at once).
pub async fn insert(
    conn: &mut AnyConnection,
    org: OrgId,
    chat: ChatId,
    by: UserId,
    node: &str,
    at: i64,
) -> sqlx::Result<Option<CallId>> {
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO calls (org_id, chat_id, started_by, host_id, node, started_at)
         VALUES ($1, $2, $3, $3, $4, $5)
         ON CONFLICT (chat_id) WHERE ended_at IS NULL AND lesson_id IS NULL DO NOTHING RETURNING id",
    )
    .bind(org.0)
    .bind(chat.0)
    .bind(by.0)
    .bind(node)
    .bind(at)
    .fetch_optional(conn)
    .await?;
    Ok(id.map(CallId))
}

/// Ends a running call; false when it had ended already.
pub async fn end(conn: &mut AnyConnection, id: CallId, at: i64) -> sqlx::Result<bool> {
    let done = sqlx::query("UPDATE calls SET ended_at = $2 WHERE id = $1 AND ended_at IS NULL")
        .bind(id.0)
        .bind(at)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Calls a node left running, as it starts again.
pub async fn running_on(conn: &mut AnyConnection, node: &str) -> sqlx::Result<Vec<CallRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM calls WHERE node = $1 AND ended_at IS NULL")))
        .bind(node)
        .fetch_all(conn)
        .await
}

/// A device's stay in a call begins.
pub async fn presence_begins(
    conn: &mut AnyConnection,
    call: CallId,
    user: UserId,
    peer: i64,
    at: i64,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO call_presence (call_id, user_id, peer_id, joined_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(call.0)
    .bind(user.0)
    .bind(peer)
    .bind(at)
    .fetch_one(conn)
    .await
}

/// A device's stay ends, with why.
pub async fn presence_ends(conn: &mut AnyConnection, presence: i64, at: i64, reason: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE call_presence SET left_at = $2, left_reason = $3 WHERE id = $1 AND left_at IS NULL")
        .bind(presence)
        .bind(at)
        .bind(reason)
        .execute(conn)
        .await?;
    Ok(())
}

/// Every stay still open in a call ends (the call ended, or its node restarted).
pub async fn presence_ends_all(conn: &mut AnyConnection, call: CallId, at: i64, reason: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE call_presence SET left_at = $2, left_reason = $3 WHERE call_id = $1 AND left_at IS NULL")
        .bind(call.0)
        .bind(at)
        .bind(reason)
        .execute(conn)
        .await?;
    Ok(())
}

/// Whether the host removed this person from the call.
pub async fn was_removed(conn: &mut AnyConnection, call: CallId, user: UserId) -> sqlx::Result<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM call_presence WHERE call_id = $1 AND user_id = $2 AND left_reason = 'removed'",
    )
    .bind(call.0)
    .bind(user.0)
    .fetch_one(conn)
    .await?;
    Ok(n > 0)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PresenceRow {
    pub user_id: i64,
    pub peer_id: i64,
    pub joined_at: i64,
    pub left_at: Option<i64>,
    pub left_reason: Option<String>,
}

/// Who was in a call and when, in the order they came.
pub async fn presence(conn: &mut AnyConnection, call: CallId) -> sqlx::Result<Vec<PresenceRow>> {
    sqlx::query_as(
        "SELECT user_id, peer_id, joined_at, left_at, left_reason FROM call_presence
         WHERE call_id = $1 ORDER BY joined_at, id",
    )
    .bind(call.0)
    .fetch_all(conn)
    .await
}
