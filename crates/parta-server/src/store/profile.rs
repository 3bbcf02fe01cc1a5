//! A person's own profile: their name, language and photo on the account, the schools
//! whose members they share, and the e-mail or phone changes waiting for their code.

use parta_domain::UserId;
use parta_domain::profile::ContactKind;
use parta_domain::validate::PersonName;
use sqlx::AnyConnection;

/// The schools a person is in now: a current place, or an admin's seat.
const SCHOOLS_OF: &str = "SELECT org_id FROM memberships WHERE user_id = $1 AND ended_at IS NULL
     UNION SELECT org_id FROM org_admins WHERE user_id = $1 AND removed_at IS NULL";

/// The one way a name changes, the person's own or an admin's correction.
pub async fn set_name(conn: &mut AnyConnection, user: UserId, name: &PersonName) -> sqlx::Result<()> {
    sqlx::query("UPDATE users SET family_name = $1, given_name = $2, patronymic = $3 WHERE id = $4")
        .bind(&name.family)
        .bind(&name.given)
        .bind(name.patronymic.as_deref())
        .bind(user.0)
        .execute(conn)
        .await
        .map(|_| ())
}

pub async fn set_language(conn: &mut AnyConnection, user: UserId, language: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE users SET language = $1 WHERE id = $2")
        .bind(language)
        .bind(user.0)
        .execute(conn)
        .await
        .map(|_| ())
}

/// Sets or clears the photo's key; returns the key it replaces.
pub async fn set_photo(conn: &mut AnyConnection, user: UserId, key: Option<&str>) -> sqlx::Result<Option<String>> {
    let old: Option<Option<String>> =
        sqlx::query_scalar("SELECT photo_key FROM users WHERE id = $1").bind(user.0).fetch_optional(&mut *conn).await?;
    sqlx::query("UPDATE users SET photo_key = $1 WHERE id = $2").bind(key).bind(user.0).execute(conn).await?;
    Ok(old.flatten())
}

pub async fn set_email(conn: &mut AnyConnection, user: UserId, email: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE users SET email = $1 WHERE id = $2").bind(email).bind(user.0).execute(conn).await.map(|_| ())
}

pub async fn set_phone(conn: &mut AnyConnection, user: UserId, phone: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE users SET phone = $1 WHERE id = $2").bind(phone).bind(user.0).execute(conn).await.map(|_| ())
}

/// Whether any school the person is in keeps names to its register.
pub async fn names_locked(conn: &mut AnyConnection, user: UserId) -> sqlx::Result<bool> {
    let locked: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM organizations WHERE names_locked = 1 AND id IN ({SCHOOLS_OF})"
    )))
    .bind(user.0)
    .fetch_one(conn)
    .await?;
    Ok(locked > 0)
}

/// Whether the two people are in one school now (a current place or an admin's seat each).
pub async fn share_a_school(conn: &mut AnyConnection, a: UserId, b: UserId) -> sqlx::Result<bool> {
    let shared: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM ({}) a WHERE a.org_id IN ({})",
        SCHOOLS_OF,
        SCHOOLS_OF.replace("$1", "$2")
    )))
    .bind(a.0)
    .bind(b.0)
    .fetch_one(conn)
    .await?;
    Ok(shared > 0)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PendingRow {
    pub id: i64,
    pub new_value: String,
    pub code_hash: String,
    pub attempts: i64,
    pub expires_at: i64,
}

/// Stores a pending change, replacing the person's earlier one of the kind.
pub async fn put_pending(
    conn: &mut AnyConnection,
    user: UserId,
    kind: ContactKind,
    new_value: &str,
    code_hash: &str,
    now: i64,
    expires_at: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO contact_changes (user_id, kind, new_value, code_hash, attempts, created_at, expires_at)
         VALUES ($1, $2, $3, $4, 0, $5, $6)
         ON CONFLICT (user_id, kind) DO UPDATE SET new_value = excluded.new_value, code_hash = excluded.code_hash,
             attempts = 0, created_at = excluded.created_at, expires_at = excluded.expires_at",
    )
    .bind(user.0)
    .bind(kind.as_str())
    .bind(new_value)
    .bind(code_hash)
    .bind(now)
    .bind(expires_at)
    .execute(conn)
    .await
    .map(|_| ())
}

pub async fn pending(conn: &mut AnyConnection, user: UserId, kind: ContactKind) -> sqlx::Result<Option<PendingRow>> {
    sqlx::query_as(
        "SELECT id, new_value, code_hash, attempts, expires_at FROM contact_changes WHERE user_id = $1 AND kind = $2",
    )
    .bind(user.0)
    .bind(kind.as_str())
    .fetch_optional(conn)
    .await
}

/// Counts a wrong code; returns the attempts now counted.
pub async fn count_attempt(conn: &mut AnyConnection, id: i64) -> sqlx::Result<i64> {
    sqlx::query_scalar("UPDATE contact_changes SET attempts = attempts + 1 WHERE id = $1 RETURNING attempts")
        .bind(id)
        .fetch_one(conn)
        .await
}

pub async fn drop_pending(conn: &mut AnyConnection, id: i64) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM contact_changes WHERE id = $1").bind(id).execute(conn).await.map(|_| ())
}
