//! Setting up the school year: its dates, periods, holidays and days off, the bells,
//! and the school's subjects (a catalogue it starts with). Everyone of the school
//! reads them; the admins and the deputy director («завуч») change them. The rules
//! are `parta_domain::school_year`; each change is in the school's audit log.

use parta_domain::permission::Permission;
use parta_domain::school_year::{
    self, BellDraft, DEFAULT_SUBJECTS, DayOffKind, PeriodKind, SUBJECT_NAME_MAX_CHARS, SUBJECT_SHORT_MAX_CHARS,
    YearDraft,
};
use parta_domain::{OrgId, SubjectId, YearId, validate};
use parta_protocol::{
    AcademicPeriod, AcademicYear, Bell, BellsRequest, DayOff, Subject, SubjectChange, SubjectRequest, YearRequest,
};
use serde_json::json;
use sqlx::AnyConnection;

use super::{Fields, checked};
use crate::access;
use crate::auth::Actor;
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store;
use crate::store::audit::Entry;
use crate::store::school_year::{BellRow, DayOffRow, NewYear, SubjectRow, YearRow};

pub const YEAR_NAME_MAX_CHARS: usize = 40;
pub const DAY_OFF_NAME_MAX_CHARS: usize = 80;
pub const BELLS_MAX: usize = 40;

async fn render_year(conn: &mut AnyConnection, row: &YearRow) -> Result<AcademicYear> {
    let year = row.year_id();
    let periods = store::school_year::periods(conn, year).await?;
    let days_off = store::school_year::days_off(conn, year).await?;
    let bells = store::school_year::bells(conn, year).await?;
    Ok(AcademicYear {
        id: year,
        org_id: OrgId(row.org_id),
        name: row.name.clone(),
        starts_on: row.starts_on.clone(),
        ends_on: row.ends_on.clone(),
        school_days: row.school_days,
        period_kind: PeriodKind::parse(&row.period_kind).unwrap_or(PeriodKind::Quarters),
        archived: row.archived(),
        periods: periods
            .into_iter()
            .map(|p| AcademicPeriod {
                number: p.number,
                name: p.name,
                starts_on: p.starts_on,
                ends_on: p.ends_on,
                closed: p.closed_at.is_some(),
            })
            .collect(),
        days_off: days_off
            .into_iter()
            .map(|d| DayOff {
                starts_on: d.starts_on,
                ends_on: d.ends_on,
                kind: DayOffKind::parse(&d.kind).unwrap_or(DayOffKind::DayOff),
                name: d.name,
            })
            .collect(),
        bells: bells
            .into_iter()
            .map(|b| Bell { shift: b.shift, number: b.number, starts_at: b.starts_at, ends_at: b.ends_at })
            .collect(),
    })
}

/// # The school's years, the latest first (everyone of the school).
pub async fn list(state: &AppState, actor: &Actor, org: OrgId) -> Result<Vec<AcademicYear>> {
    let mut conn = state.db.reads().acquire().await?;
    access::visible_school(&mut conn, actor, org).await?;
    let mut years = Vec::new();
    for row in store::school_year::years(&mut conn, org).await? {
        years.push(render_year(&mut conn, &row).await?);
    }
    Ok(years)
}

/// # One year with its periods, days off and bells (everyone of the school).
pub async fn get(state: &AppState, actor: &Actor, org: OrgId, year: YearId) -> Result<AcademicYear> {
    let mut conn = state.db.reads().acquire().await?;
    access::visible_school(&mut conn, actor, org).await?;
    let row = store::school_year::year(&mut conn, org, year).await?.ok_or(Error::NotFound)?;
    render_year(&mut conn, &row).await
}

/// A year request checked whole: every rejected field at once, nothing written.
struct CheckedYear {
    name: String,
    days: school_year::Days,
    periods: Vec<(i64, String, String, String)>,
    days_off: Vec<DayOffRow>,
}

