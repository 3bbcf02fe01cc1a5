//! Statistics of reach and care: a school's dashboard, a class's reach with the names
//! of who is missing (its class teacher and the administration), an authority's
//! schools side by side, and the platform's totals. Counts and shares only; message
//! counts are never among them.

use parta_domain::{AuthorityId, OrgId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{ClassRef, PersonRef};

/// Days a figure covers, both counted (`YYYY-MM-DD`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DateSpan {
    pub first: String,
    pub last: String,
}

/// The period asked for: `week`, `month`, `term` or `year`, its days, the part of it
/// that has happened, and the days of the previous period it is compared with (as
/// many as have passed of this one).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StatsPeriod {
    pub kind: String,
    pub current: DateSpan,
    pub so_far: DateSpan,
    pub previous: DateSpan,
}

/// One class: who has joined it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ClassReach {
    pub class: ClassRef,
    pub students: i64,
    /// Students with at least one parent (legal guardian) joined.
    pub students_with_parent: i64,
    pub parents: i64,
}

/// Who the school reaches now.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Reach {
    pub classes: Vec<ClassReach>,
    pub students: i64,
    pub students_with_parent: i64,
    pub parents: i64,
    pub staff: i64,
    /// Teachers whose status the admin has not yet confirmed.
    pub teachers_unverified: i64,
    /// Invite links that can still be used.
    pub open_invites: i64,
    /// Join requests waiting for a decision, and the hours the oldest has waited.
    pub pending_requests: i64,
    pub oldest_request_hours: Option<f64>,
}

/// Active people of one group over a period.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct GroupActivity {
    /// `student`, `parent` or `staff`.
    pub group: String,
    /// The people of the group now.
    pub people: i64,
    /// Active people on an average day of the period (school days and others alike).
    pub daily_average: f64,
    /// Active people in an average week of the period.
    pub weekly_average: f64,
}

/// What a period's figures are.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PeriodFigures {
    /// People who took a place in the school during the period.
    pub joined: i64,
    pub invites_created: i64,
    /// Of those, links used at least once.
    pub invites_used: i64,
    pub requests_decided: i64,
    /// The median hours a decided join request waited.
    pub request_wait_hours: Option<f64>,
    /// Posts to confirm («ознакомиться») sent during the period, and their readers:
    /// the members each was for, how many of them have read it, confirmed it, and
    /// confirmed it within a day.
    pub ack_posts: i64,
    pub ack_recipients: i64,
    pub ack_read: i64,
    pub ack_confirmed: i64,
    pub ack_confirmed_within_day: i64,
    /// Posts in the school channel («Общешкольный канал») during the period, and the
    /// share of its members who have read up to the last of them.
    pub channel_posts: i64,
    pub channel_members: i64,
    pub channel_readers: i64,
    pub reports_raised: i64,
    pub reports_resolved: i64,
    /// The median hours from a report to its resolution, of those resolved in the period.
    pub report_resolve_hours: Option<f64>,
    /// Posts quiet hours held until the morning.
    pub quiet_holds: i64,
    /// The journal: lessons written down, homework set and entered late, marks and late marks.
    pub lessons: i64,
    pub homework_set: i64,
    pub homework_late: i64,
    pub marks: i64,
    pub late_marks: i64,
    /// Online lessons held, the places in them (students of the lesson's class), and
    /// how many of those students came.
    pub online_lessons: i64,
    pub online_expected: i64,
    pub online_attended: i64,
    pub activity: Vec<GroupActivity>,
}

/// Active people on one day, by group.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DayActivity {
    pub date: String,
    pub students: i64,
    pub parents: i64,
    pub staff: i64,
}

/// A school's dashboard.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SchoolStatistics {
    pub org_id: OrgId,
    pub school: String,
    pub period: StatsPeriod,
    pub reach: Reach,
    /// The period so far, and the same days of the previous one.
    pub current: PeriodFigures,
    pub previous: PeriodFigures,
    pub daily: Vec<DayActivity>,
}

/// A class's students, and which of them have no parent joined yet (for the class
/// teacher and the administration, who may call the family).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ClassReachDetail {
    pub reach: ClassReach,
    pub without_parent: Vec<PersonRef>,
    /// Invite links of this class that can still be used.
    pub open_invites: i64,
    /// Join requests to this class waiting for a decision.
    pub pending_requests: i64,
}

/// An education authority («управление образования»).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Authority {
    pub id: AuthorityId,
    pub name: String,
    pub region: String,
    pub schools: Vec<AuthoritySchool>,
    pub curators: Vec<PersonRef>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AuthoritySchool {
    pub org_id: OrgId,
    pub short_name: String,
}

/// One school beside the others of its authority: the same measures as its own
/// dashboard, without its classes.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SchoolSummary {
    pub org_id: OrgId,
    pub school: String,
    pub reach: Reach,
    pub current: PeriodFigures,
    pub previous: PeriodFigures,
}

/// An authority's schools side by side.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AuthorityStatistics {
    pub authority: Authority,
    pub period: StatsPeriod,
    pub schools: Vec<SchoolSummary>,
}

/// A new education authority.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AuthorityRequest {
    pub name: String,
    pub region: String,
}

/// A curator to add to an authority: an account with this e-mail is found or made.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CuratorRequest {
    pub family_name: String,
    pub given_name: String,
    pub patronymic: Option<String>,
    pub email: String,
}

/// The curator added; for a new account, the one-time code they set their password
/// with (`POST /api/v1/auth/set-password`), handed to them by the operator.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CuratorAdded {
    pub curator: PersonRef,
    pub code: Option<String>,
    pub code_expires_at: Option<String>,
}

/// An authority as a signed-in curator sees it in their account.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AuthorityRef {
    pub id: AuthorityId,
    pub name: String,
}

/// The platform in aggregate (the operator): no school is named.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PlatformStatistics {
    pub period: StatsPeriod,
    pub schools: i64,
    pub authorities: i64,
    pub schools_in_authorities: i64,
    pub students: i64,
    pub parents: i64,
    pub staff: i64,
    pub curators: i64,
    /// Active people on an average day and week of the period so far, by group.
    pub activity: Vec<GroupActivity>,
    pub previous_activity: Vec<GroupActivity>,
}
