//! Final marks: the school's rounding rule for suggested marks, and year marks
//! («годовая»), set by an assignment's teacher beside the period marks. Once the year's
//! last period is closed a year mark changes only by an admin with a reason the audit
//! log keeps; every change keeps the mark before it (`period_mark_history`, period 0).

use std::collections::BTreeMap;

use parta_domain::journal::{Mark, suggested_year_mark, valid_round_from};
use parta_domain::permission::Permission;
use parta_domain::{OrgId, UserId, YearId, validate};
use parta_protocol::{JournalGrid, JournalSettings, PeriodMark, PeriodMarkChange, UserEvent, YearMarksRequest};
use sqlx::AnyConnection;

use super::Fields;
use super::events::do_user_event;
use super::journal::{REASON_FOR_CLOSED_MAX_CHARS, journal_of, render_grid};
use crate::access;
use crate::auth::Actor;
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store;
use crate::store::school_year::PeriodRow;
use crate::store::teaching::AssignmentRow;
use crate::work::Work;

/// # The school's journal settings: its rounding rule (everyone of the school)
pub async fn settings(state: &AppState, actor: &Actor, org: OrgId) -> Result<JournalSettings> {
    let mut conn = state.db.reads().acquire().await?;
    access::visible_school(&mut conn, actor, org).await?;
    Ok(JournalSettings { round_from: store::marks::round_from(&mut conn, org).await? })
}

/// # Set the school's rounding rule for suggested marks (admins, the deputy director)
pub async fn set_settings(
    state: &AppState,
    actor: &Actor,
    org: OrgId,
    request: &JournalSettings,
) -> Result<JournalSettings> {
    let mut work = state.begin().await?;
    access::school(&mut work, actor, org, Permission::ManageSchoolYear).await?;
    if !valid_round_from(request.round_from) {
        return Err(Error::field("round_from", "out_of_range"));
    }
    let before = store::marks::round_from(&mut work, org).await?;
    let centi = (request.round_from * 100.0).round() as i64;
    store::marks::set_round_from(&mut work, org, centi, actor.user_id).await?;
    let details = serde_json::json!({ "round_from": centi as f64 / 100.0, "before": before });
    store::audit::record(
        &mut work,
        store::audit::Entry::in_school(org, actor.user_id, "journal_settings_changed", "organization", org.0, details),
    )
    .await?;
    work.commit(state).await?;
    Ok(JournalSettings { round_from: centi as f64 / 100.0 })
}

/// An assignment's final marks in its year: each student's period marks and year mark,
/// with the school's rule for what they suggest.
pub(crate) struct FinalMarks {
    pub periods: Vec<PeriodRow>,
    pub round_from: f64,
    /// Student → period (0: the year) → mark.
    marks: BTreeMap<i64, BTreeMap<i64, String>>,
}

impl FinalMarks {
    pub async fn load(conn: &mut AnyConnection, org: OrgId, assignment: &AssignmentRow) -> Result<FinalMarks> {
        let periods = store::school_year::periods(conn, YearId(assignment.year_id)).await?;
        let round_from = store::marks::round_from(conn, org).await?;
        let mut marks: BTreeMap<i64, BTreeMap<i64, String>> = BTreeMap::new();
        for (period, student, mark) in store::marks::final_marks(conn, assignment.id).await? {
            marks.entry(student).or_default().insert(period, mark);
        }
        Ok(FinalMarks { periods, round_from, marks })
    }

    /// The year is closed when its last period is.
    pub fn year_closed(&self) -> bool {
        self.periods.last().is_some_and(|p| p.closed_at.is_some())
    }

    pub fn period_marks(&self, student: UserId) -> Vec<PeriodMark> {
        self.marks
            .get(&student.0)
            .into_iter()
            .flatten()
            .filter(|(period, _)| **period != store::marks::YEAR)
            .map(|(period, mark)| PeriodMark { period: *period, mark: mark.clone() })
            .collect()
    }

    pub fn year_mark(&self, student: UserId) -> Option<String> {
        self.marks.get(&student.0)?.get(&store::marks::YEAR).cloned()
    }

    pub fn suggested_year_mark(&self, student: UserId) -> Option<String> {
        let marks: Vec<Mark> = self.period_marks(student).iter().filter_map(|m| Mark::parse(&m.mark)).collect();
        suggested_year_mark(&marks, self.round_from).map(Mark::as_text)
    }
}

/// The students of an assignment at any time in its year.
async fn students_of_year(
    conn: &mut AnyConnection,
    org: OrgId,
    assignment: &AssignmentRow,
    periods: &[PeriodRow],
) -> Result<Vec<UserId>> {
    let (Some(first), Some(last)) = (periods.first(), periods.last()) else { return Ok(Vec::new()) };
    super::journal::assignment_students(conn, org, assignment, &first.starts_on, &last.ends_on).await
}

/// Tells students and their parents that a period or year mark of theirs changed, in
/// their own streams. Nobody else hears of it.
pub(crate) async fn do_tell_final(work: &mut Work, org: OrgId, year: YearId, students: &[UserId]) -> Result<()> {
    for student in students {
        let mut family = vec![*student];
        for place in store::directory::parent_places_for_child(work, org, *student).await? {
            if !family.contains(&UserId(place.user_id)) {
                family.push(UserId(place.user_id));
            }
        }
        for person in family {
            let event = UserEvent::FinalMarksChanged { org_id: org, student_id: *student, year_id: year };
            do_user_event(work, person, Some(org), event).await?;
        }
    }
    Ok(())
}

