//! Overrides of a class's lessons on a date (`parta_domain::lesson_plan`): queries only.

use parta_domain::{OrgId, OverrideId, UserId, YearId};
use sqlx::AnyConnection;

use crate::clock::now_ms;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OverrideRow {
    pub id: i64,
    pub org_id: i64,
    pub year_id: i64,
    pub class_id: i64,
    pub assignment_id: i64,
    pub kind: String,
    pub held_on: String,
    pub shift: i64,
    pub number: i64,
    pub teacher_id: i64,
    pub room: Option<String>,
    pub reason: Option<String>,
    pub to_held_on: Option<String>,
    pub to_shift: Option<i64>,
    pub to_number: Option<i64>,
    pub set_by: i64,
    pub set_at: i64,
}

impl OverrideRow {
    pub fn override_id(&self) -> OverrideId {
        OverrideId(self.id)
    }
}

const COLUMNS: &str = "id, org_id, year_id, class_id, assignment_id, kind, held_on, shift, number, teacher_id, room, \
                       reason, to_held_on, to_shift, to_number, set_by, set_at";

/// A year's overrides whose place, or the place a lesson moved to, falls in `from..=to`.
pub async fn between(
    conn: &mut AnyConnection,
    org: OrgId,
    year: YearId,
    from: &str,
    to: &str,
) -> sqlx::Result<Vec<OverrideRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM lesson_overrides
         WHERE org_id = $1 AND year_id = $2
           AND ((held_on >= $3 AND held_on <= $4) OR (to_held_on >= $3 AND to_held_on <= $4))
         ORDER BY held_on, shift, number, id"
    )))
    .bind(org.0)
    .bind(year.0)
    .bind(from)
    .bind(to)
    .fetch_all(conn)
    .await
}

pub async fn get(
    conn: &mut AnyConnection,
    org: OrgId,
    year: YearId,
    id: OverrideId,
) -> sqlx::Result<Option<OverrideRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM lesson_overrides WHERE org_id = $1 AND year_id = $2 AND id = $3"
    )))
    .bind(org.0)
    .bind(year.0)
    .bind(id.0)
    .fetch_optional(conn)
    .await
}

/// Stores an override (`id`, `set_at` are set here).
pub async fn insert(conn: &mut AnyConnection, row: &OverrideRow) -> sqlx::Result<OverrideId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO lesson_overrides (org_id, year_id, class_id, assignment_id, kind, held_on, shift, number,
                                       teacher_id, room, reason, to_held_on, to_shift, to_number, set_by, set_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id",
    )
    .bind(row.org_id)
    .bind(row.year_id)
    .bind(row.class_id)
    .bind(row.assignment_id)
    .bind(&row.kind)
    .bind(&row.held_on)
    .bind(row.shift)
    .bind(row.number)
    .bind(row.teacher_id)
    .bind(&row.room)
    .bind(&row.reason)
    .bind(&row.to_held_on)
    .bind(row.to_shift)
    .bind(row.to_number)
    .bind(row.set_by)
    .bind(now_ms())
    .fetch_one(conn)
    .await?;
    Ok(OverrideId(id))
}

pub async fn delete(conn: &mut AnyConnection, id: OverrideId) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM lesson_overrides WHERE id = $1").bind(id.0).execute(conn).await.map(|_| ())
}

/// Hands a written-down lesson to the teacher who teaches it that day (a replacement
/// set or taken back after it was written down).
pub async fn set_lesson_teacher(
    conn: &mut AnyConnection,
    assignment: i64,
    held_on: &str,
    shift: i64,
    number: i64,
    teacher: UserId,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE lessons SET teacher_id = $1, updated_at = $2
         WHERE assignment_id = $3 AND held_on = $4 AND shift = $5 AND number = $6",
    )
    .bind(teacher.0)
    .bind(now_ms())
    .bind(assignment)
    .bind(held_on)
    .bind(shift)
    .bind(number)
    .execute(conn)
    .await
    .map(|_| ())
}