fn check_year_request(request: &YearRequest) -> Result<CheckedYear> {
    let mut fields = Fields::default();
    let name = fields.check(validate::line("name", &request.name, YEAR_NAME_MAX_CHARS));
    let draft = YearDraft {
        starts_on: &request.starts_on,
        ends_on: &request.ends_on,
        school_days: request.school_days,
        kind: Some(request.period_kind),
        periods: request.periods.iter().map(|p| (p.starts_on.as_str(), p.ends_on.as_str())).collect(),
        days_off: request.days_off.iter().map(|d| (d.starts_on.as_str(), d.ends_on.as_str())).collect(),
    };
    let calendar = fields.check_all(school_year::check_year(&draft));
    let mut days_off = Vec::with_capacity(request.days_off.len());
    for (index, day) in request.days_off.iter().enumerate() {
        if let Some(name) =
            fields.check(validate::line(&format!("days_off[{index}].name"), &day.name, DAY_OFF_NAME_MAX_CHARS))
        {
            days_off.push(DayOffRow {
                starts_on: day.starts_on.trim().to_owned(),
                ends_on: day.ends_on.trim().to_owned(),
                kind: day.kind.as_str().to_owned(),
                name,
            });
        }
    }
    fields.finish()?;
    let calendar = checked(calendar)?;
    let periods = calendar
        .periods
        .iter()
        .enumerate()
        .map(|(i, span)| {
            (i as i64 + 1, request.period_kind.period_name(i + 1), span.first.to_string(), span.last.to_string())
        })
        .collect();
    Ok(CheckedYear { name: checked(name)?, days: calendar.year, periods, days_off })
}

/// Refuses a year that would overlap another of the school's (`except` itself).
async fn check_no_overlap(
    conn: &mut AnyConnection,
    org: OrgId,
    days: school_year::Days,
    except: Option<YearId>,
) -> Result<()> {
    for other in store::school_year::years(conn, org).await? {
        if Some(other.year_id()) == except {
            continue;
        }
        let (Ok(first), Ok(last)) =
            (school_year::date("starts_on", &other.starts_on), school_year::date("ends_on", &other.ends_on))
        else {
            continue;
        };
        if school_year::years_overlap(days, school_year::Days { first, last }) {
            return Err(Error::Conflict("year_overlaps"));
        }
    }
    Ok(())
}

/// A year that still changes: not one the school has moved on from (`year_archived`),
/// whose journal, timetable and teaching stay as they were.
pub(crate) async fn changing_year(conn: &mut AnyConnection, org: OrgId, id: YearId) -> Result<YearRow> {
    let row = store::school_year::year(conn, org, id).await?.ok_or(Error::NotFound)?;
    if row.archived() { Err(Error::Conflict("year_archived")) } else { Ok(row) }
}

/// The catalogue a school starts with, unless it has subjects already.
pub async fn do_seed_subjects(conn: &mut AnyConnection, org: OrgId) -> Result<()> {
    if store::school_year::has_subjects(conn, org).await? {
        return Ok(());
    }
    for (name, short_name) in DEFAULT_SUBJECTS {
        store::school_year::insert_subject(conn, org, name, short_name).await?;
    }
    Ok(())
}

/// # Start a school year (admins, the deputy director)
/// Its periods, as many as its kind has, and its days off come with it; the bells
/// can be taken from an earlier year. A school without subjects or kinds of work for
/// marks gets the usual ones.
pub async fn create(state: &AppState, actor: &Actor, org: OrgId, request: &YearRequest) -> Result<AcademicYear> {
    let mut work = state.begin().await?;
    access::school(&mut work, actor, org, Permission::ManageSchoolYear).await?;
    let year = check_year_request(request)?;
    let copied = match request.copy_bells_from {
        Some(from) => match store::school_year::year(&mut work, org, from).await? {
            Some(row) => store::school_year::bells(&mut work, row.year_id()).await?,
            None => return Err(Error::field("copy_bells_from", "unknown_year")),
        },
        None => Vec::new(),
    };
    store::schools::lock(&mut work, org).await?;
    check_no_overlap(&mut work, org, year.days, None).await?;
    let (starts_on, ends_on) = (year.days.first.to_string(), year.days.last.to_string());
    let new = NewYear {
        name: &year.name,
        starts_on: &starts_on,
        ends_on: &ends_on,
        school_days: request.school_days,
        period_kind: request.period_kind.as_str(),
    };
    let id = store::school_year::insert_year(&mut work, org, &new).await?;
    store::school_year::replace_periods(&mut work, org, id, &year.periods).await?;
    store::school_year::replace_days_off(&mut work, org, id, &year.days_off).await?;
    store::school_year::replace_bells(&mut work, org, id, &copied).await?;
    do_seed_subjects(&mut work, org).await?;
    super::journal::do_seed_grade_types(&mut work, org).await?;
    let details =
        json!({ "name": year.name, "starts_on": starts_on, "ends_on": ends_on, "bells_from": request.copy_bells_from });
    store::audit::record(
        &mut work,
        Entry::in_school(org, actor.user_id, "school_year_created", "academic_year", id.0, details),
    )
    .await?;
    let row = store::school_year::year(&mut work, org, id).await?.ok_or(Error::NotFound)?;
    let rendered = render_year(&mut work, &row).await?;
    work.commit(state).await?;
    Ok(rendered)
}

