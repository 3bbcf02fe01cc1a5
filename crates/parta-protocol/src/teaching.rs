//! Who teaches what: groups inside a class and teaching assignments (teacher ×
//! subject × class or group, in a school year).

use parta_domain::{AssignmentId, ClassId, GroupId, SubjectId, UserId, YearId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{ClassRef, PersonRef};

/// Part of a class taught apart: «английский, группа 1».
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ClassGroup {
    pub id: GroupId,
    pub class_id: ClassId,
    pub name: String,
    /// Its students, current students of the class.
    pub student_ids: Vec<UserId>,
}

/// A group's name and students, replaced whole.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct GroupRequest {
    pub name: String,
    #[serde(default)]
    pub student_ids: Vec<UserId>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SubjectRef {
    pub id: SubjectId,
    pub name: String,
    pub short_name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct GroupRef {
    pub id: GroupId,
    pub name: String,
}

/// A teacher teaching a subject to a class, or to one group of it, in a year.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Assignment {
    pub id: AssignmentId,
    pub year_id: YearId,
    pub teacher: PersonRef,
    pub subject: SubjectRef,
    pub class: ClassRef,
    pub group: Option<GroupRef>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AssignmentRequest {
    pub teacher_id: UserId,
    pub subject_id: SubjectId,
    pub class_id: ClassId,
    #[serde(default)]
    pub group_id: Option<GroupId>,
}

/// One lesson of a class's week: a slot of the bells on a weekday.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TimetableEntry {
    /// Monday 1 … Saturday 6.
    pub weekday: i64,
    pub shift: i64,
    pub number: i64,
    pub starts_at: String,
    pub ends_at: String,
    pub assignment_id: AssignmentId,
    pub subject: SubjectRef,
    pub teacher: PersonRef,
    pub group: Option<GroupRef>,
    pub room: Option<String>,
}

/// A class's weekly timetable in a year, ordered by weekday, then time.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ClassTimetable {
    pub year_id: YearId,
    pub class: ClassRef,
    pub entries: Vec<TimetableEntry>,
}

/// A class's whole weekly timetable, replaced at once.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TimetableRequest {
    pub entries: Vec<EntryRequest>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct EntryRequest {
    pub weekday: i64,
    pub shift: i64,
    pub number: i64,
    /// An assignment of this class in this year: who teaches what.
    pub assignment_id: AssignmentId,
    #[serde(default)]
    pub room: Option<String>,
}

/// A week of lessons, Monday to Saturday, of a class or of a teacher.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Week {
    pub monday: String,
    pub days: Vec<WeekDay>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct WeekDay {
    pub date: String,
    /// Lessons are held: inside a period, on a teaching weekday, not a day off.
    pub school_day: bool,
    pub lessons: Vec<WeekLesson>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct WeekLesson {
    pub shift: i64,
    pub number: i64,
    pub starts_at: String,
    pub ends_at: String,
    /// Who teaches what here: what a lesson is written down under.
    pub assignment_id: AssignmentId,
    pub subject: SubjectRef,
    pub teacher: PersonRef,
    pub class: ClassRef,
    pub group: Option<GroupRef>,
    pub room: Option<String>,
    /// Set where an override changes the lesson that day (a replacement, a cancelled,
    /// moved or extra lesson).
    pub change: Option<crate::LessonChange>,
    /// Set where the director's order holds the class's lessons online that day.
    #[serde(default)]
    pub remote: Option<crate::RemoteLesson>,
}
