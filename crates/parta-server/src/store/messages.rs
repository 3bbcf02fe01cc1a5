//! Messages: stored one by one or a batch at once, read by page, edited (the old
//! text kept as a version) and deleted; and what a post is checked against.

use std::collections::HashMap;

use parta_domain::{ChatId, LessonId, MessageId, OrgId, UserId};
use sqlx::AnyConnection;

use super::chats::{CHAT_COLUMNS, ChatRow};
use super::seats::SeatRow;
use super::{Placeholders, Script};
use crate::clock::now_ms;

/// Everything a new post is checked against, read in one statement: the chat, the
/// sender's seat and name, the school's quiet hours, the message already stored under
/// the same key, and how many messages the sender has sent since `since`.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PostingRow {
    /// Which probe of `posting` this row answers.
    pub probe: i64,
    #[sqlx(flatten)]
    pub chat: ChatRow,
    pub seat_id: i64,
    pub user_id: i64,
    pub seat_role: String,
    pub seat_source: String,
    pub last_read_seq: i64,
    pub muted_until: Option<i64>,
    pub appointed_role: Option<String>,
    pub silenced_until: Option<i64>,
    pub mentions_only: i64,
    pub family_name: String,
    pub given_name: String,
    pub patronymic: Option<String>,
    pub time_zone: String,
    pub quiet_from: Option<String>,
    pub quiet_to: Option<String>,
    /// Who sits in a group or direct chat, as quiet hours ask it (0 for other kinds).
    pub audience_families: i64,
    pub audience_staff: i64,
    pub earlier_id: Option<i64>,
    pub sent_recently: i64,
    /// The largest message id as this transaction read it (`take_read_positions` on SQLite).
    pub last_message_id: i64,
}

impl PostingRow {
    pub fn seat(&self) -> SeatRow {
        SeatRow {
            id: self.seat_id,
            chat_id: self.chat.id,
            user_id: self.user_id,
            role: self.seat_role.clone(),
            source: self.seat_source.clone(),
            last_read_seq: self.last_read_seq,
            muted_until: self.muted_until,
            appointed_role: self.appointed_role.clone(),
            silenced_until: self.silenced_until,
            mentions_only: self.mentions_only,
        }
    }
}

/// What a post is checked for: who posts where, under which idempotency key.
pub struct PostingProbe<'a> {
    pub chat: ChatId,
    pub user: UserId,
    pub key: &'a str,
}

