//! What Parta holds about one person beyond their profile, for their own copy of it:
//! every place they have had in a school (ended ones too) and the files they uploaded.

use parta_domain::UserId;
use sqlx::AnyConnection;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MembershipRow {
    pub school: String,
    pub role: String,
    pub class_name: String,
    pub child_family_name: Option<String>,
    pub child_given_name: Option<String>,
    pub started_on: String,
    pub ended_on: Option<String>,
}

pub async fn memberships(conn: &mut AnyConnection, user: UserId) -> sqlx::Result<Vec<MembershipRow>> {
    sqlx::query_as(
        "SELECT o.short_name AS school, m.role, c.name AS class_name, u.family_name AS child_family_name,
                u.given_name AS child_given_name, m.started_on, m.ended_on
         FROM memberships m
         JOIN organizations o ON o.id = m.org_id
         JOIN classes c ON c.id = m.class_id
         LEFT JOIN users u ON u.id = m.child_user_id
         WHERE m.user_id = $1 ORDER BY m.started_at, m.id",
    )
    .bind(user.0)
    .fetch_all(conn)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UploadRow {
    pub id: i64,
    pub storage_key: String,
    pub original_name: String,
    pub content_type: String,
    pub size: i64,
    pub created_at: i64,
}

pub async fn uploads(conn: &mut AnyConnection, user: UserId) -> sqlx::Result<Vec<UploadRow>> {
    sqlx::query_as(
        "SELECT id, storage_key, original_name, content_type, size, created_at FROM files WHERE uploaded_by = $1 ORDER BY id",
    )
    .bind(user.0)
    .fetch_all(conn)
    .await
}
