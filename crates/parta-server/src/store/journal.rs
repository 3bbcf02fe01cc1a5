//! The class journal: grade types, lessons as held, attendance and marks, each
//! change of the last two kept with the value before it.

use parta_domain::{ClassId, GradeId, GradeTypeId, LessonId, OrgId, UserId};
use sqlx::AnyConnection;

use crate::clock::now_ms;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct GradeTypeRow {
    pub id: i64,
    pub name: String,
    pub weight_centi: i64,
    pub archived_at: Option<i64>,
}

pub async fn grade_types(conn: &mut AnyConnection, org: OrgId) -> sqlx::Result<Vec<GradeTypeRow>> {
    sqlx::query_as(
        "SELECT id, name, weight_centi, archived_at FROM grade_types WHERE org_id = $1 ORDER BY weight_centi, id",
    )
    .bind(org.0)
    .fetch_all(conn)
    .await
}

pub async fn insert_grade_type(
    conn: &mut AnyConnection,
    org: OrgId,
    name: &str,
    weight_centi: i64,
) -> sqlx::Result<GradeTypeId> {
    let id: i64 =
        sqlx::query_scalar("INSERT INTO grade_types (org_id, name, weight_centi) VALUES ($1, $2, $3) RETURNING id")
            .bind(org.0)
            .bind(name)
            .bind(weight_centi)
            .fetch_one(conn)
            .await?;
    Ok(GradeTypeId(id))
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LessonRow {
    pub id: i64,
    pub org_id: i64,
    pub year_id: i64,
    pub assignment_id: i64,
    pub class_id: i64,
    pub group_id: Option<i64>,
    pub subject_id: i64,
    pub teacher_id: i64,
    pub held_on: String,
    pub shift: i64,
    pub number: i64,
    pub starts_at: i64,
    pub ends_at: i64,
    pub topic: Option<String>,
}

impl LessonRow {
    pub fn lesson_id(&self) -> LessonId {
        LessonId(self.id)
    }
}

const LESSON_COLUMNS: &str = "id, org_id, year_id, assignment_id, class_id, group_id, subject_id, teacher_id, held_on, \
                              shift, number, starts_at, ends_at, topic";

pub async fn lesson(conn: &mut AnyConnection, org: OrgId, id: LessonId) -> sqlx::Result<Option<LessonRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {LESSON_COLUMNS} FROM lessons WHERE org_id = $1 AND id = $2")))
        .bind(org.0)
        .bind(id.0)
        .fetch_optional(conn)
        .await
}

/// The lesson of an assignment on a date in a slot, if it has been written down.
pub async fn lesson_at(
    conn: &mut AnyConnection,
    assignment: i64,
    held_on: &str,
    shift: i64,
    number: i64,
) -> sqlx::Result<Option<LessonRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {LESSON_COLUMNS} FROM lessons WHERE assignment_id = $1 AND held_on = $2 AND shift = $3 AND number = $4"
    )))
    .bind(assignment)
    .bind(held_on)
    .bind(shift)
    .bind(number)
    .fetch_optional(conn)
    .await
}

/// A lesson to write down; `id` and `topic` are set apart.
pub async fn insert_lesson(conn: &mut AnyConnection, row: &LessonRow) -> sqlx::Result<LessonId> {
    let now = now_ms();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO lessons (org_id, year_id, assignment_id, class_id, group_id, subject_id, teacher_id, held_on,
                              shift, number, starts_at, ends_at, topic, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14) RETURNING id",
    )
    .bind(row.org_id)
    .bind(row.year_id)
    .bind(row.assignment_id)
    .bind(row.class_id)
    .bind(row.group_id)
    .bind(row.subject_id)
    .bind(row.teacher_id)
    .bind(&row.held_on)
    .bind(row.shift)
    .bind(row.number)
    .bind(row.starts_at)
    .bind(row.ends_at)
    .bind(&row.topic)
    .bind(now)
    .fetch_one(conn)
    .await?;
    Ok(LessonId(id))
}

