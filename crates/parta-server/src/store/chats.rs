//! Chats, chat members, messages and the two event logs.

use std::collections::HashMap;

use parta_domain::chats::{ChatKind, ChatRole};
use parta_domain::{ChatId, ClassId, MessageId, OrgId, UserId};
use sqlx::AnyConnection;

use super::{Placeholders, Script};
use crate::clock::now_ms;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ChatRow {
    pub id: i64,
    pub org_id: i64,
    pub kind: String,
    pub class_id: Option<i64>,
    pub title: String,
    pub read_only: i64,
    pub last_seq: i64,
    pub owner_id: Option<i64>,
}

impl ChatRow {
    pub fn chat_id(&self) -> ChatId {
        ChatId(self.id)
    }

    pub fn kind(&self) -> ChatKind {
        ChatKind::parse(&self.kind).unwrap_or(ChatKind::Class)
    }
}

const CHAT_COLUMNS: &str = "c.id, c.org_id, c.kind, c.class_id, c.title, c.read_only, c.last_seq, c.owner_id";

pub async fn insert_chat(
    conn: &mut AnyConnection,
    org: OrgId,
    kind: ChatKind,
    class: Option<ClassId>,
    title: &str,
    owner: Option<UserId>,
) -> sqlx::Result<ChatId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO chats (org_id, kind, class_id, title, created_at, owner_id) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(org.0)
    .bind(kind.as_str())
    .bind(class.map(|c| c.0))
    .bind(title)
    .bind(now_ms())
    .bind(owner.map(|u| u.0))
    .fetch_one(conn)
    .await?;
    Ok(ChatId(id))
}

pub async fn get(conn: &mut AnyConnection, id: ChatId) -> sqlx::Result<Option<ChatRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {CHAT_COLUMNS} FROM chats c WHERE c.id = $1")))
        .bind(id.0)
        .fetch_optional(conn)
        .await
}

/// The school's directory-driven chats, to find one by kind and class.
pub async fn org_chats(conn: &mut AnyConnection, org: OrgId) -> sqlx::Result<Vec<ChatRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {CHAT_COLUMNS} FROM chats c WHERE c.org_id = $1")))
        .bind(org.0)
        .fetch_all(conn)
        .await
}

