//! Homework's files and students' submissions (with their files). Journal files are rows
//! of `files` without a chat, referenced by one homework or one submission.

use parta_domain::{FileId, LessonId, OrgId, SubmissionId, UserId};
use sqlx::AnyConnection;

use super::files::FileRow;

const FILE_COLUMNS: &str = "f.id, f.org_id, f.storage_key, f.content_type, f.size, f.original_name, f.sha256, \
     f.uploaded_by, f.chat_id, f.thumbnail_key";

/// A homework's files, in order.
pub async fn homework_files(conn: &mut AnyConnection, lesson: LessonId) -> sqlx::Result<Vec<FileRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {FILE_COLUMNS} FROM homework_files h JOIN files f ON f.id = h.file_id
         WHERE h.lesson_id = $1 ORDER BY h.position"
    )))
    .bind(lesson.0)
    .fetch_all(conn)
    .await
}

/// Makes a homework's files exactly these, in order.
pub async fn set_homework_files(
    conn: &mut AnyConnection,
    org: OrgId,
    lesson: LessonId,
    files: &[FileId],
) -> sqlx::Result<()> {
    delete_homework_files(conn, lesson).await?;
    for (position, file) in files.iter().enumerate() {
        sqlx::query("INSERT INTO homework_files (org_id, lesson_id, file_id, position) VALUES ($1, $2, $3, $4)")
            .bind(org.0)
            .bind(lesson.0)
            .bind(file.0)
            .bind(position as i64)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

pub async fn delete_homework_files(conn: &mut AnyConnection, lesson: LessonId) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM homework_files WHERE lesson_id = $1").bind(lesson.0).execute(conn).await.map(|_| ())
}

/// What a journal file belongs to.
pub enum FilePlace {
    /// The homework of a lesson.
    Homework(LessonId),
    /// A student's submission for the homework of a lesson.
    Submission { lesson: LessonId, student: UserId },
    /// The signed document of a remote-learning order: the whole school reads it.
    Order(parta_domain::OrderId),
}

pub async fn file_place(conn: &mut AnyConnection, file: FileId) -> sqlx::Result<Option<FilePlace>> {
    let homework: Option<i64> = sqlx::query_scalar("SELECT lesson_id FROM homework_files WHERE file_id = $1")
        .bind(file.0)
        .fetch_optional(&mut *conn)
        .await?;
    if let Some(lesson) = homework {
        return Ok(Some(FilePlace::Homework(LessonId(lesson))));
    }
    if let Some(order) = super::distance::order_of_document(&mut *conn, file).await? {
        return Ok(Some(FilePlace::Order(parta_domain::OrderId(order))));
    }
    let submission: Option<(i64, i64)> = sqlx::query_as(
        "SELECT s.lesson_id, s.student_id FROM submission_files sf JOIN submissions s ON s.id = sf.submission_id
         WHERE sf.file_id = $1",
    )
    .bind(file.0)
    .fetch_optional(conn)
    .await?;
    Ok(submission.map(|(lesson, student)| FilePlace::Submission { lesson: LessonId(lesson), student: UserId(student) }))
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SubmissionRow {
    pub id: i64,
    pub org_id: i64,
    pub lesson_id: i64,
    pub student_id: i64,
    pub body: String,
    pub handed_in_at: i64,
    pub late: i64,
    /// `handed_in`, `returned` or `graded`.
    pub status: String,
    pub comment: Option<String>,
    pub checked_at: Option<i64>,
    pub grade_id: Option<i64>,
}

impl SubmissionRow {
    pub fn submission_id(&self) -> SubmissionId {
        SubmissionId(self.id)
    }
}

const SUBMISSION_COLUMNS: &str =
    "id, org_id, lesson_id, student_id, body, handed_in_at, late, status, comment, checked_at, grade_id";

pub async fn submission(conn: &mut AnyConnection, org: OrgId, id: SubmissionId) -> sqlx::Result<Option<SubmissionRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {SUBMISSION_COLUMNS} FROM submissions WHERE id = $1 AND org_id = $2"
    )))
    .bind(id.0)
    .bind(org.0)
    .fetch_optional(conn)
    .await
}