/// # Set year marks for an assignment's students (its teacher; after the year is closed, an admin with a reason)
/// Answers the grid of the period asked for (the year's last by default).
pub async fn set_year_marks(
    state: &AppState,
    actor: &Actor,
    org: OrgId,
    year: YearId,
    request: &YearMarksRequest,
) -> Result<JournalGrid> {
    let mut work = state.begin().await?;
    access::visible_school(&mut work, actor, org).await?;
    store::school_year::year(&mut work, org, year).await?.ok_or(Error::NotFound)?;
    let last = store::school_year::periods(&mut work, year).await?.last().map(|p| p.number);
    let shown = request.period.or(last).ok_or_else(|| Error::field("period", "unknown_period"))?;
    let (school, row, period) = journal_of(&mut work, actor, org, year, request.assignment_id, shown).await?;
    let finals = FinalMarks::load(&mut work, org, &row).await?;
    let students = students_of_year(&mut work, org, &row, &finals.periods).await?;
    let write = FinalWrite {
        which: Final::Year,
        closed: finals.year_closed(),
        students: &students,
        marks: &request.marks,
        reason: request.reason.as_deref(),
    };
    do_write_finals(&mut work, actor, &school, year, &row, write).await?;
    let grid = render_grid(&mut work, org, &row, &period).await?;
    work.commit(state).await?;
    Ok(grid)
}

pub(crate) fn render_period(p: &PeriodRow) -> parta_protocol::AcademicPeriod {
    parta_protocol::AcademicPeriod {
        number: p.number,
        name: p.name.clone(),
        starts_on: p.starts_on.clone(),
        ends_on: p.ends_on.clone(),
        closed: p.closed_at.is_some(),
    }
}

/// Which final marks a request writes: one period's, or the year's.
pub(crate) enum Final {
    Period(i64),
    Year,
}

/// What a write of final marks stands on: whose they are, and whether they are closed.
pub(crate) struct FinalWrite<'a> {
    pub which: Final,
    pub closed: bool,
    /// The assignment's students the marks may be for.
    pub students: &'a [UserId],
    pub marks: &'a [PeriodMarkChange],
    /// Why a closed mark is changed (required then).
    pub reason: Option<&'a str>,
}

/// Writes an assignment's final marks (a period's or the year's): its teacher while
/// they are open; once closed, only an admin, with a reason the audit log keeps. Every
/// change keeps the mark before it, and each student's family is told.
pub(crate) async fn do_write_finals(
    work: &mut Work,
    actor: &Actor,
    school: &access::SchoolAccess,
    year: YearId,
    row: &AssignmentRow,
    write: FinalWrite<'_>,
) -> Result<()> {
    let (marks, reason) = (write.marks, write.reason);
    let org = school.org_id();
    let (number, closed_code, audit_action) = match write.which {
        Final::Period(number) => (number, "period_closed", "closed_period_marks_changed"),
        Final::Year => (store::marks::YEAR, "year_closed", "closed_year_marks_changed"),
    };
    let mut fields = Fields::default();
    let reason = fields.check(validate::optional_line("reason", reason, REASON_FOR_CLOSED_MAX_CHARS)).flatten();
    if write.closed {
        if !school.allows_in_school(Permission::AmendClosedMarks) {
            return Err(Error::Conflict(closed_code));
        }
        if reason.is_none() {
            fields.reject("reason", "required");
        }
    } else if row.teacher_id != actor.user_id.0 {
        return Err(Error::Forbidden);
    }
    let mut changes = Vec::with_capacity(marks.len());
    for (index, change) in marks.iter().enumerate() {
        if !write.students.contains(&change.student_id) {
            fields.reject(&format!("marks[{index}].student_id"), "unknown_student");
            continue;
        }
        match change.mark.as_deref().map(Mark::parse) {
            Some(None) => fields.reject(&format!("marks[{index}].mark"), "invalid_mark"),
            Some(Some(mark)) => changes.push((change.student_id, Some(mark.as_text()))),
            None => changes.push((change.student_id, None)),
        }
    }
    fields.finish()?;
    let mut changed = Vec::new();
    for (student, mark) in &changes {
        let change = store::journal::PeriodMarkChange {
            assignment: row.id,
            period: number,
            student: *student,
            mark: mark.as_deref(),
            reason: reason.as_deref(),
        };
        if store::journal::set_period_mark(work, org, &change, actor.user_id).await? {
            changed.push((*student, mark.clone()));
        }
    }
    if write.closed && !changed.is_empty() {
        let marks: Vec<_> = changed.iter().map(|(s, m)| serde_json::json!({ "student_id": s, "mark": m })).collect();
        let details = match write.which {
            Final::Period(number) => {
                serde_json::json!({ "assignment_id": row.id, "period": number, "reason": reason, "marks": marks })
            }
            Final::Year => serde_json::json!({ "assignment_id": row.id, "reason": reason, "marks": marks }),
        };
        let entry = store::audit::Entry::in_school(org, actor.user_id, audit_action, "assignment", row.id, details);
        store::audit::record(work, entry).await?;
    }
    let told: Vec<UserId> = changed.iter().map(|(s, _)| *s).collect();
    do_tell_final(work, org, year, &told).await
}