/// Keeps the titles of a class's chats in step with the class's name.
pub async fn rename_class_chats(conn: &mut AnyConnection, class: ClassId, name: &str) -> sqlx::Result<()> {
    for kind in ChatKind::OF_A_CLASS {
        sqlx::query("UPDATE chats SET title = $1 WHERE class_id = $2 AND kind = $3")
            .bind(kind.title(name))
            .bind(class.0)
            .bind(kind.as_str())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Takes the next position of a chat. The UPDATE holds the chat's row lock until
/// commit, so positions of one chat commit in order.
pub async fn next_seq(conn: &mut AnyConnection, chat: ChatId) -> sqlx::Result<i64> {
    take_positions(conn, &[(chat, 1)]).await.map(|taken| taken[0].1)
}

/// Takes `count` positions in each chat at once (locking the chats' rows); returns
/// each chat's last position taken, in the order asked: the chat's positions
/// `last − count + 1 ..= last` are the caller's.
pub async fn take_positions(conn: &mut AnyConnection, wanted: &[(ChatId, i64)]) -> sqlx::Result<Vec<(ChatId, i64)>> {
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    if !super::is_sqlite(conn) && wanted.len() > 1 {
        // Batches written at once (here or on other nodes) lock their chats in one
        // order, the ids', so two of them never wait on each other in a circle. (An
        // UPDATE … FROM locks rows in whatever order its join visits them.)
        let mut ids: Vec<i64> = wanted.iter().map(|(chat, _)| chat.0).collect();
        ids.sort_unstable();
        let sql = format!(
            "SELECT id FROM chats WHERE id IN {} ORDER BY id FOR UPDATE",
            Placeholders::for_connection(conn).rows(1, ids.len())
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in ids {
            query = query.bind(id);
        }
        query.execute(&mut *conn).await?;
    }
    let sql = format!(
        "WITH wanted (id, n) AS (VALUES {})
         UPDATE chats SET last_seq = chats.last_seq + wanted.n FROM wanted WHERE chats.id = wanted.id
         RETURNING chats.id, chats.last_seq",
        Placeholders::for_connection(conn).rows(wanted.len(), 2)
    );
    let mut query = sqlx::query_as::<_, (i64, i64)>(sqlx::AssertSqlSafe(sql));
    for (chat, count) in wanted {
        query = query.bind(chat.0).bind(*count);
    }
    let taken: HashMap<i64, i64> = query.fetch_all(&mut *conn).await?.into_iter().collect();
    wanted
        .iter()
        .map(|(chat, _)| taken.get(&chat.0).map(|last| (*chat, *last)).ok_or(sqlx::Error::RowNotFound))
        .collect()
}

/// Takes `count` positions in chats whose position this transaction has read
/// (`(chat, count, read_last)`); returns each chat's last position taken, as
/// `take_positions`. On SQLite nobody takes positions between the read and this write
/// (one writer), so they follow from the read and the update joins `script`; on
/// PostgreSQL the chats are locked and updated now, and the update says where they stand.
pub async fn take_read_positions(
    conn: &mut AnyConnection,
    script: &mut Script,
    wanted: &[(ChatId, i64, i64)],
) -> sqlx::Result<Vec<(ChatId, i64)>> {
    if !script.is_sqlite() {
        script.run(conn).await?;
        let counts: Vec<(ChatId, i64)> = wanted.iter().map(|(chat, count, _)| (*chat, *count)).collect();
        return take_positions(conn, &counts).await;
    }
    if !wanted.is_empty() {
        script.add(
            |p| {
                format!(
                    "WITH wanted (id, n) AS (VALUES {})
                     UPDATE chats SET last_seq = chats.last_seq + wanted.n FROM wanted WHERE chats.id = wanted.id",
                    p.rows(wanted.len(), 2)
                )
            },
            |b| {
                for (chat, count, _) in wanted {
                    b.bind(chat.0).bind(*count);
                }
            },
        );
    }
    Ok(wanted.iter().map(|(chat, count, read_last)| (*chat, read_last + count)).collect())
}

pub async fn next_user_seq(conn: &mut AnyConnection, user: UserId) -> sqlx::Result<i64> {
    sqlx::query_scalar("UPDATE users SET event_seq = event_seq + 1 WHERE id = $1 RETURNING event_seq")
        .bind(user.0)
        .fetch_one(conn)
        .await
}

pub async fn user_seq(conn: &mut AnyConnection, user: UserId) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT event_seq FROM users WHERE id = $1").bind(user.0).fetch_one(conn).await
}

pub async fn append_chat_event(
    conn: &mut AnyConnection,
    org: OrgId,
    chat: ChatId,
    seq: i64,
    payload: &str,
) -> sqlx::Result<()> {
    let mut script = Script::for_connection(conn);
    append_chat_events(&mut script, &[ChatEventRow { org, chat, seq, payload }]);
    script.run(conn).await
}

pub struct ChatEventRow<'a> {
    pub org: OrgId,
    pub chat: ChatId,
    pub seq: i64,
    pub payload: &'a str,
}

pub fn append_chat_events(script: &mut Script, events: &[ChatEventRow<'_>]) {
    if events.is_empty() {
        return;
    }
    let now = now_ms();
    script.add(
        |p| {
            format!(
                "INSERT INTO chat_events (chat_id, seq, org_id, payload, created_at) VALUES {}",
                p.rows(events.len(), 5)
            )
        },
        |b| {
            for event in events {
                b.bind(event.chat.0).bind(event.seq).bind(event.org.0).bind(event.payload).bind(now);
            }
        },
    );
}

pub async fn append_user_event(
    conn: &mut AnyConnection,
    user: UserId,
    seq: i64,
    org: Option<OrgId>,
    payload: &str,
) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO user_events (user_id, seq, org_id, payload, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(user.0)
        .bind(seq)
        .bind(org.map(|o| o.0))
        .bind(payload)
        .bind(now_ms())
        .execute(conn)
        .await
        .map(|_| ())
}

/// Events of a chat after `after`, up to `until`, in order.
pub async fn chat_events_between(
    conn: &mut AnyConnection,
    chat: ChatId,
    after: i64,
    until: i64,
) -> sqlx::Result<Vec<(i64, String)>> {
    sqlx::query_as("SELECT seq, payload FROM chat_events WHERE chat_id = $1 AND seq > $2 AND seq <= $3 ORDER BY seq")
        .bind(chat.0)
        .bind(after)
        .bind(until)
        .fetch_all(conn)
        .await
}

/// Each chat's latest position among the events logged in a time window (the relay's view).
pub async fn chat_heads_between(conn: &mut AnyConnection, from: i64, to: i64) -> sqlx::Result<Vec<(i64, i64)>> {
    sqlx::query_as(
        "SELECT chat_id, MAX(seq) FROM chat_events WHERE created_at >= $1 AND created_at <= $2 GROUP BY chat_id",
    )
    .bind(from)
    .bind(to)
    .fetch_all(conn)
    .await
}

/// Each person's latest personal position logged in a time window.
pub async fn user_heads_between(conn: &mut AnyConnection, from: i64, to: i64) -> sqlx::Result<Vec<(i64, i64)>> {
    sqlx::query_as(
        "SELECT user_id, MAX(seq) FROM user_events WHERE created_at >= $1 AND created_at <= $2 GROUP BY user_id",
    )
    .bind(from)
    .bind(to)
    .fetch_all(conn)
    .await
}

pub async fn oldest_chat_event(conn: &mut AnyConnection, chat: ChatId) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar("SELECT MIN(seq) FROM chat_events WHERE chat_id = $1").bind(chat.0).fetch_one(conn).await
}

pub async fn user_events_between(
    conn: &mut AnyConnection,
    user: UserId,
    after: i64,
    until: i64,
) -> sqlx::Result<Vec<(i64, String)>> {
    sqlx::query_as("SELECT seq, payload FROM user_events WHERE user_id = $1 AND seq > $2 AND seq <= $3 ORDER BY seq")
        .bind(user.0)
        .bind(after)
        .bind(until)
        .fetch_all(conn)
        .await
}

// Members.

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SeatRow {
    pub id: i64,
    pub chat_id: i64,
    pub user_id: i64,
    pub role: String,
    pub source: String,
    pub last_read_seq: i64,
    pub muted_until: Option<i64>,
    /// A role given by hand (a channel author, a chat moderator); the directory never lowers a seat below it.
    pub appointed_role: Option<String>,
}

impl SeatRow {
    pub fn role(&self) -> ChatRole {
        ChatRole::parse(&self.role).unwrap_or(ChatRole::Member)
    }

    pub fn appointed(&self) -> Option<ChatRole> {
        self.appointed_role.as_deref().and_then(ChatRole::parse)
    }
}

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
    pub family_name: String,
    pub given_name: String,
    pub patronymic: Option<String>,
    pub time_zone: String,
    pub quiet_from: Option<String>,
    pub quiet_to: Option<String>,
    pub earlier_id: Option<i64>,
    pub sent_recently: i64,
    /// The largest message id as this transaction read it (`insert_messages` on SQLite).
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
    let sql = format!(
        "WITH probe (probe, chat_id, user_id, client_key) AS (VALUES {probed})
         SELECT probe.probe, {CHAT_COLUMNS}, s.id AS seat_id, s.user_id, s.role AS seat_role, s.source AS seat_source,
            s.last_read_seq, s.muted_until, s.appointed_role, u.family_name, u.given_name, u.patronymic,
            o.time_zone, o.quiet_from, o.quiet_to,
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

/// A person's current seats in one school's chats (or every school's with `org` = None).
pub async fn seats_of(conn: &mut AnyConnection, user: UserId, org: Option<OrgId>) -> sqlx::Result<Vec<SeatRow>> {
    sqlx::query_as(
        "SELECT id, chat_id, user_id, role, source, last_read_seq, muted_until, appointed_role FROM chat_members
         WHERE user_id = $1 AND left_at IS NULL AND ($2 = 0 OR org_id = $2) ORDER BY chat_id",
    )
    .bind(user.0)
    .bind(org.map_or(0, |o| o.0))
    .fetch_all(conn)
    .await
}

pub async fn seat(conn: &mut AnyConnection, chat: ChatId, user: UserId) -> sqlx::Result<Option<SeatRow>> {
    sqlx::query_as(
        "SELECT id, chat_id, user_id, role, source, last_read_seq, muted_until, appointed_role FROM chat_members
         WHERE chat_id = $1 AND user_id = $2 AND left_at IS NULL",
    )
    .bind(chat.0)
    .bind(user.0)
    .fetch_optional(conn)
    .await
}

pub async fn chat_seats(conn: &mut AnyConnection, chat: ChatId) -> sqlx::Result<Vec<SeatRow>> {
    sqlx::query_as(
        "SELECT id, chat_id, user_id, role, source, last_read_seq, muted_until, appointed_role FROM chat_members
         WHERE chat_id = $1 AND left_at IS NULL ORDER BY id",
    )
    .bind(chat.0)
    .fetch_all(conn)
    .await
}

pub async fn insert_seat(
    conn: &mut AnyConnection,
    org: OrgId,
    chat: ChatId,
    user: UserId,
    role: ChatRole,
    source: &str,
    last_read_seq: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO chat_members (org_id, chat_id, user_id, role, source, joined_at, last_read_seq)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(org.0)
    .bind(chat.0)
    .bind(user.0)
    .bind(role.as_str())
    .bind(source)
    .bind(now_ms())
    .bind(last_read_seq)
    .execute(conn)
    .await
    .map(|_| ())
}

pub async fn set_seat_role(conn: &mut AnyConnection, seat: i64, role: ChatRole) -> sqlx::Result<()> {
    sqlx::query("UPDATE chat_members SET role = $1 WHERE id = $2")
        .bind(role.as_str())
        .bind(seat)
        .execute(conn)
        .await
        .map(|_| ())
}

/// Appoints a role by hand (or takes it back with `None`) and sets the seat's role.
pub async fn set_appointed_role(
    conn: &mut AnyConnection,
    seat: i64,
    appointed: Option<ChatRole>,
    role: ChatRole,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE chat_members SET appointed_role = $1, role = $2 WHERE id = $3")
        .bind(appointed.map(|r| r.as_str()))
        .bind(role.as_str())
        .bind(seat)
        .execute(conn)
        .await
        .map(|_| ())
}

pub async fn rename_chat(conn: &mut AnyConnection, chat: ChatId, title: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE chats SET title = $1 WHERE id = $2").bind(title).bind(chat.0).execute(conn).await.map(|_| ())
}

/// The subject chats of a school's classes.
pub async fn subject_chats(conn: &mut AnyConnection, org: OrgId) -> sqlx::Result<Vec<ChatRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {CHAT_COLUMNS} FROM chats c WHERE c.org_id = $1 AND c.kind = 'subject' ORDER BY c.id"
    )))
    .bind(org.0)
    .fetch_all(conn)
    .await
}

