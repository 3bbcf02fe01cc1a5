//! Browsers people have logged in from, by the digest of their device cookie.

use parta_domain::UserId;
use sqlx::AnyConnection;

/// Whether `user` has logged in with this device since `used_after`.
pub async fn is_known(conn: &mut AnyConnection, token_hash: &str, user: UserId, used_after: i64) -> sqlx::Result<bool> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM known_devices WHERE token_hash = $1 AND user_id = $2 AND last_used_at > $3")
            .bind(token_hash)
            .bind(user.0)
            .bind(used_after)
            .fetch_optional(conn)
            .await?;
    Ok(found.is_some())
}

/// Devices `user` logged in from since `used_after`.
pub async fn count(conn: &mut AnyConnection, user: UserId, used_after: i64) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM known_devices WHERE user_id = $1 AND last_used_at > $2")
        .bind(user.0)
        .bind(used_after)
        .fetch_one(conn)
        .await
}

/// Records (or refreshes) a login of `user` from this device.
pub async fn remember(conn: &mut AnyConnection, token_hash: &str, user: UserId, now: i64) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO known_devices (token_hash, user_id, created_at, last_used_at) VALUES ($1, $2, $3, $3)
         ON CONFLICT (token_hash, user_id) DO UPDATE SET last_used_at = $3",
    )
    .bind(token_hash)
    .bind(user.0)
    .bind(now)
    .execute(conn)
    .await
    .map(|_| ())
}

/// Forgets every device of a person (their account is deleted).
pub async fn forget_all(conn: &mut AnyConnection, user: UserId) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM known_devices WHERE user_id = $1").bind(user.0).execute(conn).await.map(|_| ())
}