/// The checks of many posts in one statement: a row for each probe whose poster sits
/// in the chat, tagged with the probe's index. The messages a sender has sent since
/// `since` are counted up to `count_limit` (enough to tell if the limit is reached).
pub async fn posting(
    conn: &mut AnyConnection,
    probes: &[PostingProbe<'_>],
    since: i64,
    count_limit: i64,
) -> sqlx::Result<Vec<PostingRow>> {
    if probes.is_empty() {
        return Ok(Vec::new());
    }
    let mut placeholders = Placeholders::for_connection(conn);
    let probed = placeholders.rows(probes.len(), 4);
    let (since_at, limit_at) = (placeholders.one(), placeholders.one());
    let (families, staff) = (super::seats::SEATS_FAMILIES, super::seats::SEATS_STAFF);
    let sql = format!(
        "WITH probe (probe, chat_id, user_id, client_key) AS (VALUES {probed})
         SELECT probe.probe, {CHAT_COLUMNS}, s.id AS seat_id, s.user_id, s.role AS seat_role, s.source AS seat_source,
            s.last_read_seq, s.muted_until, s.appointed_role, s.silenced_until, s.mentions_only, u.family_name, u.given_name, u.patronymic,
            o.time_zone, o.quiet_from, o.quiet_to,
            CASE WHEN c.kind IN ('group', 'direct') THEN {families} ELSE 0 END AS audience_families,
            CASE WHEN c.kind IN ('group', 'direct') THEN {staff} ELSE 0 END AS audience_staff,
            (SELECT e.id FROM messages e WHERE e.sender_id = probe.user_id AND e.client_msg_id = probe.client_key)
                AS earlier_id,
            (SELECT COUNT(*) FROM (SELECT 1 FROM messages r WHERE r.sender_id = probe.user_id
                AND r.created_at > {since_at} LIMIT {limit_at}) AS recent) AS sent_recently,
            (SELECT COALESCE(MAX(id), 0) FROM messages) AS last_message_id
         FROM probe
         JOIN chat_members s ON s.chat_id = probe.chat_id AND s.user_id = probe.user_id AND s.left_at IS NULL
         JOIN chats c ON c.id = s.chat_id
         JOIN users u ON u.id = s.user_id
         JOIN organizations o ON o.id = c.org_id"
    );
    let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql));
    for (index, probe) in probes.iter().enumerate() {
        query = query.bind(index as i64).bind(probe.chat.0).bind(probe.user.0).bind(probe.key);
    }
    query = query.bind(since).bind(count_limit);
    query.fetch_all(conn).await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MessageRow {
    pub id: i64,
    pub chat_id: i64,
    pub seq: i64,
    pub sender_id: i64,
    pub client_msg_id: String,
    pub body: String,
    pub reply_to: Option<i64>,
    pub created_at: i64,
    pub edited_at: Option<i64>,
    pub deleted_at: Option<i64>,
    pub deleted_by: Option<i64>,
    pub pinned_at: Option<i64>,
    pub needs_ack: i64,
    pub held_until: Option<i64>,
    pub forwarded_from: Option<i64>,
    /// An edit written in quiet hours, and when it is delivered.
    pub pending_body: Option<String>,
    pub pending_until: Option<i64>,
    /// The lesson this post is the homework card of, and the lesson's date.
    pub lesson_id: Option<i64>,
    pub lesson_on: Option<String>,
    /// Brought in by a chat import: its key in the export, the guest author's name
    /// (no member), whose message it forwarded.
    pub import_key: Option<String>,
    pub guest_name: Option<String>,
    pub forwarded_name: Option<String>,
    pub family_name: String,
    pub given_name: String,
    pub patronymic: Option<String>,
}

impl MessageRow {
    pub fn message_id(&self) -> MessageId {
        MessageId(self.id)
    }
}

pub(crate) const MESSAGE_SELECT: &str =
    "SELECT m.id, m.chat_id, m.seq, m.sender_id, m.client_msg_id, m.body, m.reply_to,
        m.created_at, m.edited_at, m.deleted_at, m.deleted_by, m.pinned_at, m.needs_ack, m.held_until,
        m.forwarded_from, m.pending_body, m.pending_until, m.lesson_id, l.held_on AS lesson_on,
        m.import_key, m.guest_name, m.forwarded_name, u.family_name, u.given_name, u.patronymic
    FROM messages m JOIN users u ON u.id = m.sender_id LEFT JOIN lessons l ON l.id = m.lesson_id";

pub struct NewMessage<'a> {
    pub org: OrgId,
    pub chat: ChatId,
    pub seq: i64,
    pub sender: UserId,
    pub client_msg_id: &'a str,
    pub body: &'a str,
    pub reply_to: Option<MessageId>,
    pub needs_ack: bool,
    /// Quiet hours: not delivered until then (and no chat position until then).
    pub held_until: Option<i64>,
    pub forwarded_from: Option<MessageId>,
    pub created_at: i64,
}

impl NewMessage<'_> {
    /// The row as stored under `id`, without reading it back (the sender's name from the post's checks).
    pub fn stored(&self, id: MessageId, sender: &PostingRow) -> MessageRow {
        MessageRow {
            id: id.0,
            chat_id: self.chat.0,
            seq: self.seq,
            sender_id: self.sender.0,
            client_msg_id: self.client_msg_id.to_owned(),
            body: self.body.to_owned(),
            reply_to: self.reply_to.map(|m| m.0),
            created_at: self.created_at,
            edited_at: None,
            deleted_at: None,
            deleted_by: None,
            pinned_at: None,
            needs_ack: super::flag(self.needs_ack),
            held_until: self.held_until,
            forwarded_from: self.forwarded_from.map(|m| m.0),
            pending_body: None,
            pending_until: None,
            lesson_id: None,
            lesson_on: None,
            import_key: None,
            guest_name: None,
            forwarded_name: None,
            family_name: sender.family_name.clone(),
            given_name: sender.given_name.clone(),
            patronymic: sender.patronymic.clone(),
        }
    }
}