/// Whether two people sit together in a group or subject chat of a school.
pub async fn share_a_chat_made_by_people(
    conn: &mut AnyConnection,
    org: OrgId,
    one: UserId,
    other: UserId,
) -> sqlx::Result<bool> {
    let shared: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM chat_members a
         JOIN chat_members b ON b.chat_id = a.chat_id AND b.user_id = $3 AND b.left_at IS NULL
         JOIN chats c ON c.id = a.chat_id AND c.org_id = $1 AND c.kind IN ('group', 'subject')
         WHERE a.user_id = $2 AND a.left_at IS NULL",
    )
    .bind(org.0)
    .bind(one.0)
    .bind(other.0)
    .fetch_one(conn)
    .await?;
    Ok(shared > 0)
}

pub async fn end_seat(conn: &mut AnyConnection, seat: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE chat_members SET left_at = $1 WHERE id = $2")
        .bind(now_ms())
        .bind(seat)
        .execute(conn)
        .await
        .map(|_| ())
}

pub async fn set_last_read(conn: &mut AnyConnection, seat: i64, seq: i64) -> sqlx::Result<()> {
    let mut script = Script::for_connection(conn);
    set_last_reads(&mut script, &[(seat, seq)]);
    script.run(conn).await
}

/// Moves read marks forward (never back); one pair per seat.
pub fn set_last_reads(script: &mut Script, marks: &[(i64, i64)]) {
    if marks.is_empty() {
        return;
    }
    script.add(
        |p| {
            format!(
                "WITH marks (id, seq) AS (VALUES {})
                 UPDATE chat_members SET last_read_seq = marks.seq FROM marks
                 WHERE chat_members.id = marks.id AND chat_members.last_read_seq < marks.seq",
                p.rows(marks.len(), 2)
            )
        },
        |b| {
            for (seat, seq) in marks {
                b.bind(*seat).bind(*seq);
            }
        },
    );
}

