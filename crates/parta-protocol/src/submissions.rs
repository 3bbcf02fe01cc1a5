//! Students' work handed in for homework, and the teacher's answer to it.

use parta_domain::{FileId, GradeTypeId, LessonId, SubmissionId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{FileInfo, Grade, PersonRef};

/// Where a student's work for a homework stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SubmissionStatus {
    /// Nothing handed in yet.
    NotHandedIn,
    /// Handed in on time, not checked yet.
    HandedIn,
    /// Handed in after the due day ended, not checked yet.
    Late,
    /// Given back with a comment; the student may hand in again.
    Returned,
    /// Graded: the mark is in the journal at the homework's lesson.
    Graded,
}

/// A student's work for the homework of a lesson.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Submission {
    pub id: SubmissionId,
    pub lesson_id: LessonId,
    pub student: PersonRef,
    /// `handed_in`, `late`, `returned` or `graded`.
    pub status: SubmissionStatus,
    pub body: String,
    pub files: Vec<FileInfo>,
    /// When it was (last) handed in (RFC 3339).
    pub handed_in_at: String,
    /// Handed in after the end of the due day, in the school's time zone.
    pub late: bool,
    /// The teacher's comment when returning it (or grading it).
    pub comment: Option<String>,
    /// When the teacher returned or graded it (RFC 3339).
    pub checked_at: Option<String>,
    /// The mark it got, as it stands in the journal.
    pub grade: Option<Grade>,
}

/// A student of the lesson and their work for its homework.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StudentSubmission {
    pub student: PersonRef,
    pub status: SubmissionStatus,
    pub submission: Option<Submission>,
}

/// Every student of a lesson with their work for its homework.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LessonSubmissions {
    pub lesson_id: LessonId,
    /// `YYYY-MM-DD`: the homework's due day; none while the lesson has no homework.
    pub due_on: Option<String>,
    pub students: Vec<StudentSubmission>,
}

/// Work handed in: text, files (uploaded first to the school), or both.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct HandInRequest {
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub files: Vec<FileId>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReturnSubmissionRequest {
    /// What to do over.
    pub comment: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct GradeSubmissionRequest {
    /// `1`–`5`, `зч`, `нз`.
    pub mark: String,
    /// The kind of work; «Домашняя работа» when not given.
    #[serde(default)]
    pub grade_type_id: Option<GradeTypeId>,
    #[serde(default)]
    pub comment: Option<String>,
}
