//! Web push: the deployment's key, people's subscribed devices, the events waiting to
//! be turned into pushes, and the pushes waiting for their push service.

use sqlx::AnyConnection;

/// Keeps `pkcs8` as the deployment's key unless one is kept already.
pub async fn keep_key(conn: &mut AnyConnection, pkcs8: &str, now: i64) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO push_keys (name, pkcs8, created_at) VALUES ('vapid', $1, $2) ON CONFLICT (name) DO NOTHING",
    )
    .bind(pkcs8)
    .bind(now)
    .execute(conn)
    .await
    .map(|_| ())
}

pub async fn key(conn: &mut AnyConnection) -> sqlx::Result<String> {
    sqlx::query_scalar("SELECT pkcs8 FROM push_keys WHERE name = 'vapid'").fetch_one(conn).await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SubscriptionRow {
    pub id: i64,
    pub user_id: i64,
    pub session_id: i64,
    pub endpoint: String,
    pub kinds_off: String,
    pub user_agent: Option<String>,
    pub created_at: i64,
    pub last_sent_at: Option<i64>,
}

const SUBSCRIPTION: &str = "id, user_id, session_id, endpoint, kinds_off, user_agent, created_at, last_sent_at";

/// A new subscription for a session; the same endpoint subscribed before (by anyone:
/// the browser changed hands) is replaced.
pub struct NewSubscription<'a> {
    pub user: i64,
    pub session: i64,
    pub endpoint: &'a str,
    pub p256dh: &'a str,
    pub auth: &'a str,
    pub kinds_off: &'a str,
    pub user_agent: Option<&'a str>,
}

pub async fn subscribe(conn: &mut AnyConnection, new: &NewSubscription<'_>, now: i64) -> sqlx::Result<i64> {
    sqlx::query("DELETE FROM push_subscriptions WHERE endpoint = $1").bind(new.endpoint).execute(&mut *conn).await?;
    sqlx::query_scalar(
        "INSERT INTO push_subscriptions (user_id, session_id, endpoint, p256dh, auth, kinds_off, user_agent, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(new.user)
    .bind(new.session)
    .bind(new.endpoint)
    .bind(new.p256dh)
    .bind(new.auth)
    .bind(new.kinds_off)
    .bind(new.user_agent)
    .bind(now)
    .fetch_one(conn)
    .await
}

/// A person's subscriptions beyond the newest `keep` are dropped (old browsers).
pub async fn trim(conn: &mut AnyConnection, user: i64, keep: i64) -> sqlx::Result<()> {
    sqlx::query(
        "DELETE FROM push_subscriptions WHERE user_id = $1 AND id NOT IN
         (SELECT id FROM push_subscriptions WHERE user_id = $1 ORDER BY id DESC LIMIT $2)",
    )
    .bind(user)
    .bind(keep)
    .execute(conn)
    .await
    .map(|_| ())
}

pub async fn of_user(conn: &mut AnyConnection, user: i64) -> sqlx::Result<Vec<SubscriptionRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {SUBSCRIPTION} FROM push_subscriptions WHERE user_id = $1 ORDER BY id DESC"
    )))
    .bind(user)
    .fetch_all(conn)
    .await
}

pub async fn one(conn: &mut AnyConnection, id: i64, user: i64) -> sqlx::Result<Option<SubscriptionRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {SUBSCRIPTION} FROM push_subscriptions WHERE id = $1 AND user_id = $2"
    )))
    .bind(id)
    .bind(user)
    .fetch_optional(conn)
    .await
}

pub async fn set_kinds_off(conn: &mut AnyConnection, id: i64, kinds_off: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE push_subscriptions SET kinds_off = $1 WHERE id = $2")
        .bind(kinds_off)
        .bind(id)
        .execute(conn)
        .await
        .map(|_| ())
}

/// Removes a subscription (and what waits for it).
pub async fn remove(conn: &mut AnyConnection, id: i64) -> sqlx::Result<bool> {
    sqlx::query("DELETE FROM push_deliveries WHERE subscription_id = $1").bind(id).execute(&mut *conn).await?;
    let done = sqlx::query("DELETE FROM push_subscriptions WHERE id = $1").bind(id).execute(conn).await?;
    Ok(done.rows_affected() == 1)
}

