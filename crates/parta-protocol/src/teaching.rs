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
