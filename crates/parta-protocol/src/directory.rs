use parta_domain::{AuditEntryId, ClassId, MemberRole, MembershipId, OrgId, StaffRole, UnitId, UserId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::accounts::{ClassRef, PersonRef, Place};

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct School {
    pub id: OrgId,
    pub name: String,
    pub short_name: String,
    pub address: String,
    pub inn: String,
    pub ogrn: String,
    pub region: String,
    pub time_zone: String,
    pub join_approval_required: bool,
    /// Messages between the school and students or parents written in this window
    /// are delivered when it ends (the school's time zone).
    pub quiet_hours: Option<QuietHours>,
    /// Students are written to directly only by classmates and their teachers.
    pub student_safe_mode: bool,
    /// With safe mode: a student's conversations always include a teacher (no direct
    /// chats between students).
    pub students_supervised: bool,
    /// Push notifications show the words of messages from chats with students (a lock
    /// screen is public; off unless the school turns it on).
    pub push_previews: bool,
    /// Names only as the school's register has them («ФИО только по списку школы»):
    /// its people cannot change their own names; its admins correct them.
    pub names_locked: bool,
    pub created_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct QuietHours {
    /// `HH:MM`, e.g. `21:00`.
    pub from: String,
    /// `HH:MM`, e.g. `07:00`.
    pub to: String,
}

/// Only the fields present change.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct UpdateSchoolRequest {
    pub name: Option<String>,
    pub short_name: Option<String>,
    pub address: Option<String>,
    pub inn: Option<String>,
    pub ogrn: Option<String>,
    pub region: Option<String>,
    pub time_zone: Option<String>,
    pub join_approval_required: Option<bool>,
    /// `{from, to}` sets quiet hours; `null` turns them off.
    #[serde(default, deserialize_with = "crate::double_option")]
    #[schema(value_type = Option<QuietHours>)]
    pub quiet_hours: Option<Option<QuietHours>>,
    pub student_safe_mode: Option<bool>,
    pub students_supervised: Option<bool>,
    pub push_previews: Option<bool>,
    pub names_locked: Option<bool>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Unit {
    pub id: UnitId,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct UnitRequest {
    pub name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Class {
    pub id: ClassId,
    pub name: String,
    /// `class` or `staff_room` («Учительская»).
    pub kind: String,
    pub grade: Option<i64>,
    pub academic_year: Option<i64>,
    pub unit_id: Option<UnitId>,
    pub class_teachers: Vec<PersonRef>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CreateClassRequest {
    pub name: String,
    /// 1–11; none for a group without a grade (an «объединение» of additional
    /// education), which the grade-based rules leave out.
    #[serde(default)]
    pub grade: Option<i64>,
    /// The calendar year the academic year starts in: 2026 means 2026/27.
    pub academic_year: i64,
    pub unit_id: Option<UnitId>,
}

/// Only the fields present change; `unit_id: null` detaches the class from its unit.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct UpdateClassRequest {
    pub name: Option<String>,
    pub grade: Option<i64>,
    #[serde(default, deserialize_with = "crate::double_option")]
    #[schema(value_type = Option<i64>)]
    pub unit_id: Option<Option<UnitId>>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct UserRef {
    pub user_id: UserId,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Admin {
    pub person: PersonRef,
    pub appointed_at: String,
    pub appointed_by: Option<PersonRef>,
}

/// A person in a school's directory. `email` and `phone` are filled only for the
/// person themself and for the school's admins.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Member {
    pub person: PersonRef,
    pub roles: Vec<MemberRole>,
    pub places: Vec<Place>,
    pub class_teacher_of: Vec<ClassRef>,
    pub is_admin: bool,
    pub teacher_verified: bool,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// Whether the caller may open a direct chat with this person (the school's
    /// rules, student safe mode included); answered on one person's read, absent
    /// from lists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub may_message: Option<bool>,
}

/// One membership of a class, current or past.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ClassMembership {
    pub membership_id: MembershipId,
    pub person: PersonRef,
    pub role: MemberRole,
    pub child: Option<PersonRef>,
    pub started_on: String,
    pub ended_on: Option<String>,
    /// `transferred`, `left`, `graduated`, `role_changed`, `account_deleted`.
    pub end_reason: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TransferRequest {
    pub to_class_id: ClassId,
    /// The date of the move, `YYYY-MM-DD`; today in the school's time zone when absent.
    pub on: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LeaveRequest {
    /// The last day, `YYYY-MM-DD`.
    pub on: String,
    /// `left` (default) or `graduated`.
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ChangeRoleRequest {
    pub role: StaffRole,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AuditEntry {
    pub id: AuditEntryId,
    pub org_id: Option<OrgId>,
    pub actor: Option<PersonRef>,
    pub action: String,
    pub target_type: String,
    pub target_id: Option<i64>,
    pub details: serde_json::Value,
    pub at: String,
}
