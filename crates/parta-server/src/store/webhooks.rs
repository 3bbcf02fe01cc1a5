//! A school's webhooks and their deliveries.

use parta_domain::OrgId;
use sqlx::AnyConnection;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct WebhookRow {
    pub id: i64,
    pub org_id: i64,
    pub url: String,
    pub events: String,
    pub secret: String,
    pub active: i64,
    pub created_at: i64,
    pub last_success_at: Option<i64>,
    pub last_failure_at: Option<i64>,
    pub last_error: Option<String>,
}

impl WebhookRow {
    pub fn events(&self) -> Vec<String> {
        self.events.split(',').filter(|e| !e.is_empty()).map(str::to_owned).collect()
    }

    pub fn wants(&self, event: &str) -> bool {
        self.active == 1 && self.events.split(',').any(|e| e == event)
    }
}

const COLUMNS: &str = "id, org_id, url, events, secret, active, created_at, last_success_at,
    last_failure_at, last_error";

pub async fn of_school(conn: &mut AnyConnection, org: OrgId) -> sqlx::Result<Vec<WebhookRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM webhooks WHERE org_id = $1 AND deleted_at IS NULL ORDER BY id"
    )))
    .bind(org.0)
    .fetch_all(conn)
    .await
}

pub async fn get(conn: &mut AnyConnection, org: OrgId, id: i64) -> sqlx::Result<Option<WebhookRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM webhooks WHERE org_id = $1 AND id = $2 AND deleted_at IS NULL"
    )))
    .bind(org.0)
    .bind(id)
    .fetch_optional(conn)
    .await
}

pub struct NewWebhook<'a> {
    pub org: OrgId,
    pub url: &'a str,
    pub events: &'a str,
    pub secret: &'a str,
    pub created_by: i64,
}

pub async fn insert(conn: &mut AnyConnection, new: &NewWebhook<'_>, now: i64) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO webhooks (org_id, url, events, secret, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(new.org.0)
    .bind(new.url)
    .bind(new.events)
    .bind(new.secret)
    .bind(new.created_by)
    .bind(now)
    .fetch_one(conn)
    .await
}

pub async fn update(conn: &mut AnyConnection, id: i64, url: &str, events: &str, active: bool) -> sqlx::Result<()> {
    sqlx::query("UPDATE webhooks SET url = $1, events = $2, active = $3 WHERE id = $4")
        .bind(url)
        .bind(events)
        .bind(super::flag(active))
        .bind(id)
        .execute(conn)
        .await
        .map(|_| ())
}

/// Removed: nothing more is queued or sent; its deliveries stay in the record.
pub async fn delete(conn: &mut AnyConnection, id: i64, now: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE webhooks SET deleted_at = $2, active = 0 WHERE id = $1")
        .bind(id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "UPDATE webhook_deliveries SET failed_at = $2, last_error = 'removed'
         WHERE webhook_id = $1 AND delivered_at IS NULL AND failed_at IS NULL",
    )
    .bind(id)
    .bind(now)
    .execute(conn)
    .await
    .map(|_| ())
}

pub async fn queue(conn: &mut AnyConnection, webhook: i64, event: &str, body: &str, now: i64) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO webhook_deliveries (webhook_id, event, body, created_at, next_attempt_at) VALUES ($1, $2, $3, $4, $4)",
    )
    .bind(webhook)
    .bind(event)
    .bind(body)
    .bind(now)
    .execute(conn)
    .await
    .map(|_| ())
}

/// Queues deliveries (webhook, event, body) as one statement of a send's script.
pub fn queue_into(script: &mut super::Script, rows: &[(i64, &str, &str)], now: i64) {
    if rows.is_empty() {
        return;
    }
    script.add(
        |p| {
            format!(
                "INSERT INTO webhook_deliveries (webhook_id, event, body, created_at, next_attempt_at) VALUES {}",
                p.rows(rows.len(), 5)
            )
        },
        |b| {
            for (webhook, event, body) in rows {
                b.bind(*webhook).bind(*event).bind(*body).bind(now).bind(now);
            }
        },
    );
}

/// Deliveries waiting per webhook of a school.
pub async fn waiting_counts(conn: &mut AnyConnection, org: OrgId) -> sqlx::Result<Vec<(i64, i64)>> {
    sqlx::query_as(
        "SELECT d.webhook_id, COUNT(*) FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
         WHERE w.org_id = $1 AND d.delivered_at IS NULL AND d.failed_at IS NULL GROUP BY d.webhook_id",
    )
    .bind(org.0)
    .fetch_all(conn)
    .await
}

