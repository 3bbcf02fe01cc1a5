//! The compliance report of the regulations' rules, for a school's administration.

use parta_domain::LessonId;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{ClassRef, PersonRef, SubjectRef};

/// What one row of the report counts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ComplianceCounts {
    /// Lessons written down in the journal.
    pub lessons: i64,
    pub homework_set: i64,
    /// Homework entered after it was due (seed 001 §5.2: 2 hours after the lesson).
    pub homework_late: i64,
    pub marks: i64,
    /// Marks given after they were due (7 days after the lesson or the hand-in).
    pub late_marks: i64,
    /// Lessons held online.
    pub online_lessons: i64,
    /// Online lessons longer than the grade's limit (§5.1).
    pub online_over_length: i64,
    /// Days a class carried more homework than its grade's limit (§5.1).
    pub overloaded_days: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TeacherCompliance {
    pub teacher: PersonRef,
    pub counts: ComplianceCounts,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ClassCompliance {
    pub class: ClassRef,
    pub counts: ComplianceCounts,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct WeekCompliance {
    /// `YYYY-MM-DD`: the week's Monday.
    pub week_of: String,
    pub counts: ComplianceCounts,
}

/// A lesson the rules flag, to open from the report.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FlaggedLesson {
    pub lesson_id: LessonId,
    /// `YYYY-MM-DD`.
    pub date: String,
    pub number: i64,
    pub subject: SubjectRef,
    pub class: ClassRef,
    pub teacher: PersonRef,
    pub homework_late: bool,
    pub late_marks: i64,
    /// Minutes it was online, when it was.
    pub online_minutes: Option<i64>,
    pub online_limit_minutes: Option<i64>,
}

/// A day a class carried more homework than its grade's limit.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OverloadedDay {
    pub class: ClassRef,
    /// `YYYY-MM-DD`.
    pub date: String,
    pub minutes: i64,
    pub limit_minutes: i64,
}

/// The report over a range of days: by teacher, class and week, and the lessons and
/// days behind its numbers (those of one teacher or class when asked).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ComplianceReport {
    pub from: String,
    pub to: String,
    pub total: ComplianceCounts,
    pub teachers: Vec<TeacherCompliance>,
    pub classes: Vec<ClassCompliance>,
    pub weeks: Vec<WeekCompliance>,
    pub lessons: Vec<FlaggedLesson>,
    pub overloaded_days: Vec<OverloadedDay>,
}
