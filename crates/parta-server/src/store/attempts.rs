//! Counters of attempts per key in a window that starts with the key's first
//! attempt (logins, school applications). An attempt is reserved by one conditional
//! upsert, so concurrent attempts are counted one after another on both backends
//! (PostgreSQL locks the conflicting row; SQLite has one writer).

use sqlx::AnyConnection;

/// Counts one attempt under `key` unless `max` were already counted in the window
/// that began after `window_start_after`; `now` opens a new window. Returns whether
/// the attempt was counted (`false`: the limit is reached).
pub async fn reserve(
    conn: &mut AnyConnection,
    key: &str,
    max: i64,
    window_start_after: i64,
    now: i64,
) -> sqlx::Result<bool> {
    let counted: Option<i64> = sqlx::query_scalar(
        "INSERT INTO login_attempts (key, window_start, attempts) VALUES ($1, $2, 1)
         ON CONFLICT (key) DO UPDATE SET
             attempts = CASE WHEN login_attempts.window_start <= $3 THEN 1 ELSE login_attempts.attempts + 1 END,
             window_start = CASE WHEN login_attempts.window_start <= $3 THEN $2 ELSE login_attempts.window_start END
         WHERE login_attempts.window_start <= $3 OR login_attempts.attempts < $4
         RETURNING attempts",
    )
    .bind(key)
    .bind(now)
    .bind(window_start_after)
    .bind(max)
    .fetch_optional(conn)
    .await?;
    Ok(counted.is_some())
}

/// Gives back one reserved attempt (it succeeded, or was never evaluated).
pub async fn give_back(conn: &mut AnyConnection, key: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE login_attempts SET attempts = attempts - 1 WHERE key = $1 AND attempts > 0")
        .bind(key)
        .execute(conn)
        .await
        .map(|_| ())
}

/// Forgets a key's attempts (a successful login clears its account's failures).
pub async fn clear(conn: &mut AnyConnection, key: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM login_attempts WHERE key = $1").bind(key).execute(conn).await.map(|_| ())
}

/// Drops counters whose window ended before `before`.
pub async fn prune(conn: &mut AnyConnection, before: i64) -> sqlx::Result<u64> {
    sqlx::query("DELETE FROM login_attempts WHERE window_start < $1")
        .bind(before)
        .execute(conn)
        .await
        .map(|r| r.rows_affected())
}
