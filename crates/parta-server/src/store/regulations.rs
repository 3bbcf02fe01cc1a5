//! A school's numbers for the regulations' rules, and what judging homework against
//! them needs to read: the homework due on a day, and who is in which group.

use parta_domain::regulations::{DueHomework, Thresholds};
use parta_domain::{ClassId, LessonId, OrgId, UserId};
use sqlx::AnyConnection;

use crate::clock::now_ms;

/// The school's thresholds: its own, or the seeds' when it set none.
pub async fn thresholds(conn: &mut AnyConnection, org: OrgId) -> sqlx::Result<Thresholds> {
    let text: Option<String> = sqlx::query_scalar("SELECT thresholds FROM school_regulations WHERE org_id = $1")
        .bind(org.0)
        .fetch_optional(conn)
        .await?;
    // A row this version cannot read (written by a later one) falls back to the seeds'.
    Ok(text.and_then(|t| serde_json::from_str(&t).ok()).unwrap_or_default())
}

pub async fn set_thresholds(
    conn: &mut AnyConnection,
    org: OrgId,
    thresholds: &Thresholds,
    by: UserId,
) -> sqlx::Result<()> {
    let text = serde_json::to_string(thresholds).expect("thresholds serialize");
    sqlx::query(
        "INSERT INTO school_regulations (org_id, thresholds, changed_by, changed_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (org_id) DO UPDATE SET thresholds = $2, changed_by = $3, changed_at = $4",
    )
    .bind(org.0)
    .bind(text)
    .bind(by.0)
    .bind(now_ms())
    .execute(conn)
    .await
    .map(|_| ())
}

/// The homework of a class due on a day with its minutes (none given: 0) and whom it
/// is for, leaving out one lesson's (whose homework is being replaced).
pub async fn due_on(
    conn: &mut AnyConnection,
    class: ClassId,
    day: &str,
    except: LessonId,
) -> sqlx::Result<Vec<DueHomework>> {
    let rows: Vec<(Option<i64>, Option<i64>)> = sqlx::query_as(
        "SELECT h.minutes, l.group_id FROM homework h JOIN lessons l ON l.id = h.lesson_id
         WHERE h.class_id = $1 AND h.due_on = $2 AND h.lesson_id <> $3",
    )
    .bind(class.0)
    .bind(day)
    .bind(except.0)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|(minutes, group)| DueHomework { minutes: minutes.unwrap_or(0), group }).collect())
}

/// The groups of a class each of its students is in: (student, group).
pub async fn group_members(conn: &mut AnyConnection, class: ClassId) -> sqlx::Result<Vec<(i64, i64)>> {
    sqlx::query_as(
        "SELECT m.student_id, m.group_id FROM class_group_students m JOIN class_groups g ON g.id = m.group_id
         WHERE g.class_id = $1",
    )
    .bind(class.0)
    .fetch_all(conn)
    .await
}