// Messages.

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
        m.forwarded_from, m.pending_body, m.pending_until, u.family_name, u.given_name, u.patronymic
    FROM messages m JOIN users u ON u.id = m.sender_id";

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
            family_name: sender.family_name.clone(),
            given_name: sender.given_name.clone(),
            patronymic: sender.patronymic.clone(),
        }
    }
}

pub async fn insert_message(conn: &mut AnyConnection, new: &NewMessage<'_>) -> sqlx::Result<MessageId> {
    insert_messages(conn, &mut Script::for_connection(conn), std::slice::from_ref(new), None).await.map(|ids| ids[0])
}

/// Inserts messages in one statement; their ids in the order given. On SQLite, given
/// the largest message id this transaction has read (`read_last_id`; nobody else
/// writes before it commits), the ids follow from it and the insert joins `script`;
/// otherwise it is sent now (after what `script` holds) and says which ids it took.
pub async fn insert_messages(
    conn: &mut AnyConnection,
    script: &mut Script,
    new: &[NewMessage<'_>],
    read_last_id: Option<i64>,
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
    if let Some(last_id) = read_last_id.filter(|_| script.is_sqlite()) {
        let ids: Vec<MessageId> = (1..=new.len() as i64).map(|n| MessageId(last_id + n)).collect();
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

/// A held message's new text: nobody has seen the old one, so it is not marked edited.
pub async fn rewrite_held(conn: &mut AnyConnection, id: MessageId, body: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE messages SET body = $1 WHERE id = $2 AND held_until IS NOT NULL")
        .bind(body)
        .bind(id.0)
        .execute(conn)
        .await
        .map(|_| ())
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

// Reactions, pins, acknowledgements.

/// Adds or removes one reaction; false when nothing changed.
pub async fn set_reaction(
    conn: &mut AnyConnection,
    org: OrgId,
    message: MessageId,
    user: UserId,
    emoji: &str,
    present: bool,
) -> sqlx::Result<bool> {
    let done = if present {
        sqlx::query(
            "INSERT INTO message_reactions (message_id, user_id, emoji, org_id, created_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT DO NOTHING",
        )
        .bind(message.0)
        .bind(user.0)
        .bind(emoji)
        .bind(org.0)
        .bind(now_ms())
        .execute(conn)
        .await?
    } else {
        sqlx::query("DELETE FROM message_reactions WHERE message_id = $1 AND user_id = $2 AND emoji = $3")
            .bind(message.0)
            .bind(user.0)
            .bind(emoji)
            .execute(conn)
            .await?
    };
    Ok(done.rows_affected() == 1)
}

/// (emoji, user) pairs of a message, oldest first.
pub async fn reactions(conn: &mut AnyConnection, message: MessageId) -> sqlx::Result<Vec<(String, i64)>> {
    sqlx::query_as("SELECT emoji, user_id FROM message_reactions WHERE message_id = $1 ORDER BY created_at, user_id")
        .bind(message.0)
        .fetch_all(conn)
        .await
}

pub async fn set_pinned(conn: &mut AnyConnection, message: MessageId, by: Option<UserId>) -> sqlx::Result<()> {
    sqlx::query("UPDATE messages SET pinned_at = $1, pinned_by = $2 WHERE id = $3")
        .bind(by.map(|_| now_ms()))
        .bind(by.map(|u| u.0))
        .bind(message.0)
        .execute(conn)
        .await
        .map(|_| ())
}

pub async fn pinned(conn: &mut AnyConnection, chat: ChatId) -> sqlx::Result<Vec<MessageRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{MESSAGE_SELECT} WHERE m.chat_id = $1 AND m.pinned_at IS NOT NULL AND m.deleted_at IS NULL ORDER BY m.pinned_at DESC"
    )))
    .bind(chat.0)
    .fetch_all(conn)
    .await
}

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

