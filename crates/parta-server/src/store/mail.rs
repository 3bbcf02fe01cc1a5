//! The outbox of letters: queued in the work that wrote them, taken by one sender at
//! a time (a claim is a conditional update), sent, retried later, or given up on.

use sqlx::AnyConnection;

/// A letter to queue.
#[derive(Debug, Clone)]
pub struct Letter {
    pub kind: &'static str,
    pub user: Option<i64>,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// Where one click stops letters of this kind (RFC 8058), for the mail program.
    pub list_unsubscribe: Option<String>,
}

pub async fn enqueue(conn: &mut AnyConnection, letter: &Letter, now: i64) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO mail_outbox (kind, user_id, to_address, subject, text_body, html_body, created_at, next_attempt_at,
                                  list_unsubscribe)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8) RETURNING id",
    )
    .bind(letter.kind)
    .bind(letter.user)
    .bind(&letter.to)
    .bind(&letter.subject)
    .bind(&letter.text)
    .bind(&letter.html)
    .bind(now)
    .bind(&letter.list_unsubscribe)
    .fetch_one(conn)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct QueuedRow {
    pub id: i64,
    pub to_address: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub list_unsubscribe: Option<String>,
}

/// Letters due to be tried, oldest first.
pub async fn due(conn: &mut AnyConnection, now: i64, limit: i64) -> sqlx::Result<Vec<QueuedRow>> {
    sqlx::query_as(
        "SELECT id, to_address, subject, text_body, html_body, attempts, next_attempt_at, list_unsubscribe FROM mail_outbox
         WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $1
         ORDER BY next_attempt_at, id LIMIT $2",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(conn)
    .await
}

/// Takes a letter for this sender until `until`; false when another took it first.
pub async fn claim(conn: &mut AnyConnection, row: &QueuedRow, until: i64) -> sqlx::Result<bool> {
    super::outbox::claim(conn, super::outbox::Queue::Mail, row.id, row.next_attempt_at, until).await
}

/// Sent: its text is cleared.
pub async fn sent(conn: &mut AnyConnection, id: i64, now: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE mail_outbox SET sent_at = $2, text_body = '', html_body = '', last_error = NULL WHERE id = $1")
        .bind(id)
        .bind(now)
        .execute(conn)
        .await
        .map(|_| ())
}

/// Not sent this time: tried again at `next`.
pub async fn retry(conn: &mut AnyConnection, id: i64, next: i64, error: &str) -> sqlx::Result<()> {
    super::outbox::retry(conn, super::outbox::Queue::Mail, id, next, error).await
}

/// Refused for good by the mail server (no such mailbox): not tried again; its text is cleared.
pub async fn failed(conn: &mut AnyConnection, id: i64, now: i64, error: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE mail_outbox SET failed_at = $2, last_error = $3, text_body = '', html_body = '' WHERE id = $1")
        .bind(id)
        .bind(now)
        .bind(error)
        .execute(conn)
        .await
        .map(|_| ())
}
