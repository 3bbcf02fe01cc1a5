//! What the compliance report reads: the lessons written down in a range with their
//! homework, marks and time online, and the homework due in it.

use parta_domain::OrgId;
use sqlx::AnyConnection;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LessonLine {
    pub id: i64,
    pub teacher_id: i64,
    pub class_id: i64,
    pub subject_id: i64,
    pub held_on: String,
    pub number: i64,
    pub homework_entered_at: Option<i64>,
    pub homework_due_by: Option<i64>,
    pub marks: i64,
    pub late_marks: i64,
}

/// The lessons of a school held between two dates (both included).
pub async fn lessons(conn: &mut AnyConnection, org: OrgId, from: &str, to: &str) -> sqlx::Result<Vec<LessonLine>> {
    sqlx::query_as(
        "SELECT l.id, l.teacher_id, l.class_id, l.subject_id, l.held_on, l.number,
                h.entered_at AS homework_entered_at, h.due_by AS homework_due_by,
                (SELECT COUNT(*) FROM grades g WHERE g.lesson_id = l.id AND g.deleted_at IS NULL) AS marks,
                (SELECT COUNT(*) FROM grades g WHERE g.lesson_id = l.id AND g.deleted_at IS NULL
                   AND g.due_by IS NOT NULL AND g.given_at > g.due_by) AS late_marks
         FROM lessons l LEFT JOIN homework h ON h.lesson_id = l.id
         WHERE l.org_id = $1 AND l.held_on >= $2 AND l.held_on <= $3
         ORDER BY l.held_on, l.shift, l.number, l.id",
    )
    .bind(org.0)
    .bind(from)
    .bind(to)
    .fetch_all(conn)
    .await
}

/// The calls of the lessons held between two dates: (lesson, started, ended or `None`
/// while it runs). A call never opened is not here.
pub async fn lesson_calls(
    conn: &mut AnyConnection,
    org: OrgId,
    from: &str,
    to: &str,
) -> sqlx::Result<Vec<(i64, i64, Option<i64>)>> {
    sqlx::query_as(
        "SELECT c.lesson_id, c.started_at, c.ended_at FROM calls c JOIN lessons l ON l.id = c.lesson_id
         WHERE c.org_id = $1 AND c.started_at IS NOT NULL AND l.held_on >= $2 AND l.held_on <= $3",
    )
    .bind(org.0)
    .bind(from)
    .bind(to)
    .fetch_all(conn)
    .await
}

/// The homework due between two dates: (class, day due, minutes, the group it is for).
pub async fn homework_due(
    conn: &mut AnyConnection,
    org: OrgId,
    from: &str,
    to: &str,
) -> sqlx::Result<Vec<(i64, String, Option<i64>, Option<i64>)>> {
    sqlx::query_as(
        "SELECT h.class_id, h.due_on, h.minutes, l.group_id FROM homework h JOIN lessons l ON l.id = h.lesson_id
         WHERE h.org_id = $1 AND h.due_on >= $2 AND h.due_on <= $3 ORDER BY h.class_id, h.due_on",
    )
    .bind(org.0)
    .bind(from)
    .bind(to)
    .fetch_all(conn)
    .await
}
