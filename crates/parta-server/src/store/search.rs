//! The search index: each live message's word stems (`parta_domain::search`), and
//! the query over the chats a reader sits in. On SQLite an FTS5 table, a row of
//! terms per message (it takes a batch's terms as one new segment); on PostgreSQL a
//! B-tree of (term, message), which tells its planner a rare word from a common one.

use parta_domain::search::prefix_upper_bound;
use parta_domain::{ChatId, MessageId, OrgId, UserId};
use sqlx::AnyConnection;

use super::messages::{MESSAGE_SELECT, MessageRow};
use super::{Script, is_sqlite};

/// Stores a new message's terms.
pub async fn index(
    conn: &mut AnyConnection,
    org: OrgId,
    chat: ChatId,
    message: MessageId,
    terms: &[String],
) -> sqlx::Result<()> {
    let mut script = Script::for_connection(conn);
    index_many(&mut script, &[Indexed { org, chat, message, terms }]);
    script.run(conn).await
}

/// One message's terms, for `index_many`.
pub struct Indexed<'a> {
    pub org: OrgId,
    pub chat: ChatId,
    pub message: MessageId,
    pub terms: &'a [String],
}

/// Rows a statement of `index_many` carries: at two parameters a row it stays under
/// SQLite's 32,766; on PostgreSQL, where the rows come as one JSON value, it keeps
/// that value to a few hundred kilobytes.
const ROWS_PER_STATEMENT: usize = 8_000;

/// Stores the terms of many new messages, in as few statements as the parameter limits allow.
pub fn index_many(script: &mut Script, messages: &[Indexed<'_>]) {
    if script.is_sqlite() {
        let rows: Vec<&Indexed> = messages.iter().filter(|message| !message.terms.is_empty()).collect();
        for chunk in rows.chunks(ROWS_PER_STATEMENT) {
            script.add(
                |p| format!("INSERT INTO message_search (rowid, terms) VALUES {}", p.rows(chunk.len(), 2)),
                |b| {
                    for message in chunk {
                        b.bind(message.message.0).bind(message.terms.join(" "));
                    }
                },
            );
        }
        return;
    }
    #[derive(serde::Serialize)]
    struct Row<'a> {
        term: &'a str,
        message_id: i64,
        chat_id: i64,
        org_id: i64,
    }
    let rows: Vec<Row> = messages
        .iter()
        .flat_map(|m| {
            m.terms.iter().map(move |term| Row { term, message_id: m.message.0, chat_id: m.chat.0, org_id: m.org.0 })
        })
        .collect();
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        script.add(
            |p| {
                format!(
                    "INSERT INTO message_terms (term, message_id, chat_id, org_id)
                     SELECT term, message_id, chat_id, org_id FROM json_to_recordset({}::json)
                       AS r(term TEXT, message_id BIGINT, chat_id BIGINT, org_id BIGINT)",
                    p.one()
                )
            },
            |b| {
                b.bind_rows(chunk);
            },
        );
    }
}

/// Replaces an edited message's terms.
pub async fn reindex(
    conn: &mut AnyConnection,
    org: OrgId,
    chat: ChatId,
    message: MessageId,
    terms: &[String],
) -> sqlx::Result<()> {
    unindex(&mut *conn, message).await?;
    index(conn, org, chat, message, terms).await
}

pub async fn unindex(conn: &mut AnyConnection, message: MessageId) -> sqlx::Result<()> {
    let sql = if is_sqlite(conn) {
        "DELETE FROM message_search WHERE rowid = $1"
    } else {
        "DELETE FROM message_terms WHERE message_id = $1"
    };
    sqlx::query(sql).bind(message.0).execute(conn).await.map(|_| ())
}

/// FTS5's query for messages holding, for each of `terms`, a term it starts with.
/// Terms are letters and digits only; quoting still keeps any other character a
/// literal rather than query syntax.
fn fts_query(terms: &[String]) -> String {
    terms.iter().map(|term| format!("\"{}\"*", term.replace('"', "\"\""))).collect::<Vec<_>>().join(" AND ")
}

/// Live, delivered messages in the reader's current chats (of one school, or all)
/// having a term that starts with each of `terms`; newest first, before message `before`.
pub async fn find(
    conn: &mut AnyConnection,
    reader: UserId,
    org: Option<OrgId>,
    terms: &[String],
    before: i64,
    limit: i64,
) -> sqlx::Result<Vec<MessageRow>> {
    let mut sql = format!(
        "{MESSAGE_SELECT}
         JOIN chat_members s ON s.chat_id = m.chat_id AND s.user_id = $1 AND s.left_at IS NULL
         WHERE m.deleted_at IS NULL AND m.held_until IS NULL AND m.id < $2 AND ($3 = 0 OR m.org_id = $3)"
    );
    let query = if is_sqlite(conn) {
        sql.push_str(
            " AND m.id IN (SELECT rowid FROM message_search WHERE message_search MATCH $4 AND rowid < $2)
             ORDER BY m.id DESC LIMIT $5",
        );
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(reader.0)
            .bind(before)
            .bind(org.map_or(0, |o| o.0))
            .bind(fts_query(terms))
    } else {
        // One range condition per term; the terms are bound, only their count shapes the SQL.
        for index in 0..terms.len() {
            let (low, high) = (4 + index * 2, 5 + index * 2);
            sql.push_str(&format!(
                " AND m.id IN (SELECT t.message_id FROM message_terms t WHERE t.term >= ${low} AND t.term < ${high})"
            ));
        }
        sql.push_str(&format!(" ORDER BY m.id DESC LIMIT ${}", 4 + terms.len() * 2));
        let mut query =
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(reader.0).bind(before).bind(org.map_or(0, |o| o.0));
        for term in terms {
            query = query.bind(term.clone()).bind(prefix_upper_bound(term));
        }
        query
    };
    query.bind(limit).fetch_all(conn).await
}
