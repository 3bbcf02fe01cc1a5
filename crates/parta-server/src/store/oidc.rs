//! Sign-ins begun at OpenID providers (one use each) and the identities linked to accounts.

use parta_domain::UserId;
use sqlx::AnyConnection;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StateRow {
    pub provider: String,
    pub nonce: String,
    pub code_verifier: String,
    pub browser_hash: String,
    pub purpose: String,
    pub user_id: Option<i64>,
    pub invite_token: Option<String>,
    pub consent_version: Option<String>,
    pub expires_at: i64,
}

pub struct NewState<'a> {
    pub state_hash: &'a str,
    pub row: &'a StateRow,
}

pub async fn insert_state(conn: &mut AnyConnection, new: NewState<'_>, now: i64) -> sqlx::Result<()> {
    let r = new.row;
    sqlx::query(
        "INSERT INTO oidc_states (state_hash, provider, nonce, code_verifier, browser_hash, purpose, user_id,
            invite_token, consent_version, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(new.state_hash)
    .bind(&r.provider)
    .bind(&r.nonce)
    .bind(&r.code_verifier)
    .bind(&r.browser_hash)
    .bind(&r.purpose)
    .bind(r.user_id)
    .bind(r.invite_token.as_deref())
    .bind(r.consent_version.as_deref())
    .bind(now)
    .bind(r.expires_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Takes a begun sign-in by its state's digest: read and deleted in one go, so a
/// state is used once however many callbacks bring it.
pub async fn take_state(conn: &mut AnyConnection, state_hash: &str) -> sqlx::Result<Option<StateRow>> {
    sqlx::query_as(
        "DELETE FROM oidc_states WHERE state_hash = $1
         RETURNING provider, nonce, code_verifier, browser_hash, purpose, user_id, invite_token,
            consent_version, expires_at",
    )
    .bind(state_hash)
    .fetch_optional(conn)
    .await
}

pub async fn prune_states(conn: &mut AnyConnection, now: i64) -> sqlx::Result<u64> {
    Ok(sqlx::query("DELETE FROM oidc_states WHERE expires_at < $1").bind(now).execute(conn).await?.rows_affected())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LinkRow {
    pub id: i64,
    pub provider: String,
    pub subject: String,
    pub user_id: i64,
    pub label: Option<String>,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

const LINK_COLUMNS: &str = "id, provider, subject, user_id, label, created_at, last_used_at";

pub async fn find_link(conn: &mut AnyConnection, provider: &str, subject: &str) -> sqlx::Result<Option<LinkRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {LINK_COLUMNS} FROM oidc_links WHERE provider = $1 AND subject = $2"
    )))
    .bind(provider)
    .bind(subject)
    .fetch_optional(conn)
    .await
}

pub async fn links_of(conn: &mut AnyConnection, user: UserId) -> sqlx::Result<Vec<LinkRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {LINK_COLUMNS} FROM oidc_links WHERE user_id = $1 ORDER BY provider"
    )))
    .bind(user.0)
    .fetch_all(conn)
    .await
}

/// Links an identity; a unique violation means it (or this provider for this
/// account) is linked already.
pub async fn insert_link(
    conn: &mut AnyConnection,
    provider: &str,
    subject: &str,
    user: UserId,
    label: Option<&str>,
    now: i64,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO oidc_links (provider, subject, user_id, label, created_at, last_used_at)
         VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
    )
    .bind(provider)
    .bind(subject)
    .bind(user.0)
    .bind(label)
    .bind(now)
    .fetch_one(conn)
    .await
}

pub async fn touch_link(conn: &mut AnyConnection, id: i64, label: Option<&str>, now: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE oidc_links SET last_used_at = $2, label = COALESCE($3, label) WHERE id = $1")
        .bind(id)
        .bind(now)
        .bind(label)
        .execute(conn)
        .await?;
    Ok(())
}

/// Removes the account's link to `provider`; the removed link, if there was one.
pub async fn delete_link(conn: &mut AnyConnection, user: UserId, provider: &str) -> sqlx::Result<Option<LinkRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "DELETE FROM oidc_links WHERE user_id = $1 AND provider = $2 RETURNING {LINK_COLUMNS}"
    )))
    .bind(user.0)
    .bind(provider)
    .fetch_optional(conn)
    .await
}

/// Every link of a deleted account goes with its personal data.
pub async fn delete_links_of(conn: &mut AnyConnection, user: UserId) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM oidc_links WHERE user_id = $1").bind(user.0).execute(&mut *conn).await?;
    sqlx::query("DELETE FROM oidc_states WHERE user_id = $1").bind(user.0).execute(conn).await?;
    Ok(())
}
