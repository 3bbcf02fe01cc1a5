//! SQL, one module per aggregate. Functions take a connection (or a transaction,
//! which derefs to one) and neither authorize nor emit anything: that is `actions`.
//! Every query uses bound parameters; no SQL is assembled from input.

pub mod applications;
pub mod audit;
pub mod chat_links;
pub mod chats;
pub mod directory;
pub mod files;
pub mod invites;
pub mod polls;
pub mod schools;
pub mod search;
pub mod sessions;
pub mod users;

/// A UNIQUE constraint failed (either backend).
pub fn is_unique_violation(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Database(db) => {
            db.kind() == sqlx::error::ErrorKind::UniqueViolation
                || db.code().is_some_and(|c| c == "23505" || c == "2067" || c == "1555")
        }
        _ => false,
    }
}

pub fn flag(value: bool) -> i64 {
    i64::from(value)
}
