//! Chats themselves: the rows of every kind, their titles and read-only switch, and
//! the direct conversations of pairs. Who sits where is `seats`; what is said, `messages`.

use parta_domain::chats::ChatKind;
use parta_domain::{ChatId, ClassId, OrgId, UserId};
use sqlx::AnyConnection;

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
    /// Set when the chat ended with its school year: a read-only archive.
    pub archived_at: Option<i64>,
}

impl ChatRow {
    pub fn chat_id(&self) -> ChatId {
        ChatId(self.id)
    }

    pub fn kind(&self) -> ChatKind {
        ChatKind::parse(&self.kind).unwrap_or(ChatKind::Class)
    }
}

pub(crate) const CHAT_COLUMNS: &str =
    "c.id, c.org_id, c.kind, c.class_id, c.title, c.read_only, c.last_seq, c.owner_id, c.archived_at";

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

/// A class's chats of two kinds (its class chat and subject chats, or its class chat
/// and parents' chat), oldest first.
pub async fn class_chats_of(
    conn: &mut AnyConnection,
    org: OrgId,
    class: ClassId,
    kinds: [ChatKind; 2],
) -> sqlx::Result<Vec<ChatRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {CHAT_COLUMNS} FROM chats c
         WHERE c.org_id = $1 AND c.class_id = $2 AND c.kind IN ($3, $4) ORDER BY c.id"
    )))
    .bind(org.0)
    .bind(class.0)
    .bind(kinds[0].as_str())
    .bind(kinds[1].as_str())
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

pub async fn set_read_only(conn: &mut AnyConnection, chat: ChatId, read_only: bool) -> sqlx::Result<()> {
    sqlx::query("UPDATE chats SET read_only = $1 WHERE id = $2")
        .bind(super::flag(read_only))
        .bind(chat.0)
        .execute(conn)
        .await
        .map(|_| ())
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
