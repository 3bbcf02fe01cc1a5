//! The school's journal settings (its rounding rule) and final marks: period marks and
//! year marks (period 0 of `period_marks`), read per assignment.

use parta_domain::OrgId;
use parta_domain::journal::ROUND_FROM_DEFAULT;
use sqlx::AnyConnection;

use crate::clock::now_ms;

/// The period number year marks are kept under in `period_marks`.
pub const YEAR: i64 = 0;

/// The school's rounding threshold (4.5 unless it set another).
pub async fn round_from(conn: &mut AnyConnection, org: OrgId) -> sqlx::Result<f64> {
    let centi: Option<i64> = sqlx::query_scalar("SELECT round_from_centi FROM journal_settings WHERE org_id = $1")
        .bind(org.0)
        .fetch_optional(conn)
        .await?;
    Ok(centi.map_or(ROUND_FROM_DEFAULT, |c| c as f64 / 100.0))
}

pub async fn set_round_from(
    conn: &mut AnyConnection,
    org: OrgId,
    centi: i64,
    by: parta_domain::UserId,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO journal_settings (org_id, round_from_centi, changed_by, changed_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (org_id) DO UPDATE SET round_from_centi = $2, changed_by = $3, changed_at = $4",
    )
    .bind(org.0)
    .bind(centi)
    .bind(by.0)
    .bind(now_ms())
    .execute(conn)
    .await
    .map(|_| ())
}

/// Every mark of an assignment set for a period or the year: (period, student, mark);
/// the year's under period 0.
pub async fn final_marks(conn: &mut AnyConnection, assignment: i64) -> sqlx::Result<Vec<(i64, i64, String)>> {
    sqlx::query_as("SELECT period, student_id, mark FROM period_marks WHERE assignment_id = $1 ORDER BY period")
        .bind(assignment)
        .fetch_all(conn)
        .await
}