/// # Change a school year: its name, dates, periods and days off at once (admins, the deputy director)
pub async fn update(
    state: &AppState,
    actor: &Actor,
    org: OrgId,
    id: YearId,
    request: &YearRequest,
) -> Result<AcademicYear> {
    let mut work = state.begin().await?;
    access::school(&mut work, actor, org, Permission::ManageSchoolYear).await?;
    changing_year(&mut work, org, id).await?;
    if request.copy_bells_from.is_some() {
        return Err(Error::field("copy_bells_from", "not_allowed"));
    }
    let year = check_year_request(request)?;
    store::schools::lock(&mut work, org).await?;
    check_no_overlap(&mut work, org, year.days, Some(id)).await?;
    let (starts_on, ends_on) = (year.days.first.to_string(), year.days.last.to_string());
    let new = NewYear {
        name: &year.name,
        starts_on: &starts_on,
        ends_on: &ends_on,
        school_days: request.school_days,
        period_kind: request.period_kind.as_str(),
    };
    store::school_year::update_year(&mut work, id, &new).await?;
    store::school_year::replace_periods(&mut work, org, id, &year.periods).await?;
    store::school_year::replace_days_off(&mut work, org, id, &year.days_off).await?;
    let details = json!({ "name": year.name, "starts_on": starts_on, "ends_on": ends_on });
    store::audit::record(
        &mut work,
        Entry::in_school(org, actor.user_id, "school_year_changed", "academic_year", id.0, details),
    )
    .await?;
    let row = store::school_year::year(&mut work, org, id).await?.ok_or(Error::NotFound)?;
    let rendered = render_year(&mut work, &row).await?;
    work.commit(state).await?;
    Ok(rendered)
}

/// # Set a year's bells: every shift's numbered lesson slots, replaced at once (admins, the deputy director)
pub async fn set_bells(
    state: &AppState,
    actor: &Actor,
    org: OrgId,
    id: YearId,
    request: &BellsRequest,
) -> Result<AcademicYear> {
    let mut work = state.begin().await?;
    access::school(&mut work, actor, org, Permission::ManageSchoolYear).await?;
    let row = changing_year(&mut work, org, id).await?;
    if request.bells.len() > BELLS_MAX {
        return Err(Error::field("bells", "out_of_range"));
    }
    let drafts: Vec<BellDraft<'_>> = request
        .bells
        .iter()
        .map(|b| BellDraft { shift: b.shift, number: b.number, starts_at: &b.starts_at, ends_at: &b.ends_at })
        .collect();
    let bells = school_year::check_bells(&drafts).map_err(Error::Validation)?;
    let rows: Vec<BellRow> = bells
        .iter()
        .map(|b| BellRow {
            shift: b.shift.into(),
            number: b.number.into(),
            starts_at: b.starts_at.to_string(),
            ends_at: b.ends_at.to_string(),
        })
        .collect();
    store::school_year::replace_bells(&mut work, org, id, &rows).await?;
    store::audit::record(
        &mut work,
        Entry::in_school(org, actor.user_id, "bells_set", "academic_year", id.0, json!({ "slots": rows.len() })),
    )
    .await?;
    let rendered = render_year(&mut work, &row).await?;
    work.commit(state).await?;
    Ok(rendered)
}

fn render_subject(row: SubjectRow) -> Subject {
    Subject { id: row.subject_id(), name: row.name, short_name: row.short_name, archived: row.archived_at.is_some() }
}

/// # The school's subjects, archived ones too (everyone of the school).
pub async fn subjects(state: &AppState, actor: &Actor, org: OrgId) -> Result<Vec<Subject>> {
    let mut conn = state.db.reads().acquire().await?;
    access::visible_school(&mut conn, actor, org).await?;
    Ok(store::school_year::subjects(&mut conn, org).await?.into_iter().map(render_subject).collect())
}

