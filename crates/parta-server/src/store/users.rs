use parta_domain::UserId;
use parta_domain::validate::{LoginId, PersonName};
use parta_protocol::PersonRef;
use sqlx::AnyConnection;

use crate::clock::now_ms;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    pub id: i64,
    pub family_name: String,
    pub given_name: String,
    pub patronymic: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub password_hash: Option<String>,
    pub is_operator: i64,
    pub created_at: i64,
    pub deleted_at: Option<i64>,
    /// `ru` or `en`: the language of their letters.
    pub language: String,
    /// Where their profile photo is stored, if they have one.
    pub photo_key: Option<String>,
}

impl UserRow {
    pub fn user_id(&self) -> UserId {
        UserId(self.id)
    }

    pub fn person(&self) -> PersonRef {
        PersonRef::new(UserId(self.id), &self.family_name, &self.given_name, self.patronymic.as_deref())
    }
}

const COLUMNS: &str = "id, family_name, given_name, patronymic, email, phone, password_hash, is_operator, created_at, \
     deleted_at, language, photo_key";

pub async fn get(conn: &mut AnyConnection, id: UserId) -> sqlx::Result<Option<UserRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM users WHERE id = $1")))
        .bind(id.0)
        .fetch_optional(conn)
        .await
}

pub async fn find_by_login(conn: &mut AnyConnection, login: &LoginId) -> sqlx::Result<Option<UserRow>> {
    let (sql, value) = match login {
        LoginId::Email(email) => ("email", email),
        LoginId::Phone(phone) => ("phone", phone),
    };
    sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM users WHERE {sql} = $1 AND deleted_at IS NULL")))
        .bind(value)
        .fetch_optional(conn)
        .await
}

pub async fn insert(
    conn: &mut AnyConnection,
    name: &PersonName,
    email: Option<&str>,
    phone: Option<&str>,
    password_hash: Option<&str>,
    is_operator: bool,
) -> sqlx::Result<UserId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO users (family_name, given_name, patronymic, email, phone, password_hash, is_operator, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(&name.family)
    .bind(&name.given)
    .bind(name.patronymic.as_deref())
    .bind(email)
    .bind(phone)
    .bind(password_hash)
    .bind(super::flag(is_operator))
    .bind(now_ms())
    .fetch_one(conn)
    .await?;
    Ok(UserId(id))
}

pub async fn set_password(conn: &mut AnyConnection, id: UserId, hash: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(hash)
        .bind(id.0)
        .execute(conn)
        .await
        .map(|_| ())
}

/// Erases what identifies a person; the row stays so that history and audit
/// entries still point at "a deleted user" rather than at nothing.
pub async fn anonymize(conn: &mut AnyConnection, id: UserId) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE users SET family_name = 'Удалённый', given_name = 'пользователь', patronymic = NULL,
         email = NULL, phone = NULL, password_hash = NULL, is_operator = 0, photo_key = NULL, deleted_at = $1
         WHERE id = $2",
    )
    .bind(now_ms())
    .bind(id.0)
    .execute(conn)
    .await
    .map(|_| ())
}

pub async fn person(conn: &mut AnyConnection, id: UserId) -> sqlx::Result<Option<PersonRef>> {
    Ok(get(conn, id).await?.map(|u| u.person()))
}

/// Several people at once, in no particular order (those not found left out).
pub async fn people(conn: &mut AnyConnection, ids: &[UserId]) -> sqlx::Result<Vec<PersonRef>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut placeholders = super::Placeholders::for_connection(conn);
    let list: Vec<String> = ids.iter().map(|_| placeholders.one()).collect();
    let sql = format!("SELECT id, family_name, given_name, patronymic FROM users WHERE id IN ({})", list.join(", "));
    let args = super::arguments(|b| {
        for id in ids {
            b.bind(id.0);
        }
    })?;
    let rows: Vec<(i64, String, String, Option<String>)> =
        sqlx::query_as_with(sqlx::AssertSqlSafe(sql), args).fetch_all(conn).await?;
    Ok(rows
        .into_iter()
        .map(|(id, family, given, patronymic)| PersonRef::new(UserId(id), &family, &given, patronymic.as_deref()))
        .collect())
}

// One-time codes for setting a password (the operator's first login).

pub async fn insert_password_token(
    conn: &mut AnyConnection,
    user: UserId,
    token_hash: &str,
    expires_at: i64,
) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO password_tokens (user_id, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4)")
        .bind(user.0)
        .bind(token_hash)
        .bind(now_ms())
        .bind(expires_at)
        .execute(conn)
        .await
        .map(|_| ())
}

/// Marks an unused, unexpired code as used and returns its user; `None` otherwise.
pub async fn use_password_token(conn: &mut AnyConnection, token_hash: &str) -> sqlx::Result<Option<UserId>> {
    let now = now_ms();
    let user: Option<i64> = sqlx::query_scalar(
        "UPDATE password_tokens SET used_at = $1
         WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1 RETURNING user_id",
    )
    .bind(now)
    .bind(token_hash)
    .fetch_optional(conn)
    .await?;
    Ok(user.map(UserId))
}

/// Holds a person's row until commit: their own writes that count against a limit
/// (edits and the send limit) then run one at a time.
pub async fn lock(conn: &mut AnyConnection, id: UserId) -> sqlx::Result<()> {
    sqlx::query("UPDATE users SET id = id WHERE id = $1").bind(id.0).execute(conn).await.map(|_| ())
}

pub async fn make_operator(conn: &mut AnyConnection, id: UserId) -> sqlx::Result<()> {
    sqlx::query("UPDATE users SET is_operator = 1 WHERE id = $1").bind(id.0).execute(conn).await.map(|_| ())
}