pub async fn submission_of(
    conn: &mut AnyConnection,
    lesson: LessonId,
    student: UserId,
) -> sqlx::Result<Option<SubmissionRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {SUBMISSION_COLUMNS} FROM submissions WHERE lesson_id = $1 AND student_id = $2"
    )))
    .bind(lesson.0)
    .bind(student.0)
    .fetch_optional(conn)
    .await
}

pub async fn submissions_of_lesson(conn: &mut AnyConnection, lesson: LessonId) -> sqlx::Result<Vec<SubmissionRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {SUBMISSION_COLUMNS} FROM submissions WHERE lesson_id = $1 ORDER BY id"
    )))
    .bind(lesson.0)
    .fetch_all(conn)
    .await
}

pub struct HandIn<'a> {
    pub lesson: LessonId,
    pub student: UserId,
    pub body: &'a str,
    pub at: i64,
    pub late: bool,
}

/// Records work handed in: a new submission, or the earlier one replaced (back to
/// `handed_in`, the teacher's comment kept).
pub async fn hand_in(conn: &mut AnyConnection, org: OrgId, work: &HandIn<'_>) -> sqlx::Result<SubmissionId> {
    if let Some(existing) = submission_of(conn, work.lesson, work.student).await? {
        sqlx::query(
            "UPDATE submissions SET body = $1, handed_in_at = $2, late = $3, status = 'handed_in' WHERE id = $4",
        )
        .bind(work.body)
        .bind(work.at)
        .bind(i64::from(work.late))
        .bind(existing.id)
        .execute(conn)
        .await?;
        return Ok(existing.submission_id());
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO submissions (org_id, lesson_id, student_id, body, handed_in_at, late, status)
         VALUES ($1, $2, $3, $4, $5, $6, 'handed_in') RETURNING id",
    )
    .bind(org.0)
    .bind(work.lesson.0)
    .bind(work.student.0)
    .bind(work.body)
    .bind(work.at)
    .bind(i64::from(work.late))
    .fetch_one(conn)
    .await?;
    Ok(SubmissionId(id))
}

pub async fn submission_files(conn: &mut AnyConnection, submission: SubmissionId) -> sqlx::Result<Vec<FileRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {FILE_COLUMNS} FROM submission_files s JOIN files f ON f.id = s.file_id
         WHERE s.submission_id = $1 ORDER BY s.position"
    )))
    .bind(submission.0)
    .fetch_all(conn)
    .await
}

/// Makes a submission's files exactly these, in order.
pub async fn set_submission_files(
    conn: &mut AnyConnection,
    org: OrgId,
    submission: SubmissionId,
    files: &[FileId],
) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM submission_files WHERE submission_id = $1").bind(submission.0).execute(&mut *conn).await?;
    for (position, file) in files.iter().enumerate() {
        sqlx::query("INSERT INTO submission_files (org_id, submission_id, file_id, position) VALUES ($1, $2, $3, $4)")
            .bind(org.0)
            .bind(submission.0)
            .bind(file.0)
            .bind(position as i64)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// The teacher's answer: `returned` with a comment, or `graded` with the journal's mark.
pub struct Check<'a> {
    pub status: &'a str,
    pub comment: Option<&'a str>,
    pub grade: Option<i64>,
    pub by: UserId,
    pub at: i64,
}

pub async fn check(conn: &mut AnyConnection, submission: SubmissionId, check: &Check<'_>) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE submissions SET status = $1, comment = $2, grade_id = $3, checked_by = $4, checked_at = $5 WHERE id = $6",
    )
    .bind(check.status)
    .bind(check.comment)
    .bind(check.grade)
    .bind(check.by.0)
    .bind(check.at)
    .bind(submission.0)
    .execute(conn)
    .await
    .map(|_| ())
}

/// A grade by id, while it stands.
pub async fn standing_grade(conn: &mut AnyConnection, grade: i64) -> sqlx::Result<Option<super::journal::GradeRow>> {
    sqlx::query_as(
        "SELECT id, student_id, mark, grade_type_id, weight_centi, comment, given_at, due_by FROM grades
         WHERE id = $1 AND deleted_at IS NULL",
    )
    .bind(grade)
    .fetch_optional(conn)
    .await
}
