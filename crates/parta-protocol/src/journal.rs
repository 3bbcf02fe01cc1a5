//! The class journal: lessons as held, who was absent, and marks.

use parta_domain::journal::Absence;
use parta_domain::{AssignmentId, GradeId, GradeTypeId, LessonId, UserId, YearId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{ClassRef, GroupRef, PersonRef, SubjectRef};

/// A kind of work marks are given for, and its weight in the average.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct GradeType {
    pub id: GradeTypeId,
    /// «Контрольная работа».
    pub name: String,
    /// 2.0 counts a mark twice.
    pub weight: f64,
    pub archived: bool,
}

/// A timetable lesson to write down (or find): the assignment, the date and its slot.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LessonRequest {
    pub assignment_id: AssignmentId,
    /// `YYYY-MM-DD`, a school day.
    pub date: String,
    pub shift: i64,
    pub number: i64,
    /// What the lesson was about; kept as it was when left out.
    #[serde(default)]
    pub topic: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Lesson {
    pub id: LessonId,
    pub year_id: YearId,
    pub assignment_id: AssignmentId,
    pub date: String,
    pub shift: i64,
    pub number: i64,
    /// RFC 3339 instants.
    pub starts_at: String,
    pub ends_at: String,
    pub subject: SubjectRef,
    pub teacher: PersonRef,
    pub class: ClassRef,
    pub group: Option<GroupRef>,
    pub topic: Option<String>,
}

/// A lesson with its students (those of the class, or of the group, that day) and
/// what was written for each.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LessonPage {
    pub lesson: Lesson,
    pub homework: Option<Homework>,
    pub students: Vec<LessonStudent>,
    /// When its homework and marks are due, and which came late.
    pub deadlines: crate::LessonDeadlines,
}

/// Homework set at a lesson.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Homework {
    pub body: String,
    /// `YYYY-MM-DD`: the day it is due.
    pub due_on: String,
    /// How long it should take, in minutes.
    pub minutes: Option<i64>,
    /// When it was first entered (RFC 3339).
    pub entered_at: String,
    /// Files to it, downloaded at `GET /api/v1/files/{id}` by whoever reads the homework.
    #[serde(default)]
    pub files: Vec<crate::FileInfo>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct HomeworkRequest {
    pub body: String,
    /// The day it is due: the lesson's day or later.
    pub due_on: String,
    #[serde(default)]
    pub minutes: Option<i64>,
    /// Files uploaded to the school by the teacher (`POST /api/v1/orgs/{org_id}/journal/files`),
    /// in order: the homework's files become exactly these. Absent: its files stay.
    #[serde(default)]
    pub files: Option<Vec<parta_domain::FileId>>,
}