/// Holds an edit written in quiet hours until `until` (a later edit replaces it).
pub async fn hold_edit(conn: &mut AnyConnection, id: MessageId, body: &str, until: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE messages SET pending_body = $1, pending_until = $2 WHERE id = $3")
        .bind(body)
        .bind(until)
        .bind(id.0)
        .execute(conn)
        .await
        .map(|_| ())
}

/// Held edits whose quiet hours are over: (message, chat, org).
pub async fn edits_due(conn: &mut AnyConnection, now: i64) -> sqlx::Result<Vec<(i64, i64, i64)>> {
    sqlx::query_as(
        "SELECT id, chat_id, org_id FROM messages WHERE pending_until IS NOT NULL AND pending_until <= $1 ORDER BY id",
    )
    .bind(now)
    .fetch_all(conn)
    .await
}

/// Takes a held edit off its message; false if another node took it first.
pub async fn take_held_edit(conn: &mut AnyConnection, id: MessageId, until: i64) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE messages SET pending_body = NULL, pending_until = NULL WHERE id = $1 AND pending_until = $2",
    )
    .bind(id.0)
    .bind(until)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
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

pub async fn set_read_only(conn: &mut AnyConnection, chat: ChatId, read_only: bool) -> sqlx::Result<()> {
    sqlx::query("UPDATE chats SET read_only = $1 WHERE id = $2")
        .bind(super::flag(read_only))
        .bind(chat.0)
        .execute(conn)
        .await
        .map(|_| ())
}

