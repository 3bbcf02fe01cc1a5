//! The search index: each live message's word stems (`parta_domain::search`), and
//! the query over the chats a reader sits in.

use parta_domain::search::prefix_upper_bound;
use parta_domain::{ChatId, MessageId, OrgId, UserId};
use sqlx::AnyConnection;

use super::chats::{MESSAGE_SELECT, MessageRow};

/// Stores a new message's terms in one statement (a message has at most
/// `MAX_TERMS`, so the parameters stay far below either database's limit).
pub async fn index(
    conn: &mut AnyConnection,
    org: OrgId,
    chat: ChatId,
    message: MessageId,
    terms: &[String],
) -> sqlx::Result<()> {
    if terms.is_empty() {
        return Ok(());
    }
    let mut sql = String::from("INSERT INTO message_terms (term, message_id, chat_id, org_id) VALUES ");
    for index in 0..terms.len() {
        let first = 4 + index;
        sql.push_str(if index == 0 { "" } else { ", " });
        sql.push_str(&format!("(${first}, $1, $2, $3)"));
    }
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(message.0).bind(chat.0).bind(org.0);
    for term in terms {
        query = query.bind(term.as_str());
    }
    query.execute(conn).await.map(|_| ())
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
    sqlx::query("DELETE FROM message_terms WHERE message_id = $1").bind(message.0).execute(conn).await.map(|_| ())
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
    // One range condition per term; the terms are bound, only their count shapes the SQL.
    let mut sql = format!(
        "{MESSAGE_SELECT}
         JOIN chat_members s ON s.chat_id = m.chat_id AND s.user_id = $1 AND s.left_at IS NULL
         WHERE m.deleted_at IS NULL AND m.held_until IS NULL AND m.id < $2 AND ($3 = 0 OR m.org_id = $3)"
    );
    for index in 0..terms.len() {
        let (low, high) = (4 + index * 2, 5 + index * 2);
        sql.push_str(&format!(
            " AND m.id IN (SELECT t.message_id FROM message_terms t WHERE t.term >= ${low} AND t.term < ${high})"
        ));
    }
    sql.push_str(&format!(" ORDER BY m.id DESC LIMIT ${}", 4 + terms.len() * 2));
    let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(reader.0).bind(before).bind(org.map_or(0, |o| o.0));
    for term in terms {
        query = query.bind(term.clone()).bind(prefix_upper_bound(term));
    }
    query.bind(limit).fetch_all(conn).await
}
