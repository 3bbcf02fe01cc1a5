//! The school year: its periods, holidays and days off, its bells, and the school's
//! subjects. Dates are `YYYY-MM-DD` of the school's time zone, times `HH:MM`.

use parta_domain::school_year::{DayOffKind, PeriodKind};
use parta_domain::{OrgId, SubjectId, YearId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AcademicYear {
    pub id: YearId,
    pub org_id: OrgId,
    /// «2026/2027».
    pub name: String,
    pub starts_on: String,
    pub ends_on: String,
    /// Days a week with lessons: 5 (Monday to Friday) or 6 (to Saturday).
    pub school_days: i64,
    pub period_kind: PeriodKind,
    pub periods: Vec<AcademicPeriod>,
    pub days_off: Vec<DayOff>,
    /// Ordered by shift, then number.
    pub bells: Vec<Bell>,
    /// The school moved on to the next year: its journal is read-only.
    #[serde(default)]
    pub archived: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AcademicPeriod {
    /// From 1.
    pub number: i64,
    /// «2 четверть».
    pub name: String,
    pub starts_on: String,
    pub ends_on: String,
    /// Closed by the administration: its marks are final.
    pub closed: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DayOff {
    pub starts_on: String,
    /// The last day off (the same as `starts_on` for a single day).
    pub ends_on: String,
    pub kind: DayOffKind,
    /// «Осенние каникулы», «День защитника Отечества».
    pub name: String,
}

/// One lesson slot: «2 урок, 09:00–09:40», in a shift.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Bell {
    /// 1 to 3.
    pub shift: i64,
    /// 0 («нулевой урок») to 12.
    pub number: i64,
    pub starts_at: String,
    pub ends_at: String,
}

/// A new year, or the whole of one replaced: its dates, its periods in order (as many
/// as its kind has), its days off.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct YearRequest {
    pub name: String,
    pub starts_on: String,
    pub ends_on: String,
    pub school_days: i64,
    pub period_kind: PeriodKind,
    pub periods: Vec<PeriodDates>,
    #[serde(default)]
    pub days_off: Vec<DayOffRequest>,
    /// On creation: take the bells of this earlier year of the school.
    #[serde(default)]
    pub copy_bells_from: Option<YearId>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PeriodDates {
    pub starts_on: String,
    pub ends_on: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DayOffRequest {
    pub starts_on: String,
    pub ends_on: String,
    pub kind: DayOffKind,
    pub name: String,
}

/// The whole bell schedule of a year, replaced at once.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BellsRequest {
    pub bells: Vec<Bell>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Subject {
    pub id: SubjectId,
    /// «Математика».
    pub name: String,
    /// For the timetable's narrow cells: «Матем.».
    pub short_name: String,
    /// No longer taught; kept for the marks given in it.
    pub archived: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SubjectRequest {
    pub name: String,
    /// The name itself when left out.
    #[serde(default)]
    pub short_name: Option<String>,
}

/// Only what is given changes.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct SubjectChange {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub short_name: Option<String>,
    #[serde(default)]
    pub archived: Option<bool>,
}
