//! The regulations' rules as a school applies them: its numbers, a day's homework
//! load, and when a lesson's homework and marks are due.

use parta_domain::GradeId;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A school's numbers for the regulations' rules (seed 001 §5.1–5.2). Each may be
/// tightened, never loosened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Regulations {
    /// The longest online lesson, minutes, for grades 1–2, 3–4, 5–6 and 7–11 (four numbers).
    pub lesson_minutes: Vec<i64>,
    /// The most homework due on one day, minutes, for grades 2–3, 4–5, 6–8 and 9–11
    /// (four numbers; none is set for grade 1).
    pub homework_day_minutes: Vec<i64>,
    /// Homework is entered within this many minutes after its lesson ends.
    pub homework_entry_minutes: i64,
    /// Marks are entered within this many days after the lesson or the hand-in.
    pub marks_entry_days: i64,
    /// Homework that would take a day over its limit is refused, not only warned of.
    pub homework_limit_strict: bool,
}

/// The school's numbers, and the regulations' own beside them.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RegulationsView {
    pub school: Regulations,
    pub seeds: Regulations,
}

/// How heavy a day's homework is for the heaviest-loaded student of a lesson.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct HomeworkLoad {
    /// `YYYY-MM-DD`.
    pub due_on: String,
    /// Minutes of homework due that day, the lesson's included.
    pub minutes: i64,
    /// The most the class's grade may carry in a day (none for grade 1 and classes without a grade).
    pub limit_minutes: Option<i64>,
    pub over: bool,
    /// The school refuses homework over the limit.
    pub strict: bool,
}

/// When a lesson's homework and marks are due in the journal, and what came late.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LessonDeadlines {
    /// RFC 3339: homework is entered by then.
    pub homework_due_by: String,
    /// RFC 3339: marks for the lesson itself are entered by then (for work handed
    /// in, counted from the hand-in).
    pub marks_due_by: String,
    /// The homework was first entered after it was due.
    pub homework_late: bool,
    /// Marks first given after they were due.
    pub late_marks: Vec<GradeId>,
}
