//! Consents to the processing of personal data, each with the version of its text.

use parta_domain::consent::ConsentKind;
use parta_domain::{OrgId, UserId};
use sqlx::AnyConnection;

use crate::clock::now_ms;

pub async fn insert(
    conn: &mut AnyConnection,
    user: UserId,
    kind: ConsentKind,
    child: Option<UserId>,
    org: Option<OrgId>,
    version: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO consents (user_id, kind, child_user_id, org_id, version, at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(user.0)
    .bind(kind.as_str())
    .bind(child.map(|c| c.0))
    .bind(org.map(|o| o.0))
    .bind(version)
    .bind(now_ms())
    .execute(conn)
    .await
    .map(|_| ())
}

/// A person's consents, the latest first: (kind, child, version, at).
pub async fn of_user(conn: &mut AnyConnection, user: UserId) -> sqlx::Result<Vec<(String, Option<i64>, String, i64)>> {
    sqlx::query_as("SELECT kind, child_user_id, version, at FROM consents WHERE user_id = $1 ORDER BY at DESC, id DESC")
        .bind(user.0)
        .fetch_all(conn)
        .await
}
