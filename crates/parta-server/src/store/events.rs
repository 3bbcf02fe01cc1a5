//! The two event logs and their positions: each chat's and each person's stream,
//! taken in order under the chat's (or the user's) row lock.

use std::collections::HashMap;

use parta_domain::{ChatId, MessageId, OrgId, UserId};
use sqlx::AnyConnection;

use super::{Placeholders, Script};
use crate::clock::now_ms;

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
    if !super::is_sqlite(conn) {
        return take_positions_and_ids(conn, wanted, 0).await.map(|reserved| reserved.positions);
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
    in_order_asked(wanted, &taken)
}

/// Each chat's last position taken (`taken`, by chat id), in the order `wanted` asked.
fn in_order_asked(wanted: &[(ChatId, i64)], taken: &HashMap<i64, i64>) -> sqlx::Result<Vec<(ChatId, i64)>> {
    wanted
        .iter()
        .map(|(chat, _)| taken.get(&chat.0).map(|last| (*chat, *last)).ok_or(sqlx::Error::RowNotFound))
        .collect()
}

/// What a batch of messages is written under: the last position taken in each chat
/// (in the order asked; a chat's positions `last − count + 1 ..= last` are the
/// batch's) and the messages' ids, in increasing order.
pub struct Reserved {
    pub positions: Vec<(ChatId, i64)>,
    pub ids: Vec<MessageId>,
}

/// Takes `count` positions in chats whose position this transaction has read
/// (`(chat, count, read_last)`) and `ids` message ids, so the messages' rows can be
/// written with everything else in one script. On SQLite nobody writes between the
/// read and this write (one writer), so both follow from the read (`read_last_id`:
/// the largest message id read) and the update joins `script`. On PostgreSQL the
/// chats are locked (in the ids' order, like `take_positions`) and updated, and the
/// ids drawn from the messages' sequence, in one round trip.
pub async fn take_read_positions(
    conn: &mut AnyConnection,
    script: &mut Script,
    wanted: &[(ChatId, i64, i64)],
    ids: usize,
    read_last_id: i64,
) -> sqlx::Result<Reserved> {
    if !script.is_sqlite() {
        script.run(conn).await?;
        let counts: Vec<(ChatId, i64)> = wanted.iter().map(|(chat, count, _)| (*chat, *count)).collect();
        return take_positions_and_ids(conn, &counts, ids).await;
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
    Ok(Reserved {
        positions: wanted.iter().map(|(chat, count, read_last)| (*chat, read_last + count)).collect(),
        ids: (1..=ids as i64).map(|n| MessageId(read_last_id + n)).collect(),
    })
}

/// PostgreSQL: takes positions (`take_positions`) and `ids` message ids in one round
/// trip. Batches written at once (here or on other nodes) lock their chats in one
/// order, the ids', so two of them never wait on each other in a circle (an UPDATE …
/// FROM locks rows in whatever order its join visits them): every chat row the
/// update touches is one the `locked` clause has locked already. The chats come as
/// JSON, which the planner cannot count: `= ANY` makes it look them up by id.
async fn take_positions_and_ids(
    conn: &mut AnyConnection,
    wanted: &[(ChatId, i64)],
    ids: usize,
) -> sqlx::Result<Reserved> {
    let wanted_rows: Vec<(i64, i64)> = wanted.iter().map(|(chat, count)| (chat.0, *count)).collect();
    let rows = super::arguments(|b| {
        b.bind_rows(&wanted_rows).bind(ids as i64);
    })?;
    // Its text never changes: prepared once per connection.
    let query = sqlx::query_as_with::<_, (i64, i64), _>(
        "WITH wanted (id, n) AS (SELECT (w->>0)::BIGINT, (w->>1)::BIGINT FROM json_array_elements($1::json) AS w),
         locked AS MATERIALIZED (SELECT id FROM chats WHERE id = ANY(ARRAY(SELECT id FROM wanted))
                                 ORDER BY id FOR UPDATE),
         taken AS (UPDATE chats SET last_seq = chats.last_seq + wanted.n FROM wanted
                   WHERE chats.id = wanted.id AND chats.id = ANY(ARRAY(SELECT id FROM locked))
                   RETURNING chats.id, chats.last_seq)
         SELECT id, last_seq FROM taken
         UNION ALL
         SELECT 0, nextval((SELECT pg_get_serial_sequence('messages', 'id'))::regclass) FROM generate_series(1, $2)",
        rows,
    );
    let rows = query.fetch_all(&mut *conn).await?;
    let mut taken = HashMap::new();
    let mut new_ids = Vec::with_capacity(ids);
    // No chat has id 0: those rows are the ids drawn.
    for (chat, value) in rows {
        if chat == 0 {
            new_ids.push(MessageId(value));
        } else {
            taken.insert(chat, value);
        }
    }
    new_ids.sort_unstable();
    if new_ids.len() != ids {
        return Err(sqlx::Error::RowNotFound);
    }
    Ok(Reserved { positions: in_order_asked(wanted, &taken)?, ids: new_ids })
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
    if !script.is_sqlite() {
        #[derive(serde::Serialize)]
        struct Row<'a> {
            chat_id: i64,
            seq: i64,
            org_id: i64,
            payload: &'a str,
        }
        let rows: Vec<Row> = events
            .iter()
            .map(|event| Row { chat_id: event.chat.0, seq: event.seq, org_id: event.org.0, payload: event.payload })
            .collect();
        script.add(
            |p| {
                format!(
                    "INSERT INTO chat_events (chat_id, seq, org_id, payload, created_at)
                     SELECT chat_id, seq, org_id, payload, {} FROM json_to_recordset({}::json)
                       AS r(chat_id BIGINT, seq BIGINT, org_id BIGINT, payload TEXT)",
                    p.one(),
                    p.one()
                )
            },
            |b| {
                b.bind(now).bind_rows(&rows);
            },
        );
        return;
    }
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