pub async fn set_topic(conn: &mut AnyConnection, id: LessonId, topic: Option<&str>) -> sqlx::Result<()> {
    sqlx::query("UPDATE lessons SET topic = $1, updated_at = $2 WHERE id = $3")
        .bind(topic)
        .bind(now_ms())
        .bind(id.0)
        .execute(conn)
        .await
        .map(|_| ())
}

/// The students of a class on a date: their place there began by then and had not ended.
pub async fn class_students_on(
    conn: &mut AnyConnection,
    org: OrgId,
    class: ClassId,
    date: &str,
) -> sqlx::Result<Vec<UserId>> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT DISTINCT user_id FROM memberships
         WHERE org_id = $1 AND class_id = $2 AND role = 'student' AND started_on <= $3
           AND (ended_on IS NULL OR ended_on > $3)
         ORDER BY user_id",
    )
    .bind(org.0)
    .bind(class.0)
    .bind(date)
    .fetch_all(conn)
    .await?;
    Ok(ids.into_iter().map(UserId).collect())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AttendanceRow {
    pub student_id: i64,
    pub absence: String,
    pub minutes_late: Option<i64>,
    pub reason: Option<String>,
}

pub async fn attendance(conn: &mut AnyConnection, lesson: LessonId) -> sqlx::Result<Vec<AttendanceRow>> {
    sqlx::query_as("SELECT student_id, absence, minutes_late, reason FROM attendance WHERE lesson_id = $1")
        .bind(lesson.0)
        .fetch_all(conn)
        .await
}

