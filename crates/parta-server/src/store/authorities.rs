//! Education authorities, the schools attached to them and their curators.

use parta_domain::{AuthorityId, OrgId, UserId};
use parta_protocol::PersonRef;
use sqlx::AnyConnection;

use crate::clock::now_ms;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuthorityRow {
    pub id: i64,
    pub name: String,
    pub region: String,
}

pub async fn insert(conn: &mut AnyConnection, name: &str, region: &str, by: UserId) -> sqlx::Result<AuthorityId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO authorities (name, region, created_by, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(name)
    .bind(region)
    .bind(by.0)
    .bind(now_ms())
    .fetch_one(conn)
    .await?;
    Ok(AuthorityId(id))
}

pub async fn list(conn: &mut AnyConnection) -> sqlx::Result<Vec<AuthorityRow>> {
    sqlx::query_as("SELECT id, name, region FROM authorities ORDER BY name, id").fetch_all(conn).await
}

pub async fn get(conn: &mut AnyConnection, id: AuthorityId) -> sqlx::Result<Option<AuthorityRow>> {
    sqlx::query_as("SELECT id, name, region FROM authorities WHERE id = $1").bind(id.0).fetch_optional(conn).await
}

/// The authority of this name, case and surrounding spaces aside (compared here, not
/// in SQL: SQLite's `lower` knows no Cyrillic).
pub async fn by_name(conn: &mut AnyConnection, name: &str) -> sqlx::Result<Option<AuthorityId>> {
    let wanted = name.trim().to_lowercase();
    Ok(list(conn).await?.into_iter().find(|a| a.name.to_lowercase() == wanted).map(|a| AuthorityId(a.id)))
}

pub async fn exists(conn: &mut AnyConnection, id: AuthorityId) -> sqlx::Result<bool> {
    Ok(get(conn, id).await?.is_some())
}

/// The authorities a person curates now.
pub async fn curated_by(conn: &mut AnyConnection, user: UserId) -> sqlx::Result<Vec<AuthorityRow>> {
    sqlx::query_as(
        "SELECT a.id, a.name, a.region FROM authorities a JOIN authority_curators c ON c.authority_id = a.id
         WHERE c.user_id = $1 AND c.removed_at IS NULL ORDER BY a.name, a.id",
    )
    .bind(user.0)
    .fetch_all(conn)
    .await
}

pub async fn curates(conn: &mut AnyConnection, user: UserId, id: AuthorityId) -> sqlx::Result<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM authority_curators WHERE user_id = $1 AND authority_id = $2 AND removed_at IS NULL",
    )
    .bind(user.0)
    .bind(id.0)
    .fetch_one(conn)
    .await?;
    Ok(n > 0)
}

/// Whether `user` curates the authority `org` is attached to.
pub async fn curates_school(conn: &mut AnyConnection, user: UserId, org: OrgId) -> sqlx::Result<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM authority_curators c JOIN organizations o ON o.authority_id = c.authority_id
         WHERE o.id = $1 AND c.user_id = $2 AND c.removed_at IS NULL",
    )
    .bind(org.0)
    .bind(user.0)
    .fetch_one(conn)
    .await?;
    Ok(n > 0)
}

/// The schools attached to an authority: (id, short name), by name.
pub async fn schools(conn: &mut AnyConnection, id: AuthorityId) -> sqlx::Result<Vec<(i64, String)>> {
    sqlx::query_as("SELECT id, short_name FROM organizations WHERE authority_id = $1 ORDER BY short_name, id")
        .bind(id.0)
        .fetch_all(conn)
        .await
}

/// Attaches a school to an authority, or detaches it (`None`).
pub async fn attach(conn: &mut AnyConnection, org: OrgId, id: Option<AuthorityId>) -> sqlx::Result<bool> {
    let done = sqlx::query("UPDATE organizations SET authority_id = $1 WHERE id = $2")
        .bind(id.map(|a| a.0))
        .bind(org.0)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn curators(conn: &mut AnyConnection, id: AuthorityId) -> sqlx::Result<Vec<PersonRef>> {
    let rows: Vec<(i64, String, String, Option<String>)> = sqlx::query_as(
        "SELECT u.id, u.family_name, u.given_name, u.patronymic FROM authority_curators c
         JOIN users u ON u.id = c.user_id WHERE c.authority_id = $1 AND c.removed_at IS NULL
         ORDER BY u.family_name, u.given_name, u.id",
    )
    .bind(id.0)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|(id, f, g, p)| PersonRef::new(UserId(id), &f, &g, p.as_deref())).collect())
}

pub async fn insert_curator(
    conn: &mut AnyConnection,
    id: AuthorityId,
    user: UserId,
    invited_by: Option<i64>,
) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO authority_curators (authority_id, user_id, invited_by, joined_at) VALUES ($1, $2, $3, $4)")
        .bind(id.0)
        .bind(user.0)
        .bind(invited_by)
        .bind(now_ms())
        .execute(conn)
        .await
        .map(|_| ())
}

pub async fn remove_curator(conn: &mut AnyConnection, id: AuthorityId, user: UserId) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE authority_curators SET removed_at = $1 WHERE authority_id = $2 AND user_id = $3 AND removed_at IS NULL",
    )
    .bind(now_ms())
    .bind(id.0)
    .bind(user.0)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() > 0)
}
