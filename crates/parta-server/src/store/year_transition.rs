//! The writes of a year transition that no other action makes: next year's classes
//! linked to the ones they continue, chats moved on or archived, a class's open links
//! following it, and the ending year archived with its periods closed.

use parta_domain::{ChatId, ClassId, OrgId, UserId, YearId};
use sqlx::AnyConnection;

use crate::clock::now_ms;

/// The classes (not the staff room) of a school year, by its starting calendar year.
pub async fn classes_of_year(
    conn: &mut AnyConnection,
    org: OrgId,
    academic_year: i64,
) -> sqlx::Result<Vec<super::schools::ClassRow>> {
    sqlx::query_as(
        "SELECT id, org_id, unit_id, kind, name, grade, academic_year FROM classes
         WHERE org_id = $1 AND kind = 'class' AND academic_year = $2 ORDER BY grade, name",
    )
    .bind(org.0)
    .bind(academic_year)
    .fetch_all(conn)
    .await
}

/// Whether classes of this starting calendar year belong to a year the school moved on from.
pub async fn year_archived(conn: &mut AnyConnection, org: OrgId, academic_year: i64) -> sqlx::Result<bool> {
    let archived: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM academic_years WHERE org_id = $1 AND archived_at IS NOT NULL AND substr(starts_on, 1, 4) = $2",
    )
    .bind(org.0)
    .bind(academic_year.to_string())
    .fetch_one(conn)
    .await?;
    Ok(archived > 0)
}

pub async fn set_previous_class(conn: &mut AnyConnection, class: ClassId, previous: ClassId) -> sqlx::Result<()> {
    sqlx::query("UPDATE classes SET previous_class_id = $1 WHERE id = $2")
        .bind(previous.0)
        .bind(class.0)
        .execute(conn)
        .await
        .map(|_| ())
}

/// The chat goes on with another class, under a new title.
pub async fn move_chat(conn: &mut AnyConnection, chat: ChatId, class: ClassId, title: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE chats SET class_id = $1, title = $2 WHERE id = $3")
        .bind(class.0)
        .bind(title)
        .bind(chat.0)
        .execute(conn)
        .await
        .map(|_| ())
}

/// The chat becomes a read-only archive under a title that names its year.
pub async fn archive_chat(conn: &mut AnyConnection, chat: ChatId, title: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE chats SET archived_at = $1, read_only = 1, title = $2 WHERE id = $3")
        .bind(now_ms())
        .bind(title)
        .bind(chat.0)
        .execute(conn)
        .await
        .map(|_| ())
}

/// A class's open invite links (and the join requests waiting on them) follow it.
pub async fn move_invites(conn: &mut AnyConnection, from: ClassId, to: ClassId) -> sqlx::Result<()> {
    sqlx::query("UPDATE invites SET class_id = $1 WHERE class_id = $2 AND revoked_at IS NULL")
        .bind(to.0)
        .bind(from.0)
        .execute(conn)
        .await
        .map(|_| ())
}

/// A graduating class takes nobody new.
pub async fn revoke_invites(conn: &mut AnyConnection, class: ClassId, by: UserId) -> sqlx::Result<()> {
    sqlx::query("UPDATE invites SET revoked_at = $1, revoked_by = $2 WHERE class_id = $3 AND revoked_at IS NULL")
        .bind(now_ms())
        .bind(by.0)
        .bind(class.0)
        .execute(conn)
        .await
        .map(|_| ())
}

/// The ending year: its periods closed (marks change only by an admin with a reason)
/// and the year archived. Its teaching assignments stay as they were: last year's
/// journal is read through them, and an archived year's take no changes.
pub async fn archive_year(conn: &mut AnyConnection, year: YearId, by: UserId) -> sqlx::Result<()> {
    let now = now_ms();
    sqlx::query("UPDATE academic_periods SET closed_at = $1, closed_by = $2 WHERE year_id = $3 AND closed_at IS NULL")
        .bind(now)
        .bind(by.0)
        .bind(year.0)
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE academic_years SET archived_at = $1, archived_by = $2 WHERE id = $3 AND archived_at IS NULL")
        .bind(now)
        .bind(by.0)
        .bind(year.0)
        .execute(conn)
        .await
        .map(|_| ())
}