/// Writes one student's attendance (`None`: present), keeping what stood before;
/// false when it was so already.
pub async fn set_attendance(
    conn: &mut AnyConnection,
    org: OrgId,
    lesson: LessonId,
    student: UserId,
    entry: Option<&AttendanceRow>,
    by: UserId,
) -> sqlx::Result<bool> {
    let now = now_ms();
    let before: Option<AttendanceRow> = sqlx::query_as(
        "SELECT student_id, absence, minutes_late, reason FROM attendance WHERE lesson_id = $1 AND student_id = $2",
    )
    .bind(lesson.0)
    .bind(student.0)
    .fetch_optional(&mut *conn)
    .await?;
    let same = match (&before, entry) {
        (None, None) => true,
        (Some(b), Some(e)) => b.absence == e.absence && b.minutes_late == e.minutes_late && b.reason == e.reason,
        _ => false,
    };
    if same {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO attendance_history (org_id, lesson_id, student_id, absence, minutes_late, reason, changed_by, changed_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(org.0)
    .bind(lesson.0)
    .bind(student.0)
    .bind(before.as_ref().map(|b| b.absence.clone()))
    .bind(before.as_ref().and_then(|b| b.minutes_late))
    .bind(before.as_ref().and_then(|b| b.reason.clone()))
    .bind(by.0)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM attendance WHERE lesson_id = $1 AND student_id = $2")
        .bind(lesson.0)
        .bind(student.0)
        .execute(&mut *conn)
        .await?;
    if let Some(entry) = entry {
        sqlx::query(
            "INSERT INTO attendance (lesson_id, org_id, student_id, absence, minutes_late, reason, set_by, set_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(lesson.0)
        .bind(org.0)
        .bind(student.0)
        .bind(&entry.absence)
        .bind(entry.minutes_late)
        .bind(&entry.reason)
        .bind(by.0)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(true)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct GradeRow {
    pub id: i64,
    pub student_id: i64,
    pub mark: String,
    pub grade_type_id: i64,
    pub weight_centi: i64,
    pub comment: Option<String>,
    pub given_at: i64,
    /// When it was due by the rules in force when first given (`None`: before they were kept).
    pub due_by: Option<i64>,
}

impl GradeRow {
    pub fn is_late(&self) -> bool {
        self.due_by.is_some_and(|due| self.given_at > due)
    }
}

/// A lesson's marks still standing, in the order they were given.
pub async fn grades(conn: &mut AnyConnection, lesson: LessonId) -> sqlx::Result<Vec<GradeRow>> {
    sqlx::query_as(
        "SELECT id, student_id, mark, grade_type_id, weight_centi, comment, given_at, due_by FROM grades
         WHERE lesson_id = $1 AND deleted_at IS NULL ORDER BY id",
    )
    .bind(lesson.0)
    .fetch_all(conn)
    .await
}

pub struct NewGrade<'a> {
    pub student: UserId,
    pub mark: &'a str,
    pub grade_type: GradeTypeId,
    pub weight_centi: i64,
    pub comment: Option<&'a str>,
    /// When it is due by the school's rules.
    pub due_by: i64,
}

pub async fn insert_grade(
    conn: &mut AnyConnection,
    org: OrgId,
    lesson: LessonId,
    grade: &NewGrade<'_>,
    by: UserId,
) -> sqlx::Result<GradeId> {
    let now = now_ms();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO grades (org_id, lesson_id, student_id, mark, grade_type_id, weight_centi, comment, given_by, given_at, updated_at, due_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10) RETURNING id",
    )
    .bind(org.0)
    .bind(lesson.0)
    .bind(grade.student.0)
    .bind(grade.mark)
    .bind(grade.grade_type.0)
    .bind(grade.weight_centi)
    .bind(grade.comment)
    .bind(by.0)
    .bind(now)
    .bind(grade.due_by)
    .fetch_one(conn)
    .await?;
    Ok(GradeId(id))
}

async fn keep_before(
    conn: &mut AnyConnection,
    org: OrgId,
    before: &GradeRow,
    change: &str,
    by: UserId,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO grade_history (org_id, grade_id, mark, grade_type_id, comment, change, changed_by, changed_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(org.0)
    .bind(before.id)
    .bind(&before.mark)
    .bind(before.grade_type_id)
    .bind(&before.comment)
    .bind(change)
    .bind(by.0)
    .bind(now_ms())
    .execute(conn)
    .await
    .map(|_| ())
}

/// Changes a mark, keeping the one before it.
pub async fn update_grade(
    conn: &mut AnyConnection,
    org: OrgId,
    before: &GradeRow,
    grade: &NewGrade<'_>,
    by: UserId,
) -> sqlx::Result<()> {
    keep_before(conn, org, before, "edited", by).await?;
    sqlx::query(
        "UPDATE grades SET mark = $1, grade_type_id = $2, weight_centi = $3, comment = $4, updated_at = $5 WHERE id = $6",
    )
    .bind(grade.mark)
    .bind(grade.grade_type.0)
    .bind(grade.weight_centi)
    .bind(grade.comment)
    .bind(now_ms())
    .bind(before.id)
    .execute(conn)
    .await
    .map(|_| ())
}

/// Takes a mark back; the record keeps it.
pub async fn delete_grade(conn: &mut AnyConnection, org: OrgId, before: &GradeRow, by: UserId) -> sqlx::Result<()> {
    keep_before(conn, org, before, "deleted", by).await?;
    sqlx::query("UPDATE grades SET deleted_at = $1 WHERE id = $2")
        .bind(now_ms())
        .bind(before.id)
        .execute(conn)
        .await
        .map(|_| ())
}

/// An assignment's written-down lessons between two dates (both included), in order.
/// Whose lessons a read of several lessons' records covers.
#[derive(Debug, Clone, Copy)]
pub enum LessonsOf {
    Assignment(i64),
    Class(ClassId),
}

impl LessonsOf {
    fn filter(self) -> (&'static str, i64) {
        match self {
            LessonsOf::Assignment(id) => ("l.assignment_id", id),
            LessonsOf::Class(class) => ("l.class_id", class.0),
        }
    }
}

/// Attendance at the lessons held between two dates (of one student, or everyone's),
/// each with its lesson: one statement for a whole grid or week.
pub async fn attendance_between(
    conn: &mut AnyConnection,
    of: LessonsOf,
    (from, to): (&str, &str),
    student: Option<UserId>,
) -> sqlx::Result<Vec<(i64, AttendanceRow)>> {
    let (column, id) = of.filter();
    type Row = (i64, i64, String, Option<i64>, Option<String>);
    let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT a.lesson_id, a.student_id, a.absence, a.minutes_late, a.reason
         FROM attendance a JOIN lessons l ON l.id = a.lesson_id
         WHERE {column} = $1 AND l.held_on >= $2 AND l.held_on <= $3 AND ($4 = 0 OR a.student_id = $4)"
    )))
    .bind(id)
    .bind(from)
    .bind(to)
    .bind(student.map_or(0, |s| s.0))
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(lesson, student_id, absence, minutes_late, reason)| {
            (lesson, AttendanceRow { student_id, absence, minutes_late, reason })
        })
        .collect())
}