/// A message's row as `insert_messages` sends it to PostgreSQL (`Binds::bind_rows`).
#[derive(serde::Serialize)]
struct MessageJson<'a> {
    id: i64,
    org_id: i64,
    chat_id: i64,
    seq: i64,
    sender_id: i64,
    client_msg_id: &'a str,
    body: &'a str,
    reply_to: Option<i64>,
    created_at: i64,
    needs_ack: i64,
    held_until: Option<i64>,
    forwarded_from: Option<i64>,
}

impl<'a> MessageJson<'a> {
    fn of(new: &NewMessage<'a>, id: MessageId) -> MessageJson<'a> {
        MessageJson {
            id: id.0,
            org_id: new.org.0,
            chat_id: new.chat.0,
            seq: new.seq,
            sender_id: new.sender.0,
            client_msg_id: new.client_msg_id,
            body: new.body,
            reply_to: new.reply_to.map(|m| m.0),
            created_at: new.created_at,
            needs_ack: super::flag(new.needs_ack),
            held_until: new.held_until,
            forwarded_from: new.forwarded_from.map(|m| m.0),
        }
    }
}

pub async fn insert_message(conn: &mut AnyConnection, new: &NewMessage<'_>) -> sqlx::Result<MessageId> {
    insert_messages(conn, &mut Script::for_connection(conn), std::slice::from_ref(new), None).await.map(|ids| ids[0])
}

/// Inserts messages in one statement; their ids in the order given. Given their ids
/// (reserved: `store::events::take_read_positions`), the insert joins `script`;
/// otherwise it is sent now (after what `script` holds) and says which ids it took.
pub async fn insert_messages(
    conn: &mut AnyConnection,
    script: &mut Script,
    new: &[NewMessage<'_>],
    reserved: Option<&[MessageId]>,
) -> sqlx::Result<Vec<MessageId>> {
    if new.is_empty() {
        return Ok(Vec::new());
    }
    const COLUMNS: &str = "org_id, chat_id, seq, sender_id, client_msg_id, body, reply_to, created_at, needs_ack,
        held_until, forwarded_from";
    let bind = |b: &mut super::Binds<'_>, new: &NewMessage<'_>| {
        b.bind(new.org.0)
            .bind(new.chat.0)
            .bind(new.seq)
            .bind(new.sender.0)
            .bind(new.client_msg_id)
            .bind(new.body)
            .bind(new.reply_to.map(|m| m.0))
            .bind(new.created_at)
            .bind(super::flag(new.needs_ack))
            .bind(new.held_until)
            .bind(new.forwarded_from.map(|m| m.0));
    };
    if let Some(ids) = reserved.filter(|_| !script.is_sqlite()) {
        let rows: Vec<MessageJson> = new.iter().zip(ids).map(|(new, id)| MessageJson::of(new, *id)).collect();
        script.add(
            |p| {
                format!(
                    "INSERT INTO messages (id, {COLUMNS}) SELECT id, {COLUMNS} FROM json_to_recordset({}::json) AS r(
                       id BIGINT, org_id BIGINT, chat_id BIGINT, seq BIGINT, sender_id BIGINT, client_msg_id TEXT,
                       body TEXT, reply_to BIGINT, created_at BIGINT, needs_ack BIGINT, held_until BIGINT,
                       forwarded_from BIGINT)",
                    p.one()
                )
            },
            |b| {
                b.bind_rows(&rows);
            },
        );
        return Ok(ids.to_vec());
    }
    if let Some(ids) = reserved {
        let ids = ids.to_vec();
        script.add(
            |p| format!("INSERT INTO messages (id, {COLUMNS}) VALUES {}", p.rows(new.len(), 12)),
            |b| {
                for (new, id) in new.iter().zip(&ids) {
                    b.bind(id.0);
                    bind(b, new);
                }
            },
        );
        return Ok(ids);
    }
    script.run(conn).await?;
    let sql = format!(
        "INSERT INTO messages ({COLUMNS}) VALUES {} RETURNING id, sender_id, client_msg_id",
        Placeholders::for_connection(conn).rows(new.len(), 11)
    );
    let args = super::arguments(|b| {
        for new in new {
            bind(b, new);
        }
    })?;
    // Neither database promises RETURNING's order; a message is known by its sender and key.
    let ids: HashMap<(i64, String), i64> =
        sqlx::query_as_with::<_, (i64, i64, String), _>(sqlx::AssertSqlSafe(sql), args)
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .map(|(id, sender, key)| ((sender, key), id))
            .collect();
    new.iter()
        .map(|new| {
            ids.get(&(new.sender.0, new.client_msg_id.to_owned()))
                .map(|id| MessageId(*id))
                .ok_or(sqlx::Error::RowNotFound)
        })
        .collect()
}

pub async fn message(conn: &mut AnyConnection, id: MessageId) -> sqlx::Result<Option<MessageRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("{MESSAGE_SELECT} WHERE m.id = $1")))
        .bind(id.0)
        .fetch_optional(conn)
        .await
}