/// Queues delivered messages for their chats' devices, as one statement of a send's script.
pub fn queue_messages(script: &mut super::Script, messages: &[i64], now: i64) {
    if messages.is_empty() {
        return;
    }
    if !script.is_sqlite() {
        script.add(
            |p| {
                format!(
                    "INSERT INTO push_events (kind, message_id, created_at)
                     SELECT 'message', value::BIGINT, {} FROM json_array_elements_text({}::json)",
                    p.one(),
                    p.one()
                )
            },
            |b| {
                b.bind(now).bind_rows(messages);
            },
        );
        return;
    }
    script.add(
        |p| format!("INSERT INTO push_events (kind, message_id, created_at) VALUES {}", p.rows(messages.len(), 3)),
        |b| {
            for message in messages {
                b.bind("message").bind(*message).bind(now);
            }
        },
    );
}

/// Queues an event: a delivered message (`message`) or a notification (its kind).
pub async fn queue_event(
    conn: &mut AnyConnection,
    kind: &str,
    message: Option<i64>,
    notification: Option<i64>,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO push_events (kind, message_id, notification_id, created_at) VALUES ($1, $2, $3, $4)")
        .bind(kind)
        .bind(message)
        .bind(notification)
        .bind(now)
        .execute(conn)
        .await
        .map(|_| ())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EventRow {
    pub id: i64,
    pub kind: String,
    pub message_id: Option<i64>,
    /// A message's chat (none once the message is gone).
    pub chat_id: Option<i64>,
    pub notification_id: Option<i64>,
    pub created_at: i64,
}

pub async fn waiting_events(conn: &mut AnyConnection, limit: i64) -> sqlx::Result<Vec<EventRow>> {
    sqlx::query_as(
        "SELECT e.id, e.kind, e.message_id, m.chat_id, e.notification_id, e.created_at
         FROM push_events e LEFT JOIN messages m ON m.id = e.message_id
         ORDER BY e.id LIMIT $1",
    )
    .bind(limit)
    .fetch_all(conn)
    .await
}

/// Takes events for this sender; returns those nobody took first.
pub async fn take_events(conn: &mut AnyConnection, ids: &[i64]) -> sqlx::Result<Vec<i64>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = super::Placeholders::for_connection(conn).list(ids.len());
    let sql = format!("DELETE FROM push_events WHERE id IN ({list}) RETURNING id");
    let mut query = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql)).persistent(false);
    for id in ids {
        query = query.bind(*id);
    }
    query.fetch_all(conn).await
}

/// Of `chats`, those where someone has a device to push to.
pub async fn chats_with_devices(conn: &mut AnyConnection, chats: &[i64]) -> sqlx::Result<Vec<i64>> {
    if chats.is_empty() {
        return Ok(Vec::new());
    }
    let list = super::Placeholders::for_connection(conn).list(chats.len());
    let sql = format!(
        "SELECT DISTINCT m.chat_id FROM chat_members m JOIN push_subscriptions p ON p.user_id = m.user_id
         WHERE m.chat_id IN ({list}) AND m.left_at IS NULL"
    );
    let mut query = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql)).persistent(false);
    for chat in chats {
        query = query.bind(*chat);
    }
    query.fetch_all(conn).await
}

/// A device someone may be pushed to, with their seat's own quiet where the push is
/// about a chat.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TargetRow {
    pub subscription_id: i64,
    pub user_id: i64,
    pub kinds_off: String,
    pub silenced_until: Option<i64>,
    pub mentions_only: i64,
    /// The person's language (`ru`, `en`).
    pub language: String,
}

/// The devices of a chat's members but `sender`, whose sessions are alive.
pub async fn chat_targets(conn: &mut AnyConnection, chat: i64, sender: i64, now: i64) -> sqlx::Result<Vec<TargetRow>> {
    sqlx::query_as(
        "SELECT p.id AS subscription_id, p.user_id, p.kinds_off, m.silenced_until, m.mentions_only, u.language
         FROM chat_members m
         JOIN push_subscriptions p ON p.user_id = m.user_id
         JOIN users u ON u.id = p.user_id
         JOIN sessions s ON s.id = p.session_id AND s.expires_at > $3
         WHERE m.chat_id = $1 AND m.user_id <> $2 AND m.left_at IS NULL",
    )
    .bind(chat)
    .bind(sender)
    .bind(now)
    .fetch_all(conn)
    .await
}