/// Marks still standing at the lessons held between two dates (of one student, or
/// everyone's), each with its lesson, in the order they were given.
pub async fn grades_between(
    conn: &mut AnyConnection,
    of: LessonsOf,
    (from, to): (&str, &str),
    student: Option<UserId>,
) -> sqlx::Result<Vec<(i64, GradeRow)>> {
    let (column, id) = of.filter();
    type Row = (i64, i64, i64, String, i64, i64, Option<String>, i64, Option<i64>);
    let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT g.lesson_id, g.id, g.student_id, g.mark, g.grade_type_id, g.weight_centi, g.comment, g.given_at, g.due_by
         FROM grades g JOIN lessons l ON l.id = g.lesson_id
         WHERE {column} = $1 AND l.held_on >= $2 AND l.held_on <= $3 AND g.deleted_at IS NULL
           AND ($4 = 0 OR g.student_id = $4)
         ORDER BY g.id"
    )))
    .bind(id)
    .bind(from)
    .bind(to)
    .bind(student.map_or(0, |s| s.0))
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(lesson, id, student_id, mark, grade_type_id, weight_centi, comment, given_at, due_by)| {
            (lesson, GradeRow { id, student_id, mark, grade_type_id, weight_centi, comment, given_at, due_by })
        })
        .collect())
}

/// A class's lessons written down between two dates.
pub async fn class_lessons_between(
    conn: &mut AnyConnection,
    class: ClassId,
    from: &str,
    to: &str,
) -> sqlx::Result<Vec<LessonRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {LESSON_COLUMNS} FROM lessons WHERE class_id = $1 AND held_on >= $2 AND held_on <= $3"
    )))
    .bind(class.0)
    .bind(from)
    .bind(to)
    .fetch_all(conn)
    .await
}

/// The homework set at a class's lessons held between two dates.
pub async fn class_homework_between(
    conn: &mut AnyConnection,
    class: ClassId,
    from: &str,
    to: &str,
) -> sqlx::Result<Vec<HomeworkRow>> {
    sqlx::query_as(
        "SELECT h.lesson_id, h.body, h.due_on, h.minutes, h.entered_at, h.due_by
         FROM homework h JOIN lessons l ON l.id = h.lesson_id
         WHERE l.class_id = $1 AND l.held_on >= $2 AND l.held_on <= $3",
    )
    .bind(class.0)
    .bind(from)
    .bind(to)
    .fetch_all(conn)
    .await
}

pub async fn lessons_between(
    conn: &mut AnyConnection,
    assignment: i64,
    from: &str,
    to: &str,
) -> sqlx::Result<Vec<LessonRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {LESSON_COLUMNS} FROM lessons WHERE assignment_id = $1 AND held_on >= $2 AND held_on <= $3
         ORDER BY held_on, shift, number"
    )))
    .bind(assignment)
    .bind(from)
    .bind(to)
    .fetch_all(conn)
    .await
}

/// The students of a class at any time between two dates.
pub async fn class_students_between(
    conn: &mut AnyConnection,
    org: OrgId,
    class: ClassId,
    from: &str,
    to: &str,
) -> sqlx::Result<Vec<UserId>> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT DISTINCT user_id FROM memberships
         WHERE org_id = $1 AND class_id = $2 AND role = 'student' AND started_on <= $4
           AND (ended_on IS NULL OR ended_on > $3)
         ORDER BY user_id",
    )
    .bind(org.0)
    .bind(class.0)
    .bind(from)
    .bind(to)
    .fetch_all(conn)
    .await?;
    Ok(ids.into_iter().map(UserId).collect())
}

