//! Notifications as stored: one row per person told, newest read first.

use parta_domain::notifications::NoticeKind;
use parta_domain::{ChatId, LessonId, MessageId, NotificationId, OrgId, UserId};
use sqlx::AnyConnection;

/// A notification to write.
#[derive(Debug, Clone)]
pub struct NewNotification {
    pub user: UserId,
    pub org: Option<OrgId>,
    pub kind: &'static str,
    pub chat: Option<ChatId>,
    pub message: Option<MessageId>,
    pub lesson: Option<LessonId>,
    pub student: Option<UserId>,
    pub subject: Option<i64>,
    pub actor: Option<UserId>,
    pub details: String,
    pub at: i64,
}

pub async fn insert(conn: &mut AnyConnection, n: &NewNotification) -> sqlx::Result<NotificationId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO notifications
           (user_id, org_id, kind, chat_id, message_id, lesson_id, student_id, subject_id, actor_id, details, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(n.user.0)
    .bind(n.org.map(|o| o.0))
    .bind(n.kind)
    .bind(n.chat.map(|c| c.0))
    .bind(n.message.map(|m| m.0))
    .bind(n.lesson.map(|l| l.0))
    .bind(n.student.map(|s| s.0))
    .bind(n.subject)
    .bind(n.actor.map(|a| a.0))
    .bind(&n.details)
    .bind(n.at)
    .fetch_one(conn)
    .await?;
    Ok(NotificationId(id))
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NotificationRow {
    pub id: i64,
    pub user_id: i64,
    pub org_id: Option<i64>,
    pub kind: String,
    pub chat_id: Option<i64>,
    pub message_id: Option<i64>,
    pub lesson_id: Option<i64>,
    pub student_id: Option<i64>,
    pub actor_id: Option<i64>,
    pub actor_family_name: Option<String>,
    pub actor_given_name: Option<String>,
    pub actor_patronymic: Option<String>,
    pub details: String,
    pub created_at: i64,
    pub read_at: Option<i64>,
}

const COLUMNS: &str =
    "n.id, n.user_id, n.org_id, n.kind, n.chat_id, n.message_id, n.lesson_id, n.student_id, n.actor_id,
    u.family_name AS actor_family_name, u.given_name AS actor_given_name, u.patronymic AS actor_patronymic,
    n.details, n.created_at, n.read_at";

/// A notification of something said in a chat (`NoticeKind::of_chat`) is shown while
/// its person is still in the chat.
fn still_there() -> String {
    let kinds: Vec<String> =
        NoticeKind::ALL.into_iter().filter(|k| k.of_chat()).map(|k| format!("'{}'", k.as_str())).collect();
    format!(
        "(n.kind NOT IN ({}) OR EXISTS (SELECT 1 FROM chat_members c
           WHERE c.chat_id = n.chat_id AND c.user_id = n.user_id AND c.left_at IS NULL))",
        kinds.join(", ")
    )
}

/// One notification, whoever's it is (for its push).
pub async fn one(conn: &mut AnyConnection, id: NotificationId) -> sqlx::Result<Option<NotificationRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM notifications n LEFT JOIN users u ON u.id = n.actor_id WHERE n.id = $1"
    )))
    .bind(id.0)
    .fetch_optional(conn)
    .await
}

/// Who was told of a message in the centre (mentioned, answered): their push comes from there.
pub async fn told_of_message(conn: &mut AnyConnection, message: i64) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar("SELECT user_id FROM notifications WHERE message_id = $1 AND kind IN ('mention', 'reply')")
        .bind(message)
        .fetch_all(conn)
        .await
}

/// A person's notifications older than `before` (all when none), newest first.
pub async fn page(
    conn: &mut AnyConnection,
    user: UserId,
    before: Option<NotificationId>,
    limit: i64,
) -> sqlx::Result<Vec<NotificationRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM notifications n LEFT JOIN users u ON u.id = n.actor_id
         WHERE n.user_id = $1 AND ($2 = 0 OR n.id < $2) AND {}
         ORDER BY n.id DESC LIMIT $3",
        still_there()
    )))
    .bind(user.0)
    .bind(before.map_or(0, |b| b.0))
    .bind(limit)
    .fetch_all(conn)
    .await
}

pub async fn unread(conn: &mut AnyConnection, user: UserId) -> sqlx::Result<i64> {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM notifications n WHERE n.user_id = $1 AND n.read_at IS NULL AND {}",
        still_there()
    )))
    .bind(user.0)
    .fetch_one(conn)
    .await
}

