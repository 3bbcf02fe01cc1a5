//! Invite links to group and subject chats, stored as digests of their tokens.

use parta_domain::{ChatId, OrgId, UserId};
use sqlx::AnyConnection;

use crate::clock::now_ms;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ChatLinkRow {
    pub id: i64,
    pub org_id: i64,
    pub chat_id: i64,
    pub created_by: i64,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
    pub uses: i64,
}

const COLUMNS: &str = "id, org_id, chat_id, created_by, created_at, revoked_at, uses";

pub async fn insert(
    conn: &mut AnyConnection,
    org: OrgId,
    chat: ChatId,
    token_hash: &str,
    by: UserId,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO chat_invites (org_id, chat_id, token_hash, created_by, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(org.0)
    .bind(chat.0)
    .bind(token_hash)
    .bind(by.0)
    .bind(now_ms())
    .fetch_one(conn)
    .await
}

pub async fn get(conn: &mut AnyConnection, chat: ChatId, id: i64) -> sqlx::Result<Option<ChatLinkRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM chat_invites WHERE id = $1 AND chat_id = $2")))
        .bind(id)
        .bind(chat.0)
        .fetch_optional(conn)
        .await
}

pub async fn by_token_hash(conn: &mut AnyConnection, token_hash: &str) -> sqlx::Result<Option<ChatLinkRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM chat_invites WHERE token_hash = $1")))
        .bind(token_hash)
        .fetch_optional(conn)
        .await
}

pub async fn of_chat(conn: &mut AnyConnection, chat: ChatId) -> sqlx::Result<Vec<ChatLinkRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM chat_invites WHERE chat_id = $1 ORDER BY id DESC"
    )))
    .bind(chat.0)
    .fetch_all(conn)
    .await
}

pub async fn revoke(conn: &mut AnyConnection, id: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE chat_invites SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
        .bind(now_ms())
        .bind(id)
        .execute(conn)
        .await
        .map(|_| ())
}

pub async fn count_use(conn: &mut AnyConnection, id: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE chat_invites SET uses = uses + 1 WHERE id = $1").bind(id).execute(conn).await.map(|_| ())
}
