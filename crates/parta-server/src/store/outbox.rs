//! What the queues of work for services outside share — letters, pushes, webhook
//! deliveries: a sender takes a row for a while by moving its next try past the lease
//! (another sender, or this one after a crash, leaves it alone until then), and a try
//! that failed sets the next one.

use sqlx::AnyConnection;

#[derive(Debug, Clone, Copy)]
pub enum Queue {
    Mail,
    Push,
    Webhook,
}

impl Queue {
    /// The table, and what a row still to be sent is.
    fn parts(self) -> (&'static str, &'static str) {
        match self {
            Queue::Mail => ("mail_outbox", "sent_at IS NULL AND failed_at IS NULL"),
            Queue::Push => ("push_deliveries", "1 = 1"),
            Queue::Webhook => ("webhook_deliveries", "delivered_at IS NULL AND failed_at IS NULL"),
        }
    }
}

/// Takes row `id` (last seen due at `seen_next`) until `until`, counting a try; false
/// when another sender took it first.
pub async fn claim(conn: &mut AnyConnection, queue: Queue, id: i64, seen_next: i64, until: i64) -> sqlx::Result<bool> {
    let (table, waiting) = queue.parts();
    let done = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE {table} SET next_attempt_at = $3, attempts = attempts + 1
         WHERE id = $1 AND next_attempt_at = $2 AND {waiting}"
    )))
    .bind(id)
    .bind(seen_next)
    .bind(until)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Not sent this time: tried again at `next`.
pub async fn retry(conn: &mut AnyConnection, queue: Queue, id: i64, next: i64, error: &str) -> sqlx::Result<()> {
    let (table, _) = queue.parts();
    sqlx::query(sqlx::AssertSqlSafe(format!("UPDATE {table} SET next_attempt_at = $2, last_error = $3 WHERE id = $1")))
        .bind(id)
        .bind(next)
        .bind(error)
        .execute(conn)
        .await
        .map(|_| ())
}