/// Marks the person's notifications named read, in one statement; returns those that
/// were unread.
pub async fn mark_read(
    conn: &mut AnyConnection,
    user: UserId,
    ids: &[NotificationId],
    at: i64,
) -> sqlx::Result<Vec<NotificationId>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut placeholders = super::Placeholders::for_connection(conn);
    let (at_p, user_p) = (placeholders.one(), placeholders.one());
    let list = placeholders.list(ids.len());
    let sql = format!(
        "UPDATE notifications SET read_at = {at_p} WHERE user_id = {user_p} AND read_at IS NULL AND id IN ({list})
         RETURNING id"
    );
    let mut query = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql)).bind(at).bind(user.0);
    for id in ids {
        query = query.bind(id.0);
    }
    let mut done: Vec<NotificationId> = query.fetch_all(conn).await?.into_iter().map(NotificationId).collect();
    done.sort();
    Ok(done)
}

/// Marks all the person's notifications read; returns the newest of them, if any was unread.
pub async fn mark_all_read(conn: &mut AnyConnection, user: UserId, at: i64) -> sqlx::Result<Option<NotificationId>> {
    let newest: Option<i64> =
        sqlx::query_scalar("SELECT MAX(id) FROM notifications WHERE user_id = $1 AND read_at IS NULL")
            .bind(user.0)
            .fetch_one(&mut *conn)
            .await?;
    let Some(newest) = newest else { return Ok(None) };
    sqlx::query("UPDATE notifications SET read_at = $3 WHERE user_id = $1 AND id <= $2 AND read_at IS NULL")
        .bind(user.0)
        .bind(newest)
        .bind(at)
        .execute(conn)
        .await?;
    Ok(Some(NotificationId(newest)))
}

/// (chat, chat title, message, seq, sender, family, given, patronymic, body, created_at)
pub type AwaitingRow = (i64, String, i64, i64, i64, String, String, Option<String>, String, i64);

/// Posts to confirm in the person's chats since `since`, sent after they joined, not
/// theirs and not confirmed by them, newest first.
pub async fn awaiting_acks(conn: &mut AnyConnection, user: UserId, since: i64) -> sqlx::Result<Vec<AwaitingRow>> {
    sqlx::query_as(
        "SELECT m.chat_id, COALESCE(ch.title, ''), m.id, m.seq, m.sender_id, u.family_name, u.given_name, u.patronymic, m.body, m.created_at
         FROM chat_members c
         JOIN messages m ON m.chat_id = c.chat_id AND m.needs_ack = 1 AND m.created_at >= $2
         JOIN chats ch ON ch.id = c.chat_id
         JOIN users u ON u.id = m.sender_id
         WHERE c.user_id = $1 AND c.left_at IS NULL AND m.sender_id <> $1 AND m.created_at >= c.joined_at
           AND m.seq > 0 AND m.deleted_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM message_acks a WHERE a.message_id = m.id AND a.user_id = $1)
         ORDER BY m.created_at DESC, m.id DESC
         LIMIT 50",
    )
    .bind(user.0)
    .bind(since)
    .fetch_all(conn)
    .await
}

/// The person's notifications since `since`, oldest first, of the schools they still
/// have a place in (a digest says nothing of a school they left).
pub async fn since(conn: &mut AnyConnection, user: UserId, since: i64) -> sqlx::Result<Vec<NotificationRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM notifications n LEFT JOIN users u ON u.id = n.actor_id
         WHERE n.user_id = $1 AND n.created_at > $2 AND {}
           AND (n.org_id IS NULL OR EXISTS (SELECT 1 FROM memberships m
                  WHERE m.org_id = n.org_id AND m.user_id = n.user_id AND m.ended_at IS NULL))
         ORDER BY n.id LIMIT 500",
        still_there()
    )))
    .bind(user.0)
    .bind(since)
    .fetch_all(conn)
    .await
}

/// (chat title, first words) of the school channels' posts since `since` in the
/// person's chats, oldest first.
pub async fn announcements(conn: &mut AnyConnection, user: UserId, since: i64) -> sqlx::Result<Vec<(String, String)>> {
    sqlx::query_as(
        "SELECT ch.title, m.body FROM chat_members c
         JOIN chats ch ON ch.id = c.chat_id AND ch.kind = 'school_channel'
         JOIN messages m ON m.chat_id = c.chat_id AND m.created_at > $2 AND m.seq > 0 AND m.deleted_at IS NULL
         WHERE c.user_id = $1 AND c.left_at IS NULL
         ORDER BY m.created_at, m.id LIMIT 20",
    )
    .bind(user.0)
    .bind(since)
    .fetch_all(conn)
    .await
}