/// Whether a delivery of the webhook was given up since its last success.
pub async fn failed_since_success(conn: &mut AnyConnection, hook: &WebhookRow) -> sqlx::Result<bool> {
    let failed: Option<i64> = sqlx::query_scalar(
        "SELECT MAX(failed_at) FROM webhook_deliveries WHERE webhook_id = $1 AND failed_at IS NOT NULL
            AND last_error <> 'removed'",
    )
    .bind(hook.id)
    .fetch_one(conn)
    .await?;
    Ok(failed.is_some_and(|at| hook.last_success_at.is_none_or(|ok| at > ok)))
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DeliveryRow {
    pub id: i64,
    pub webhook_id: i64,
    pub event: String,
    pub body: String,
    pub created_at: i64,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub delivered_at: Option<i64>,
    pub failed_at: Option<i64>,
}

const DELIVERY_COLUMNS: &str = "id, webhook_id, event, body, created_at, attempts, next_attempt_at, last_status, last_error, delivered_at, failed_at";

/// A webhook's latest deliveries, newest first.
pub async fn deliveries(conn: &mut AnyConnection, webhook: i64, limit: i64) -> sqlx::Result<Vec<DeliveryRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE webhook_id = $1 ORDER BY id DESC LIMIT $2"
    )))
    .bind(webhook)
    .bind(limit)
    .fetch_all(conn)
    .await
}

/// Each active webhook's oldest waiting delivery, when it is due: one at a time per
/// webhook, so an endpoint gets its events in order.
pub async fn due(conn: &mut AnyConnection, now: i64, limit: i64) -> sqlx::Result<Vec<(DeliveryRow, String, String)>> {
    let rows: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT d.id, w.url, w.secret FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
         WHERE d.id IN (SELECT MIN(id) FROM webhook_deliveries WHERE delivered_at IS NULL AND failed_at IS NULL
                        GROUP BY webhook_id)
           AND d.next_attempt_at <= $1 AND w.active = 1
         ORDER BY d.next_attempt_at, d.id LIMIT $2",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    let mut due = Vec::with_capacity(rows.len());
    for (id, url, secret) in rows {
        let row: DeliveryRow = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE id = $1"
        )))
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
        due.push((row, url, secret));
    }
    Ok(due)
}

/// Deliveries done with (taken, or given up) before `before`: their bodies hold names and
/// marks, kept no longer than the log needs them.
pub async fn prune(conn: &mut AnyConnection, before: i64) -> sqlx::Result<u64> {
    let done = sqlx::query(
        "DELETE FROM webhook_deliveries WHERE (delivered_at IS NOT NULL AND delivered_at < $1)
            OR (failed_at IS NOT NULL AND failed_at < $1)",
    )
    .bind(before)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Taken by the endpoint.
pub async fn delivered(conn: &mut AnyConnection, row: &DeliveryRow, status: u16, now: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE webhook_deliveries SET delivered_at = $2, last_status = $3, last_error = NULL WHERE id = $1")
        .bind(row.id)
        .bind(now)
        .bind(i64::from(status))
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE webhooks SET last_success_at = $2 WHERE id = $1")
        .bind(row.webhook_id)
        .bind(now)
        .execute(conn)
        .await
        .map(|_| ())
}

/// Not taken this time: tried again at `next`, or given up (`next` none).
pub async fn not_delivered(
    conn: &mut AnyConnection,
    row: &DeliveryRow,
    status: Option<u16>,
    error: &str,
    next: Option<i64>,
    now: i64,
) -> sqlx::Result<()> {
    match next {
        Some(next) => super::outbox::retry(conn, super::outbox::Queue::Webhook, row.id, next, error).await?,
        None => {
            sqlx::query("UPDATE webhook_deliveries SET failed_at = $2, last_error = $3 WHERE id = $1")
                .bind(row.id)
                .bind(now)
                .bind(error)
                .execute(&mut *conn)
                .await?;
        }
    }
    sqlx::query("UPDATE webhook_deliveries SET last_status = $2 WHERE id = $1")
        .bind(row.id)
        .bind(status.map(i64::from))
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE webhooks SET last_failure_at = $2, last_error = $3 WHERE id = $1")
        .bind(row.webhook_id)
        .bind(now)
        .bind(error)
        .execute(conn)
        .await
        .map(|_| ())
}
