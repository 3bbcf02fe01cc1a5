//! Calendar feeds: whose link is which.

use parta_domain::UserId;
use sqlx::AnyConnection;

use crate::clock::now_ms;

/// Gives a person a new feed link, replacing any earlier one.
pub async fn replace_feed(conn: &mut AnyConnection, user: UserId, token_hash: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM calendar_feeds WHERE user_id = $1").bind(user.0).execute(&mut *conn).await?;
    sqlx::query("INSERT INTO calendar_feeds (user_id, token_hash, created_at) VALUES ($1, $2, $3)")
        .bind(user.0)
        .bind(token_hash)
        .bind(now_ms())
        .execute(conn)
        .await
        .map(|_| ())
}

pub async fn remove_feed(conn: &mut AnyConnection, user: UserId) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM calendar_feeds WHERE user_id = $1").bind(user.0).execute(conn).await.map(|_| ())
}

/// Whose feed a link is.
pub async fn feed_owner(conn: &mut AnyConnection, token_hash: &str) -> sqlx::Result<Option<UserId>> {
    let id: Option<i64> = sqlx::query_scalar("SELECT user_id FROM calendar_feeds WHERE token_hash = $1")
        .bind(token_hash)
        .fetch_optional(conn)
        .await?;
    Ok(id.map(UserId))
}
