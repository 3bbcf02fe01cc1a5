//! The new school year: classes promoted, the leaving grades leaving, chats following.

use parta_domain::{ChatId, ClassId, UserId, YearId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{ClassRef, PersonRef};

/// What the admin chose: from which year to which, who leaves, and the exceptions.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct YearTransitionRequest {
    /// The year that ends: its classes move on.
    pub from_year_id: YearId,
    /// The year that begins (created beforehand in «Учебный год»).
    pub to_year_id: YearId,
    /// Grades whose classes leave the school; 9 and 11 when not given.
    #[serde(default)]
    pub leaving_grades: Option<Vec<i64>>,
    /// Classes of a leaving grade that go on to the next grade all the same (9th to 10th).
    #[serde(default)]
    pub continuing: Vec<ClassId>,
    #[serde(default)]
    pub exceptions: Vec<TransitionException>,
    /// `YYYY-MM-DD`: the graduates' last day; today when not given.
    #[serde(default)]
    pub graduated_on: Option<String>,
}

/// One student sent elsewhere than their class goes.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TransitionException {
    pub student_id: UserId,
    pub action: ExceptionAction,
    /// For `move`: the class of the ending year whose next class the student joins.
    #[serde(default)]
    pub to_class_id: Option<ClassId>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExceptionAction {
    /// Kept down a year: into next year's class of the same name.
    Repeat,
    /// Leaves the school at the end of the year.
    Leave,
    /// Moves to another class.
    Move,
}

/// The transition as it would be (preview) or as it was done.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct YearTransitionPlan {
    pub from_year: YearRef,
    pub to_year: YearRef,
    /// Each class of the ending year: where it goes.
    pub classes: Vec<ClassTransition>,
    /// Classes the new year gets for students kept down where no class becomes them.
    pub new_classes: Vec<String>,
    pub exceptions: Vec<PlannedException>,
    /// Class, parents' and class teachers' chats going on with their class, renamed.
    pub chats_following: Vec<ChatTransition>,
    /// Subject chats and a graduating class's chats: read-only archives from now on.
    pub chats_archived: Vec<ChatTransition>,
    /// Names the new year already has: the transition cannot run until they are renamed.
    pub taken_names: Vec<String>,
    pub students_promoted: i64,
    pub students_graduating: i64,
    pub students_leaving: i64,
    pub students_repeating: i64,
    pub students_moving: i64,
    /// False for a preview; true once done.
    pub done: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct YearRef {
    pub id: YearId,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ClassTransition {
    pub class: ClassRef,
    pub grade: Option<i64>,
    pub outcome: ClassOutcome,
    /// Next year's name, when it goes on.
    pub to_name: Option<String>,
    /// Its students now.
    pub students: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClassOutcome {
    GoesOn,
    Graduates,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PlannedException {
    pub student: PersonRef,
    pub from_class: ClassRef,
    pub action: ExceptionAction,
    /// Next year's class they join (`repeat`, `move`).
    pub to_name: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ChatTransition {
    pub chat_id: ChatId,
    pub title: String,
    pub new_title: String,
}