/// Homework due on a day of the diary.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DueHomework {
    pub lesson_id: LessonId,
    pub subject: SubjectRef,
    /// The day it was set.
    pub set_on: String,
    pub body: String,
    pub minutes: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LessonStudent {
    pub person: PersonRef,
    /// None: present.
    pub attendance: Option<AttendanceEntry>,
    pub grades: Vec<Grade>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AttendanceEntry {
    pub absence: Absence,
    /// For `late`.
    pub minutes_late: Option<i64>,
    /// For `excused` (and any other, when given).
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Grade {
    pub id: GradeId,
    /// "1"–"5", «зч» (pass) or «нз» (fail).
    pub mark: String,
    pub grade_type_id: GradeTypeId,
    pub weight: f64,
    pub comment: Option<String>,
    pub given_at: String,
}

/// Changes to attendance: each student named gets this entry; `absence: null` marks
/// them present again.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AttendanceRequest {
    pub entries: Vec<AttendanceChange>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AttendanceChange {
    pub student_id: UserId,
    #[serde(default)]
    pub absence: Option<Absence>,
    #[serde(default)]
    pub minutes_late: Option<i64>,
    #[serde(default)]
    pub reason: Option<String>,
}

/// A lesson's marks changed at once: new ones (no `id`), changed ones (their `id`),
/// and the ones to take back (`delete`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct GradesRequest {
    #[serde(default)]
    pub grades: Vec<GradeChange>,
    #[serde(default)]
    pub delete: Vec<GradeId>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct GradeChange {
    #[serde(default)]
    pub id: Option<GradeId>,
    pub student_id: UserId,
    pub mark: String,
    pub grade_type_id: GradeTypeId,
    #[serde(default)]
    pub comment: Option<String>,
}

/// A student's week in the diary: each school day's lessons with what was written
/// at them for this student.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DiaryWeek {
    pub student: PersonRef,
    pub class: ClassRef,
    pub monday: String,
    pub days: Vec<DiaryDay>,
    /// The parents who have signed this week («ознакомлен»).
    pub signatures: Vec<WeekSignature>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DiaryDay {
    pub date: String,
    pub school_day: bool,
    pub lessons: Vec<DiaryLesson>,
    /// Homework due this day.
    pub homework_due: Vec<DueHomework>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DiaryLesson {
    pub shift: i64,
    pub number: i64,
    pub starts_at: String,
    pub ends_at: String,
    pub subject: SubjectRef,
    pub teacher: PersonRef,
    pub group: Option<GroupRef>,
    pub room: Option<String>,
    /// Set once the teacher has written the lesson down.
    pub lesson_id: Option<LessonId>,
    pub topic: Option<String>,
    /// None: present (or not taken yet).
    pub attendance: Option<AttendanceEntry>,
    pub grades: Vec<Grade>,
    /// Homework set at this lesson.
    pub homework: Option<Homework>,
    /// The student's work handed in for that homework.
    #[serde(default)]
    pub submission: Option<crate::Submission>,
    /// Set where an override changes the lesson that day.
    pub change: Option<crate::LessonChange>,
    /// Set where the director's order holds the class's lessons online that day.
    #[serde(default)]
    pub remote: Option<crate::RemoteLesson>,
}

/// The class journal of one assignment (a subject in a class or a group) in one
/// period: its written-down lessons as columns, its students as rows.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct JournalGrid {
    pub assignment_id: AssignmentId,
    pub period: crate::AcademicPeriod,
    pub lessons: Vec<GridLesson>,
    pub rows: Vec<GridRow>,
    /// Every period of the year, for the rows' `period_marks` and the year mark.
    pub periods: Vec<crate::AcademicPeriod>,
    /// The year's last period is closed: year marks change only by an admin with a reason.
    pub year_closed: bool,
    /// The school's rounding rule the suggestions were made with (4.5: from 4.5 up is a «5»).
    pub round_from: f64,
    /// Individual assignments of remote learning due in the period, shown apart from
    /// the lessons; their marks count in the student's average with weight 1.
    #[serde(default)]
    pub individual: Vec<GridIndividual>,
}

/// An individual assignment in the journal grid.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct GridIndividual {
    pub id: parta_domain::IndividualId,
    pub student_id: UserId,
    pub body: String,
    /// `YYYY-MM-DD`.
    pub due_on: String,
    pub mark: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct GridLesson {
    pub id: LessonId,
    pub date: String,
    pub number: i64,
    pub topic: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct GridRow {
    pub student: PersonRef,
    /// One per lesson, in the lessons' order.
    pub cells: Vec<GridCell>,
    /// The weighted average of the period's marks, to two decimals.
    pub average: Option<f64>,
    /// The period mark the average suggests by the school's rounding.
    pub suggested_mark: Option<String>,
    /// The period mark set.
    pub period_mark: Option<String>,
    /// The marks set for every period of the year so far.
    pub period_marks: Vec<PeriodMark>,
    /// The year mark the period marks suggest by the school's rounding (their mean).
    pub suggested_year_mark: Option<String>,
    /// The year mark set («годовая»).
    pub year_mark: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PeriodMark {
    /// The period's number.
    pub period: i64,
    pub mark: String,
}

/// Year marks set at once for an assignment's students; `mark: null` takes one back.
/// After the year's last period is closed only an admin changes them, giving a `reason`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct YearMarksRequest {
    pub assignment_id: AssignmentId,
    /// The period whose grid the answer shows (the year's last by default).
    #[serde(default)]
    pub period: Option<i64>,
    pub marks: Vec<PeriodMarkChange>,
    #[serde(default)]
    pub reason: Option<String>,
}

/// The school's journal settings.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct JournalSettings {
    /// The rounding rule for suggested period and year marks: a fractional average rounds
    /// up from this threshold's fraction (4.5: 4.5 is a «5» and 3.5 a «4»; 4.6, 4.7 stricter).
    pub round_from: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct GridCell {
    pub lesson_id: LessonId,
    pub attendance: Option<AttendanceEntry>,
    pub grades: Vec<Grade>,
}

/// Period marks set at once for an assignment's students; `mark: null` takes one back.
/// After the period is closed only an admin changes them, giving a `reason`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PeriodMarksRequest {
    pub assignment_id: AssignmentId,
    /// The period's number.
    pub period: i64,
    pub marks: Vec<PeriodMarkChange>,
    #[serde(default)]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PeriodMarkChange {
    pub student_id: UserId,
    #[serde(default)]
    pub mark: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct GradeTypeRequest {
    pub name: String,
    /// 0.1 to 10.
    pub weight: f64,
}

/// Only what is given changes.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct GradeTypeChange {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub weight: Option<f64>,
    #[serde(default)]
    pub archived: Option<bool>,
}

/// A parent's signature under a week of the diary.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct WeekSignature {
    pub parent: PersonRef,
    pub signed_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SignWeekRequest {
    pub student_id: UserId,
    /// Any day of the week, `YYYY-MM-DD`.
    pub date: String,
}

/// Whose parents have signed a week of the diary, for the class teacher.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ClassSignatures {
    pub monday: String,
    pub students: Vec<StudentSignatures>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StudentSignatures {
    pub student: PersonRef,
    pub signatures: Vec<WeekSignature>,
}

/// A student's marks in one period, subject by subject.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DiaryMarks {
    pub student: PersonRef,
    pub period: crate::AcademicPeriod,
    pub subjects: Vec<SubjectMarks>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SubjectMarks {
    pub subject: SubjectRef,
    /// In the order they were given.
    pub marks: Vec<DatedMark>,
    /// The weighted average, to two decimals.
    pub average: Option<f64>,
    pub period_mark: Option<String>,
    /// The year mark set («годовая»).
    #[serde(default)]
    pub year_mark: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DatedMark {
    pub date: String,
    pub mark: String,
    pub weight: f64,
    pub grade_type_id: GradeTypeId,
}

/// A person's calendar feed (iCalendar): lessons and homework deadlines, theirs or
/// their children's. Anyone with the link reads it; making a new one ends the old.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CalendarFeed {
    /// `/api/v1/calendar/<token>`; the token is shown this once.
    pub path: String,
}