/// A subject's short name: as given, or its name when that is short enough.
fn short_name(fields: &mut Fields, given: Option<&str>, name: Option<&str>) -> Option<String> {
    match validate::optional_line("short_name", given, SUBJECT_SHORT_MAX_CHARS) {
        Ok(Some(short)) => Some(short),
        Ok(None) => match name {
            Some(name) if name.chars().count() <= SUBJECT_SHORT_MAX_CHARS => Some(name.to_owned()),
            Some(_) => {
                fields.reject("short_name", "required");
                None
            }
            None => None,
        },
        Err(e) => {
            fields.check::<()>(Err(e));
            None
        }
    }
}

fn subject_taken(error: sqlx::Error) -> Error {
    if store::is_unique_violation(&error) { Error::Conflict("subject_exists") } else { error.into() }
}

/// # Add a subject to the school's catalogue (admins, the deputy director)
pub async fn create_subject(state: &AppState, actor: &Actor, org: OrgId, request: &SubjectRequest) -> Result<Subject> {
    let mut work = state.begin().await?;
    access::school(&mut work, actor, org, Permission::ManageSchoolYear).await?;
    let mut fields = Fields::default();
    let name = fields.check(validate::line("name", &request.name, SUBJECT_NAME_MAX_CHARS));
    let short = short_name(&mut fields, request.short_name.as_deref(), name.as_deref());
    fields.finish()?;
    let (name, short) = (checked(name)?, checked(short)?);
    let id = store::school_year::insert_subject(&mut work, org, &name, &short).await.map_err(subject_taken)?;
    store::audit::record(
        &mut work,
        Entry::in_school(org, actor.user_id, "subject_created", "subject", id.0, json!({ "name": name })),
    )
    .await?;
    let row = store::school_year::subject(&mut work, org, id).await?.ok_or(Error::NotFound)?;
    work.commit(state).await?;
    Ok(render_subject(row))
}

/// # Rename a subject, change its short name, archive it or bring it back (admins, the deputy director)
pub async fn update_subject(
    state: &AppState,
    actor: &Actor,
    org: OrgId,
    id: SubjectId,
    change: &SubjectChange,
) -> Result<Subject> {
    let mut work = state.begin().await?;
    access::school(&mut work, actor, org, Permission::ManageSchoolYear).await?;
    let row = store::school_year::subject(&mut work, org, id).await?.ok_or(Error::NotFound)?;
    let mut fields = Fields::default();
    let name = match &change.name {
        Some(name) => fields.check(validate::line("name", name, SUBJECT_NAME_MAX_CHARS)),
        None => Some(row.name.clone()),
    };
    let short = match &change.short_name {
        Some(short) => short_name(&mut fields, Some(short), name.as_deref()),
        None => Some(row.short_name.clone()),
    };
    fields.finish()?;
    let (name, short) = (checked(name)?, checked(short)?);
    let archived_at = match change.archived {
        Some(true) => row.archived_at.or(Some(crate::clock::now_ms())),
        Some(false) => None,
        None => row.archived_at,
    };
    store::school_year::update_subject(&mut work, id, &name, &short, archived_at).await.map_err(subject_taken)?;
    let details = json!({ "name": name, "short_name": short, "archived": archived_at.is_some() });
    store::audit::record(&mut work, Entry::in_school(org, actor.user_id, "subject_changed", "subject", id.0, details))
        .await?;
    let row = store::school_year::subject(&mut work, org, id).await?.ok_or(Error::NotFound)?;
    work.commit(state).await?;
    Ok(render_subject(row))
}

/// # Close a period: its marks are final, changed after only by an admin with a reason (admins, the deputy director)
pub async fn close_period(
    state: &AppState,
    actor: &Actor,
    org: OrgId,
    id: YearId,
    number: i64,
) -> Result<AcademicYear> {
    let mut work = state.begin().await?;
    access::school(&mut work, actor, org, Permission::ManageSchoolYear).await?;
    let row = store::school_year::year(&mut work, org, id).await?.ok_or(Error::NotFound)?;
    if !store::school_year::periods(&mut work, id).await?.iter().any(|p| p.number == number) {
        return Err(Error::NotFound);
    }
    if store::school_year::close_period(&mut work, id, number, actor.user_id).await? {
        store::audit::record(
            &mut work,
            Entry::in_school(org, actor.user_id, "period_closed", "academic_year", id.0, json!({ "period": number })),
        )
        .await?;
    }
    let rendered = render_year(&mut work, &row).await?;
    work.commit(state).await?;
    Ok(rendered)
}
