use parta_domain::{OrgId, UserId};
use sqlx::AnyConnection;

use crate::clock::now_ms;

/// One administrative action. Written in the same transaction as the change it records.
pub struct Entry<'a> {
    pub org: Option<OrgId>,
    pub actor: Option<UserId>,
    pub action: &'a str,
    pub target_type: &'a str,
    pub target_id: Option<i64>,
    pub details: serde_json::Value,
}

impl<'a> Entry<'a> {
    /// Someone's act in a school on one of its objects.
    pub fn in_school(
        org: OrgId,
        by: UserId,
        action: &'a str,
        target_type: &'a str,
        target: i64,
        details: serde_json::Value,
    ) -> Entry<'a> {
        Entry { org: Some(org), actor: Some(by), action, target_type, target_id: Some(target), details }
    }
}

pub async fn record(conn: &mut AnyConnection, entry: Entry<'_>) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (org_id, actor_user_id, action, target_type, target_id, details, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(entry.org.map(|o| o.0))
    .bind(entry.actor.map(|u| u.0))
    .bind(entry.action)
    .bind(entry.target_type)
    .bind(entry.target_id)
    .bind(entry.details.to_string())
    .bind(now_ms())
    .execute(conn)
    .await
    .map(|_| ())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EntryRow {
    pub id: i64,
    pub org_id: Option<i64>,
    pub actor_user_id: Option<i64>,
    pub action: String,
    pub target_type: String,
    pub target_id: Option<i64>,
    pub details: String,
    pub at: i64,
}

/// Newest first, `limit` entries older than `before_id`; one school, or all when `org` is `None`.
pub async fn list(
    conn: &mut AnyConnection,
    org: Option<OrgId>,
    before_id: Option<i64>,
    limit: i64,
) -> sqlx::Result<Vec<EntryRow>> {
    sqlx::query_as(
        "SELECT id, org_id, actor_user_id, action, target_type, target_id, details, at FROM audit_log
         WHERE ($1 = 0 OR org_id = $2) AND id < $3 ORDER BY id DESC LIMIT $4",
    )
    .bind(i64::from(org.is_some()))
    .bind(org.map_or(0, |o| o.0))
    .bind(before_id.unwrap_or(i64::MAX))
    .bind(limit)
    .fetch_all(conn)
    .await
}
