//! Reading the audit log: a school's for its admins, everything for the operator.

use parta_domain::permission::Permission;
use parta_domain::{AuditEntryId, OrgId, UserId};
use parta_protocol::AuditEntry;
use sqlx::AnyConnection;

use crate::access;
use crate::auth::Actor;
use crate::clock::rfc3339;
use crate::error::Result;
use crate::state::AppState;
use crate::store;

pub const PAGE_MAX: i64 = 200;

async fn render(conn: &mut AnyConnection, rows: Vec<store::audit::EntryRow>) -> Result<Vec<AuditEntry>> {
    let mut entries = Vec::with_capacity(rows.len());
    for row in rows {
        let actor = match row.actor_user_id {
            Some(id) => store::users::person(conn, UserId(id)).await?,
            None => None,
        };
        entries.push(AuditEntry {
            id: AuditEntryId(row.id),
            org_id: row.org_id.map(OrgId),
            actor,
            action: row.action,
            target_type: row.target_type,
            target_id: row.target_id,
            details: serde_json::from_str(&row.details).unwrap_or(serde_json::Value::Null),
            at: rfc3339(row.at),
        });
    }
    Ok(entries)
}

/// # A school's log, newest first, paged by `before_id`.
pub async fn school_log(
    state: &AppState,
    actor: &Actor,
    org: OrgId,
    before_id: Option<i64>,
    limit: Option<i64>,
) -> Result<Vec<AuditEntry>> {
    let mut conn = state.db.reads().acquire().await?;
    access::school(&mut conn, actor, org, Permission::ReadSchoolAudit).await?;
    let rows = store::audit::list(&mut conn, Some(org), before_id, limit.unwrap_or(50).clamp(1, PAGE_MAX)).await?;
    render(&mut conn, rows).await
}

/// # The whole platform's log (operator).
pub async fn platform_log(
    state: &AppState,
    actor: &Actor,
    before_id: Option<i64>,
    limit: Option<i64>,
) -> Result<Vec<AuditEntry>> {
    access::platform(actor, Permission::ReadPlatformAudit)?;
    let mut conn = state.db.reads().acquire().await?;
    let rows = store::audit::list(&mut conn, None, before_id, limit.unwrap_or(50).clamp(1, PAGE_MAX)).await?;
    render(&mut conn, rows).await
}
