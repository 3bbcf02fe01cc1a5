//! Overrides of the timetable on a date — a replacement teacher («замена»), a
//! cancelled, moved or extra lesson — and how a week's lesson shows one.

use parta_domain::{AssignmentId, OverrideId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{ClassRef, GroupRef, PersonRef, SubjectRef};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OverrideKind {
    /// Another teacher of the school teaches the lesson that day.
    Substitute,
    /// The lesson is not held that day.
    Cancel,
    /// The lesson is held on another date or in another slot instead.
    Move,
    /// A lesson in addition to the timetable.
    Extra,
}

/// A slot of the bells on a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LessonPlace {
    pub date: String,
    pub shift: i64,
    pub number: i64,
    /// From the bells, `HH:MM`.
    pub starts_at: String,
}

/// How a lesson of a week differs from the timetable.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LessonChange {
    pub override_id: OverrideId,
    /// `substitute`: taught by the lesson's `teacher` instead of `usual_teacher`;
    /// `cancel`: not held (shown, marked); `move`: not held here (`moved_to` is set)
    /// or held here instead of elsewhere (`moved_from` is set); `extra`: added.
    pub kind: OverrideKind,
    pub usual_teacher: Option<PersonRef>,
    pub reason: Option<String>,
    pub moved_to: Option<LessonPlace>,
    pub moved_from: Option<LessonPlace>,
}

/// An override of a class's lesson as the admins see it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LessonOverride {
    pub id: OverrideId,
    pub kind: OverrideKind,
    /// The timetable lesson's place (an extra lesson's own place).
    pub place: LessonPlace,
    pub assignment_id: AssignmentId,
    pub subject: SubjectRef,
    pub class: ClassRef,
    pub group: Option<GroupRef>,
    /// Who teaches it: the replacement; the teacher of a moved or extra lesson.
    pub teacher: PersonRef,
    /// The assignment's own teacher.
    pub usual_teacher: PersonRef,
    pub room: Option<String>,
    pub reason: Option<String>,
    /// Where a moved lesson is held.
    pub moved_to: Option<LessonPlace>,
    pub set_by: Option<PersonRef>,
    pub set_at: String,
}

/// An override of one lesson of a class.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OverrideRequest {
    pub kind: OverrideKind,
    /// An assignment of the class: the lesson's (or the extra lesson's).
    pub assignment_id: AssignmentId,
    /// The lesson's date and slot in the timetable (an extra lesson's own).
    pub date: String,
    pub shift: i64,
    pub number: i64,
    /// `substitute`: the replacement (staff of the school); `extra`: who teaches it
    /// when not the assignment's teacher.
    #[serde(default)]
    pub teacher_id: Option<parta_domain::UserId>,
    /// `substitute`, `move`: another room that day; `extra`: its room.
    #[serde(default)]
    pub room: Option<String>,
    /// `cancel`: why (shown to the class).
    #[serde(default)]
    pub reason: Option<String>,
    /// `move`: where the lesson is held instead.
    #[serde(default)]
    pub to_date: Option<String>,
    #[serde(default)]
    pub to_shift: Option<i64>,
    #[serde(default)]
    pub to_number: Option<i64>,
}