pub async fn set_muted(conn: &mut AnyConnection, seat: i64, until: Option<i64>) -> sqlx::Result<()> {
    sqlx::query("UPDATE chat_members SET muted_until = $1 WHERE id = $2")
        .bind(until)
        .bind(seat)
        .execute(conn)
        .await
        .map(|_| ())
}

// Reports.

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReportRow {
    pub id: i64,
    pub org_id: i64,
    pub chat_id: i64,
    pub message_id: i64,
    pub reporter_id: i64,
    pub reason: String,
    pub status: String,
    pub created_at: i64,
    pub resolved_by: Option<i64>,
    pub resolved_at: Option<i64>,
    pub note: Option<String>,
}

const REPORT_COLUMNS: &str =
    "id, org_id, chat_id, message_id, reporter_id, reason, status, created_at, resolved_by, resolved_at, note";

pub async fn insert_report(
    conn: &mut AnyConnection,
    org: OrgId,
    chat: ChatId,
    message: MessageId,
    reporter: UserId,
    reason: &str,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO reports (org_id, chat_id, message_id, reporter_id, reason, status, created_at)
         VALUES ($1, $2, $3, $4, $5, 'open', $6) RETURNING id",
    )
    .bind(org.0)
    .bind(chat.0)
    .bind(message.0)
    .bind(reporter.0)
    .bind(reason)
    .bind(now_ms())
    .fetch_one(conn)
    .await
}

