//! Confirmations of must-acknowledge posts («Ознакомлен»).

use parta_domain::{MessageId, OrgId, UserId};
use sqlx::AnyConnection;

use crate::clock::now_ms;

/// Records a confirmation; false if it was already there.
pub async fn insert_ack(conn: &mut AnyConnection, org: OrgId, message: MessageId, user: UserId) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "INSERT INTO message_acks (message_id, user_id, org_id, at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
    )
    .bind(message.0)
    .bind(user.0)
    .bind(org.0)
    .bind(now_ms())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn acks(conn: &mut AnyConnection, message: MessageId) -> sqlx::Result<Vec<(i64, i64)>> {
    sqlx::query_as("SELECT user_id, at FROM message_acks WHERE message_id = $1 ORDER BY at")
        .bind(message.0)
        .fetch_all(conn)
        .await
}