pub async fn message_by_key(conn: &mut AnyConnection, sender: UserId, key: &str) -> sqlx::Result<Option<MessageRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("{MESSAGE_SELECT} WHERE m.sender_id = $1 AND m.client_msg_id = $2")))
        .bind(sender.0)
        .bind(key)
        .fetch_optional(conn)
        .await
}

/// Up to `limit` messages before position `before`, newest first.
pub async fn messages_before(
    conn: &mut AnyConnection,
    chat: ChatId,
    before: i64,
    limit: i64,
) -> sqlx::Result<Vec<MessageRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{MESSAGE_SELECT} WHERE m.chat_id = $1 AND m.seq < $2 AND m.held_until IS NULL ORDER BY m.seq DESC LIMIT $3"
    )))
    .bind(chat.0)
    .bind(before)
    .bind(limit)
    .fetch_all(conn)
    .await
}

pub async fn edit_message(conn: &mut AnyConnection, id: MessageId, body: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE messages SET body = $1, edited_at = $2 WHERE id = $3")
        .bind(body)
        .bind(now_ms())
        .bind(id.0)
        .execute(conn)
        .await
        .map(|_| ())
}

/// Makes a message the homework card of a lesson.
pub async fn set_lesson(conn: &mut AnyConnection, id: MessageId, lesson: LessonId) -> sqlx::Result<()> {
    sqlx::query("UPDATE messages SET lesson_id = $1 WHERE id = $2")
        .bind(lesson.0)
        .bind(id.0)
        .execute(conn)
        .await
        .map(|_| ())
}

/// The homework card of a lesson that is still there, if any.
pub async fn lesson_card(conn: &mut AnyConnection, lesson: LessonId) -> sqlx::Result<Option<MessageRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{MESSAGE_SELECT} WHERE m.lesson_id = $1 AND m.deleted_at IS NULL ORDER BY m.id DESC LIMIT 1"
    )))
    .bind(lesson.0)
    .fetch_optional(conn)
    .await
}

pub async fn delete_message(conn: &mut AnyConnection, id: MessageId, by: UserId) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE messages SET body = '', deleted_at = $1, deleted_by = $2, pending_body = NULL, pending_until = NULL
         WHERE id = $3",
    )
    .bind(now_ms())
    .bind(by.0)
    .bind(id.0)
    .execute(conn)
    .await
    .map(|_| ())
}