pub async fn report(conn: &mut AnyConnection, org: OrgId, id: i64) -> sqlx::Result<Option<ReportRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {REPORT_COLUMNS} FROM reports WHERE org_id = $1 AND id = $2")))
        .bind(org.0)
        .bind(id)
        .fetch_optional(conn)
        .await
}

pub async fn reports(conn: &mut AnyConnection, org: OrgId, status: Option<&str>) -> sqlx::Result<Vec<ReportRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {REPORT_COLUMNS} FROM reports WHERE org_id = $1 AND ($2 = '' OR status = $2) ORDER BY id DESC"
    )))
    .bind(org.0)
    .bind(status.unwrap_or(""))
    .fetch_all(conn)
    .await
}

/// Resolves an open report; false if it was resolved already.
pub async fn resolve_report(
    conn: &mut AnyConnection,
    id: i64,
    status: &str,
    by: UserId,
    note: Option<&str>,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE reports SET status = $1, resolved_by = $2, resolved_at = $3, note = $4 WHERE id = $5 AND status = 'open'",
    )
    .bind(status)
    .bind(by.0)
    .bind(now_ms())
    .bind(note)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A sender's own messages still held by quiet hours in a chat, oldest first.
pub async fn held_of(conn: &mut AnyConnection, chat: ChatId, sender: UserId) -> sqlx::Result<Vec<MessageRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{MESSAGE_SELECT} WHERE m.chat_id = $1 AND m.sender_id = $2 AND m.held_until IS NOT NULL ORDER BY m.id"
    )))
    .bind(chat.0)
    .bind(sender.0)
    .fetch_all(conn)
    .await
}

/// Held messages due by `now`, oldest first.
pub async fn held_due(conn: &mut AnyConnection, now: i64) -> sqlx::Result<Vec<(i64, i64, i64)>> {
    sqlx::query_as(
        "SELECT id, chat_id, org_id FROM messages WHERE held_until IS NOT NULL AND held_until <= $1 ORDER BY id",
    )
    .bind(now)
    .fetch_all(conn)
    .await
}

/// Gives a held message its chat position; false if another node released it first.
pub async fn release_message(conn: &mut AnyConnection, message: MessageId, seq: i64) -> sqlx::Result<bool> {
    let done = sqlx::query("UPDATE messages SET seq = $1, held_until = NULL WHERE id = $2 AND held_until IS NOT NULL")
        .bind(seq)
        .bind(message.0)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// The direct conversation of a pair, by its key.
pub async fn direct_chat(conn: &mut AnyConnection, key: &str) -> sqlx::Result<Option<ChatRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {CHAT_COLUMNS} FROM chats c WHERE c.direct_key = $1")))
        .bind(key)
        .fetch_optional(conn)
        .await
}

pub async fn insert_direct_chat(conn: &mut AnyConnection, org: OrgId, key: &str) -> sqlx::Result<ChatId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO chats (org_id, kind, title, direct_key, created_at) VALUES ($1, 'direct', $2, $3, $4) RETURNING id",
    )
    .bind(org.0)
    .bind(ChatKind::Direct.title(""))
    .bind(key)
    .bind(now_ms())
    .fetch_one(conn)
    .await?;
    Ok(ChatId(id))
}
