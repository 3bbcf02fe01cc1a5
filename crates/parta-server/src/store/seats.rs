//! Seats: who sits in which chat, in which role, read up to where, muted until when.

use parta_domain::chats::ChatRole;
use parta_domain::{ChatId, OrgId, UserId};
use sqlx::AnyConnection;

use super::Script;
use crate::clock::now_ms;

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
    /// The person's own quiet for this chat («не беспокоить»), until then.
    pub silenced_until: Option<i64>,
    /// Only mentions of the person reach them from this chat (1).
    pub mentions_only: i64,
}

/// A seat's columns, as `SeatRow` reads them.
const SEAT_COLUMNS: &str =
    "id, chat_id, user_id, role, source, last_read_seq, muted_until, appointed_role, silenced_until, mentions_only";

impl SeatRow {
    pub fn role(&self) -> ChatRole {
        ChatRole::parse(&self.role).unwrap_or(ChatRole::Member)
    }

    pub fn appointed(&self) -> Option<ChatRole> {
        self.appointed_role.as_deref().and_then(ChatRole::parse)
    }
}

/// A person's current seats in one school's chats (or every school's with `org` = None).
pub async fn seats_of(conn: &mut AnyConnection, user: UserId, org: Option<OrgId>) -> sqlx::Result<Vec<SeatRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {SEAT_COLUMNS} FROM chat_members
         WHERE user_id = $1 AND left_at IS NULL AND ($2 = 0 OR org_id = $2) ORDER BY chat_id"
    )))
    .bind(user.0)
    .bind(org.map_or(0, |o| o.0))
    .fetch_all(conn)
    .await
}

pub async fn seat(conn: &mut AnyConnection, chat: ChatId, user: UserId) -> sqlx::Result<Option<SeatRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {SEAT_COLUMNS} FROM chat_members WHERE chat_id = $1 AND user_id = $2 AND left_at IS NULL"
    )))
    .bind(chat.0)
    .bind(user.0)
    .fetch_optional(conn)
    .await
}

pub async fn chat_seats(conn: &mut AnyConnection, chat: ChatId) -> sqlx::Result<Vec<SeatRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {SEAT_COLUMNS} FROM chat_members WHERE chat_id = $1 AND left_at IS NULL ORDER BY id"
    )))
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
/// Sets the person's own quiet for a chat (none: off) and whether only mentions reach them.
pub async fn set_silence(
    conn: &mut AnyConnection,
    seat: i64,
    until: Option<i64>,
    mentions_only: bool,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE chat_members SET silenced_until = $2, mentions_only = $3 WHERE id = $1")
        .bind(seat)
        .bind(until)
        .bind(i64::from(mentions_only))
        .execute(conn)
        .await
        .map(|_| ())
}

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
    // PostgreSQL: the marks come as JSON, so the planner cannot count them; `= ANY`
    // of their ids makes it look the seats up by id however many there are.
    if !script.is_sqlite() {
        script.add(
            |p| {
                format!(
                    "WITH marks (id, seq) AS (SELECT (m->>0)::BIGINT, (m->>1)::BIGINT FROM json_array_elements({}::json) AS m)
                     UPDATE chat_members SET last_read_seq = marks.seq FROM marks
                     WHERE chat_members.id = marks.id AND chat_members.id = ANY(ARRAY(SELECT id FROM marks))
                       AND chat_members.last_read_seq < marks.seq",
                    p.one()
                )
            },
            |b| {
                b.bind_rows(marks);
            },
        );
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

pub async fn set_muted(conn: &mut AnyConnection, seat: i64, until: Option<i64>) -> sqlx::Result<()> {
    sqlx::query("UPDATE chat_members SET muted_until = $1 WHERE id = $2")
        .bind(until)
        .bind(seat)
        .execute(conn)
        .await
        .map(|_| ())
}

/// Whether the chat `c` seats students or parents now: 1 or 0 (an SQL expression).
pub const SEATS_FAMILIES: &str = "(CASE WHEN EXISTS (SELECT 1 FROM chat_members f JOIN memberships m
    ON m.user_id = f.user_id AND m.org_id = c.org_id AND m.ended_at IS NULL AND m.role IN ('student', 'parent')
    WHERE f.chat_id = c.id AND f.left_at IS NULL) THEN 1 ELSE 0 END)";
/// Whether the chat `c` seats staff now: 1 or 0 (an SQL expression).
pub const SEATS_STAFF: &str = "(CASE WHEN EXISTS (SELECT 1 FROM chat_members f JOIN memberships m
    ON m.user_id = f.user_id AND m.org_id = c.org_id AND m.ended_at IS NULL
    AND m.role IN ('teacher', 'employee', 'director', 'deputy')
    WHERE f.chat_id = c.id AND f.left_at IS NULL) THEN 1 ELSE 0 END)";

/// Who sits in a chat, as quiet hours ask it.
pub async fn audience(conn: &mut AnyConnection, chat: ChatId) -> sqlx::Result<parta_domain::chats::Audience> {
    let (families, staff): (i64, i64) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {SEATS_FAMILIES}, {SEATS_STAFF} FROM chats c WHERE c.id = $1"
    )))
    .bind(chat.0)
    .fetch_one(conn)
    .await?;
    Ok(parta_domain::chats::Audience { families: families == 1, staff: staff == 1 })
}