/// Messages from others after `after` (for unread counts).
pub async fn unread_count(conn: &mut AnyConnection, chat: ChatId, user: UserId, after: i64) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM messages WHERE chat_id = $1 AND seq > $2 AND sender_id <> $3 AND deleted_at IS NULL",
    )
    .bind(chat.0)
    .bind(after)
    .bind(user.0)
    .fetch_one(conn)
    .await
}

pub async fn last_message(conn: &mut AnyConnection, chat: ChatId) -> sqlx::Result<Option<MessageRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{MESSAGE_SELECT} WHERE m.chat_id = $1 AND m.deleted_at IS NULL AND m.held_until IS NULL ORDER BY m.seq DESC LIMIT 1"
    )))
    .bind(chat.0)
    .fetch_optional(conn)
    .await
}

/// Keeps the text a message had before an edit.
/// Keeps the text an edit (or a moderator's removal) replaces; an author's edit
/// names its author, for the send limit.
pub async fn insert_version(
    conn: &mut AnyConnection,
    org: OrgId,
    message: &MessageRow,
    edited_by: Option<UserId>,
    edited_at: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO message_versions (message_id, org_id, body, written_at, edited_by, edited_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(message.id)
    .bind(org.0)
    .bind(&message.body)
    .bind(message.edited_at.unwrap_or(message.created_at))
    .bind(edited_by.map(|u| u.0))
    .bind(edited_at)
    .execute(conn)
    .await
    .map(|_| ())
}

/// Posts `user` made since `since` — messages sent and edits — counted up to `limit`.
pub async fn posts_since(conn: &mut AnyConnection, user: UserId, since: i64, limit: i64) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM messages WHERE sender_id = $1 AND created_at > $2 LIMIT $3) AS s)
              + (SELECT COUNT(*) FROM (SELECT 1 FROM message_versions WHERE edited_by = $1 AND edited_at > $2 LIMIT $3) AS e)",
    )
    .bind(user.0)
    .bind(since)
    .bind(limit)
    .fetch_one(conn)
    .await
}

/// Earlier texts of a message, oldest first: (body, when it was written).
pub async fn versions(conn: &mut AnyConnection, message: MessageId) -> sqlx::Result<Vec<(String, i64)>> {
    sqlx::query_as("SELECT body, written_at FROM message_versions WHERE message_id = $1 ORDER BY id")
        .bind(message.0)
        .fetch_all(conn)
        .await
}

/// Messages a person sent since `since` (for send limits).
pub async fn sent_since(conn: &mut AnyConnection, sender: UserId, since: i64) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM messages WHERE sender_id = $1 AND created_at > $2")
        .bind(sender.0)
        .bind(since)
        .fetch_one(conn)
        .await
}

/// A message as its author's export lists it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct WrittenRow {
    pub id: i64,
    pub school: String,
    pub chat_id: i64,
    pub chat_title: String,
    pub body: String,
    pub created_at: i64,
    pub edited_at: Option<i64>,
}

/// Every message a person wrote that stands (not deleted), oldest first, in any chat.
pub async fn written_by(conn: &mut AnyConnection, user: UserId) -> sqlx::Result<Vec<WrittenRow>> {
    sqlx::query_as(
        "SELECT m.id, o.short_name AS school, m.chat_id, c.title AS chat_title, m.body, m.created_at, m.edited_at
         FROM messages m JOIN chats c ON c.id = m.chat_id JOIN organizations o ON o.id = m.org_id
         WHERE m.sender_id = $1 AND m.deleted_at IS NULL ORDER BY m.id",
    )
    .bind(user.0)
    .fetch_all(conn)
    .await
}

/// The names of the files attached to a person's messages: (message, name), in order.
pub async fn files_written_by(conn: &mut AnyConnection, user: UserId) -> sqlx::Result<Vec<(i64, String)>> {
    sqlx::query_as(
        "SELECT a.message_id, f.original_name FROM attachments a
         JOIN messages m ON m.id = a.message_id JOIN files f ON f.id = a.file_id
         WHERE m.sender_id = $1 AND m.deleted_at IS NULL ORDER BY a.message_id, a.position",
    )
    .bind(user.0)
    .fetch_all(conn)
    .await
}