/// One person's devices whose sessions are alive, with their seat in `chat` if any.
pub async fn person_targets(
    conn: &mut AnyConnection,
    user: i64,
    chat: Option<i64>,
    now: i64,
) -> sqlx::Result<Vec<TargetRow>> {
    sqlx::query_as(
        "SELECT p.id AS subscription_id, p.user_id, p.kinds_off, m.silenced_until, COALESCE(m.mentions_only, 0) AS mentions_only,
                u.language
         FROM push_subscriptions p
         JOIN users u ON u.id = p.user_id
         JOIN sessions s ON s.id = p.session_id AND s.expires_at > $3
         LEFT JOIN chat_members m ON m.chat_id = $2 AND m.user_id = p.user_id AND m.left_at IS NULL
         WHERE p.user_id = $1",
    )
    .bind(user)
    .bind(chat)
    .bind(now)
    .fetch_all(conn)
    .await
}

/// Whether students sit in a chat (its text stays off lock screens unless the school allows).
pub async fn chat_has_students(conn: &mut AnyConnection, chat: i64) -> sqlx::Result<bool> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM chat_members cm
         JOIN chats c ON c.id = cm.chat_id
         JOIN memberships ms ON ms.user_id = cm.user_id AND ms.org_id = c.org_id AND ms.role = 'student' AND ms.ended_at IS NULL
         WHERE cm.chat_id = $1 AND cm.left_at IS NULL LIMIT 1",
    )
    .bind(chat)
    .fetch_optional(conn)
    .await?;
    Ok(found.is_some())
}

/// A push to queue for a device.
pub struct NewDelivery<'a> {
    pub subscription: i64,
    pub payload: &'a str,
    pub topic: Option<&'a str>,
    pub urgency: &'static str,
    pub due: i64,
}

/// Queues a push; one with the same topic still waiting for the device is replaced
/// (a busy chat leaves one push, the latest, not a pile).
pub async fn deliver(conn: &mut AnyConnection, new: &NewDelivery<'_>, now: i64) -> sqlx::Result<()> {
    if let Some(topic) = new.topic {
        // One being sent right now is let go too: its sender's update then finds nothing.
        sqlx::query("DELETE FROM push_deliveries WHERE subscription_id = $1 AND topic = $2")
            .bind(new.subscription)
            .bind(topic)
            .execute(&mut *conn)
            .await?;
    }
    sqlx::query(
        "INSERT INTO push_deliveries (subscription_id, payload, topic, urgency, created_at, next_attempt_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(new.subscription)
    .bind(new.payload)
    .bind(new.topic)
    .bind(new.urgency)
    .bind(now)
    .bind(new.due)
    .execute(conn)
    .await
    .map(|_| ())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DueRow {
    pub id: i64,
    pub subscription_id: i64,
    pub endpoint: String,
    pub p256dh: String,
    pub auth: String,
    pub payload: String,
    pub topic: Option<String>,
    pub urgency: String,
    pub created_at: i64,
    pub attempts: i64,
    pub next_attempt_at: i64,
}

pub async fn due(conn: &mut AnyConnection, now: i64, limit: i64) -> sqlx::Result<Vec<DueRow>> {
    sqlx::query_as(
        "SELECT d.id, d.subscription_id, p.endpoint, p.p256dh, p.auth, d.payload, d.topic, d.urgency, d.created_at,
                d.attempts, d.next_attempt_at
         FROM push_deliveries d JOIN push_subscriptions p ON p.id = d.subscription_id
         WHERE d.next_attempt_at <= $1 ORDER BY d.next_attempt_at, d.id LIMIT $2",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(conn)
    .await
}

/// Takes a push for this sender until `until`; false when another sender took it first.
pub async fn claim(conn: &mut AnyConnection, row: &DueRow, until: i64) -> sqlx::Result<bool> {
    super::outbox::claim(conn, super::outbox::Queue::Push, row.id, row.next_attempt_at, until).await
}

/// The push service took it (or it was given up on): gone.
pub async fn done(conn: &mut AnyConnection, id: i64, subscription: i64, sent_at: Option<i64>) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM push_deliveries WHERE id = $1").bind(id).execute(&mut *conn).await?;
    if let Some(at) = sent_at {
        sqlx::query("UPDATE push_subscriptions SET last_sent_at = $1 WHERE id = $2")
            .bind(at)
            .bind(subscription)
            .execute(conn)
            .await?;
    }
    Ok(())
}

pub async fn retry(conn: &mut AnyConnection, id: i64, next: i64, error: &str) -> sqlx::Result<()> {
    super::outbox::retry(conn, super::outbox::Queue::Push, id, next, error).await
}
