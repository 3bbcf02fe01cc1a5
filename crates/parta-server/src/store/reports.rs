//! Reports of messages, for the chat's moderators and the school's admins.

use parta_domain::{ChatId, MessageId, OrgId, UserId};
use sqlx::AnyConnection;

use crate::clock::now_ms;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReportRow {
    pub id: i64,
    pub org_id: i64,
    pub chat_id: i64,
    pub message_id: i64,
    pub reporter_id: i64,
    pub reason: String,
    pub status: String,
    pub created_at: i64,
    pub resolved_by: Option<i64>,
    pub resolved_at: Option<i64>,
    pub note: Option<String>,
}

const REPORT_COLUMNS: &str =
    "id, org_id, chat_id, message_id, reporter_id, reason, status, created_at, resolved_by, resolved_at, note";

pub async fn insert_report(
    conn: &mut AnyConnection,
    org: OrgId,
    chat: ChatId,
    message: MessageId,
    reporter: UserId,
    reason: &str,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO reports (org_id, chat_id, message_id, reporter_id, reason, status, created_at)
         VALUES ($1, $2, $3, $4, $5, 'open', $6) RETURNING id",
    )
    .bind(org.0)
    .bind(chat.0)
    .bind(message.0)
    .bind(reporter.0)
    .bind(reason)
    .bind(now_ms())
    .fetch_one(conn)
    .await
}

pub async fn report(conn: &mut AnyConnection, org: OrgId, id: i64) -> sqlx::Result<Option<ReportRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {REPORT_COLUMNS} FROM reports WHERE org_id = $1 AND id = $2")))
        .bind(org.0)
        .bind(id)
        .fetch_optional(conn)
        .await
}

pub async fn reports(conn: &mut AnyConnection, org: OrgId, status: Option<&str>) -> sqlx::Result<Vec<ReportRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {REPORT_COLUMNS} FROM reports WHERE org_id = $1 AND ($2 = '' OR status = $2) ORDER BY id DESC"
    )))
    .bind(org.0)
    .bind(status.unwrap_or(""))
    .fetch_all(conn)
    .await
}

/// Resolves an open report; false if it was resolved already.
pub async fn resolve_report(
    conn: &mut AnyConnection,
    id: i64,
    status: &str,
    by: UserId,
    note: Option<&str>,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE reports SET status = $1, resolved_by = $2, resolved_at = $3, note = $4 WHERE id = $5 AND status = 'open'",
    )
    .bind(status)
    .bind(by.0)
    .bind(now_ms())
    .bind(note)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