/// The period marks of an assignment's students: (student, mark).
pub async fn period_marks(conn: &mut AnyConnection, assignment: i64, period: i64) -> sqlx::Result<Vec<(i64, String)>> {
    sqlx::query_as("SELECT student_id, mark FROM period_marks WHERE assignment_id = $1 AND period = $2")
        .bind(assignment)
        .bind(period)
        .fetch_all(conn)
        .await
}

pub struct PeriodMarkChange<'a> {
    pub assignment: i64,
    pub period: i64,
    pub student: UserId,
    pub mark: Option<&'a str>,
    pub reason: Option<&'a str>,
}

/// Sets (or takes back) a period mark, keeping the one before it; false when it stood so.
pub async fn set_period_mark(
    conn: &mut AnyConnection,
    org: OrgId,
    change: &PeriodMarkChange<'_>,
    by: UserId,
) -> sqlx::Result<bool> {
    let before: Option<String> = sqlx::query_scalar(
        "SELECT mark FROM period_marks WHERE assignment_id = $1 AND period = $2 AND student_id = $3",
    )
    .bind(change.assignment)
    .bind(change.period)
    .bind(change.student.0)
    .fetch_optional(&mut *conn)
    .await?;
    if before.as_deref() == change.mark {
        return Ok(false);
    }
    let now = now_ms();
    sqlx::query(
        "INSERT INTO period_mark_history (org_id, assignment_id, period, student_id, mark, reason, changed_by, changed_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(org.0)
    .bind(change.assignment)
    .bind(change.period)
    .bind(change.student.0)
    .bind(&before)
    .bind(change.reason)
    .bind(by.0)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM period_marks WHERE assignment_id = $1 AND period = $2 AND student_id = $3")
        .bind(change.assignment)
        .bind(change.period)
        .bind(change.student.0)
        .execute(&mut *conn)
        .await?;
    if let Some(mark) = change.mark {
        sqlx::query(
            "INSERT INTO period_marks (org_id, assignment_id, period, student_id, mark, set_by, set_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(org.0)
        .bind(change.assignment)
        .bind(change.period)
        .bind(change.student.0)
        .bind(mark)
        .bind(by.0)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(true)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct HomeworkRow {
    pub lesson_id: i64,
    pub body: String,
    pub due_on: String,
    pub minutes: Option<i64>,
    pub entered_at: i64,
    /// When it was due by the rules in force when first entered (`None`: before they were kept).
    pub due_by: Option<i64>,
}

impl HomeworkRow {
    pub fn is_late(&self) -> bool {
        self.due_by.is_some_and(|due| self.entered_at > due)
    }
}

pub async fn homework(conn: &mut AnyConnection, lesson: LessonId) -> sqlx::Result<Option<HomeworkRow>> {
    sqlx::query_as("SELECT lesson_id, body, due_on, minutes, entered_at, due_by FROM homework WHERE lesson_id = $1")
        .bind(lesson.0)
        .fetch_optional(conn)
        .await
}

/// Homework of a class due between two dates (both included), by due date.
pub async fn homework_due(
    conn: &mut AnyConnection,
    class: ClassId,
    from: &str,
    to: &str,
) -> sqlx::Result<Vec<HomeworkRow>> {
    sqlx::query_as(
        "SELECT lesson_id, body, due_on, minutes, entered_at, due_by FROM homework
         WHERE class_id = $1 AND due_on >= $2 AND due_on <= $3 ORDER BY due_on, id",
    )
    .bind(class.0)
    .bind(from)
    .bind(to)
    .fetch_all(conn)
    .await
}

pub struct NewHomework<'a> {
    pub body: &'a str,
    pub due_on: &'a str,
    pub minutes: Option<i64>,
    /// When it is due in the journal by the school's rules, kept from its first entry.
    pub due_by: i64,
}

/// Sets a lesson's homework: first entered now, or changed (its entry time stays).
pub async fn set_homework(
    conn: &mut AnyConnection,
    lesson: &LessonRow,
    homework: &NewHomework<'_>,
    by: UserId,
) -> sqlx::Result<()> {
    let now = now_ms();
    let changed =
        sqlx::query("UPDATE homework SET body = $1, due_on = $2, minutes = $3, updated_at = $4 WHERE lesson_id = $5")
            .bind(homework.body)
            .bind(homework.due_on)
            .bind(homework.minutes)
            .bind(now)
            .bind(lesson.id)
            .execute(&mut *conn)
            .await?;
    if changed.rows_affected() == 0 {
        sqlx::query(
            "INSERT INTO homework (org_id, lesson_id, class_id, body, due_on, minutes, set_by, entered_at, updated_at, due_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9)",
        )
        .bind(lesson.org_id)
        .bind(lesson.id)
        .bind(lesson.class_id)
        .bind(homework.body)
        .bind(homework.due_on)
        .bind(homework.minutes)
        .bind(by.0)
        .bind(now)
        .bind(homework.due_by)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

pub async fn delete_homework(conn: &mut AnyConnection, lesson: LessonId) -> sqlx::Result<bool> {
    let done = sqlx::query("DELETE FROM homework WHERE lesson_id = $1").bind(lesson.0).execute(conn).await?;
    Ok(done.rows_affected() == 1)
}

pub async fn grade_type(conn: &mut AnyConnection, org: OrgId, id: GradeTypeId) -> sqlx::Result<Option<GradeTypeRow>> {
    sqlx::query_as("SELECT id, name, weight_centi, archived_at FROM grade_types WHERE org_id = $1 AND id = $2")
        .bind(org.0)
        .bind(id.0)
        .fetch_optional(conn)
        .await
}

/// Renames, reweighs or archives a kind of work; marks given keep the weight they were given with.
pub async fn update_grade_type(
    conn: &mut AnyConnection,
    id: GradeTypeId,
    name: &str,
    weight_centi: i64,
    archived_at: Option<i64>,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE grade_types SET name = $1, weight_centi = $2, archived_at = $3 WHERE id = $4")
        .bind(name)
        .bind(weight_centi)
        .bind(archived_at)
        .bind(id.0)
        .execute(conn)
        .await
        .map(|_| ())
}

/// Signs a student's week for a parent; false when they had signed it already.
pub async fn sign_week(
    conn: &mut AnyConnection,
    org: OrgId,
    student: UserId,
    monday: &str,
    parent: UserId,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "INSERT INTO diary_signatures (org_id, student_id, monday, parent_id, signed_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (student_id, monday, parent_id) DO NOTHING",
    )
    .bind(org.0)
    .bind(student.0)
    .bind(monday)
    .bind(parent.0)
    .bind(now_ms())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Who signed a student's week, and when: (parent, signed_at).
pub async fn week_signatures(conn: &mut AnyConnection, student: UserId, monday: &str) -> sqlx::Result<Vec<(i64, i64)>> {
    sqlx::query_as(
        "SELECT parent_id, signed_at FROM diary_signatures WHERE student_id = $1 AND monday = $2 ORDER BY signed_at",
    )
    .bind(student.0)
    .bind(monday)
    .fetch_all(conn)
    .await
}

/// A student's standing marks at an assignment's lessons between two dates: (date, grade).
pub async fn student_grades_between(
    conn: &mut AnyConnection,
    assignment: i64,
    student: UserId,
    from: &str,
    to: &str,
) -> sqlx::Result<Vec<(String, String, i64, i64)>> {
    sqlx::query_as(
        "SELECT l.held_on, g.mark, g.weight_centi, g.grade_type_id FROM grades g JOIN lessons l ON l.id = g.lesson_id
         WHERE l.assignment_id = $1 AND g.student_id = $2 AND g.deleted_at IS NULL AND l.held_on >= $3 AND l.held_on <= $4
         ORDER BY l.held_on, g.id",
    )
    .bind(assignment)
    .bind(student.0)
    .bind(from)
    .bind(to)
    .fetch_all(conn)
    .await
}
