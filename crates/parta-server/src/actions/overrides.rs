//! Overrides of a class's lessons on a date, set by the admins or the deputy director:
//! a replacement teacher («замена»), a cancelled lesson, a lesson moved to another date
//! or slot, an extra lesson. Each is checked against the school's calendar and the day
//! it makes (one teacher, one room, one class in one place at a time), audited, and
//! told at once to the class's students, their parents and the teachers concerned.

use jiff::civil::Date;
use parta_domain::lesson_plan::{self, Change, Kind, Override, Place, Status};
use parta_domain::permission::Permission;
use parta_domain::timetable::{Clash, Placed};
use parta_domain::{ClassId, OrgId, OverrideId, UserId, YearId, validate};
use parta_protocol::{LessonOverride, OverrideKind, OverrideRequest, UserEvent};
use serde_json::json;
use sqlx::AnyConnection;

use super::Fields;
use super::events::do_user_event;
use super::plan::{self, Whose};
use super::timetable::{Lookup, ROOM_MAX_CHARS, calendar};
use crate::access;
use crate::auth::Actor;
use crate::clock::rfc3339;
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store;
use crate::store::audit::Entry;
use crate::store::overrides::OverrideRow;
use crate::work::Work;

pub const REASON_MAX_CHARS: usize = 200;
/// The longest range of dates a list of overrides covers.
pub const LIST_DAYS_MAX: i64 = 62;

fn kind_of(kind: OverrideKind) -> Kind {
    match kind {
        OverrideKind::Substitute => Kind::Substitute,
        OverrideKind::Cancel => Kind::Cancel,
        OverrideKind::Move => Kind::Move,
        OverrideKind::Extra => Kind::Extra,
    }
}

fn wire_kind(kind: Kind) -> OverrideKind {
    match kind {
        Kind::Substitute => OverrideKind::Substitute,
        Kind::Cancel => OverrideKind::Cancel,
        Kind::Move => OverrideKind::Move,
        Kind::Extra => OverrideKind::Extra,
    }
}

async fn render(conn: &mut AnyConnection, lookup: &mut Lookup, row: &OverrideRow) -> Result<Option<LessonOverride>> {
    let Some(parsed) = plan::to_domain(row) else { return Ok(None) };
    let Some(assignment) = lookup.assignment(row.assignment_id).cloned() else { return Ok(None) };
    lookup.know(conn, [row.teacher_id, assignment.teacher_id, row.set_by]).await?;
    let moved_to = match parsed.change {
        Change::Move { to, .. } => Some(plan::place(lookup, to)),
        _ => None,
    };
    let (Some(subject), Some(class), Some(teacher), Some(usual)) = (
        lookup.subject(assignment.subject_id).cloned(),
        lookup.class(row.class_id).cloned(),
        lookup.person(row.teacher_id).cloned(),
        lookup.person(assignment.teacher_id).cloned(),
    ) else {
        return Ok(None);
    };
    Ok(Some(LessonOverride {
        id: row.override_id(),
        kind: wire_kind(parsed.change.kind()),
        place: plan::place(lookup, parsed.place),
        assignment_id: assignment.assignment_id(),
        subject,
        class,
        group: lookup.group(assignment.group_id),
        teacher,
        usual_teacher: usual,
        room: row.room.clone(),
        reason: row.reason.clone(),
        moved_to,
        set_by: lookup.person(row.set_by).cloned(),
        set_at: rfc3339(row.set_at),
    }))
}

fn date_field(fields: &mut Fields, field: &str, text: &str) -> Option<Date> {
    fields.check(parta_domain::school_year::date(field, text))
}

/// # A class's overrides touching a range of dates (admins, the deputy director)
pub async fn list(
    state: &AppState,
    actor: &Actor,
    org: OrgId,
    year: YearId,
    class: ClassId,
    from: &str,
    to: &str,
) -> Result<Vec<LessonOverride>> {
    let mut conn = state.db.reads().acquire().await?;
    access::school(&mut conn, actor, org, Permission::ManageSchoolYear).await?;
    store::school_year::year(&mut conn, org, year).await?.ok_or(Error::NotFound)?;
    store::schools::get_class(&mut conn, org, class).await?.ok_or(Error::NotFound)?;
    let mut fields = Fields::default();
    let from = date_field(&mut fields, "from", from);
    let to = date_field(&mut fields, "to", to);
    if let (Some(from), Some(to)) = (from, to)
        && (to < from || (to - from).get_days() > LIST_DAYS_MAX as i32)
    {
        fields.reject("to", "out_of_range");
    }
    fields.finish()?;
    let (from, to) = (super::checked(from)?, super::checked(to)?);
    let mut lookup = Lookup::load(&mut conn, org, year).await?;
    let mut out = Vec::new();
    for (row, _) in plan::overrides(&mut conn, org, year, Some(class), from, to).await? {
        if let Some(shown) = render(&mut conn, &mut lookup, &row).await? {
            out.push(shown);
        }
    }
    Ok(out)
}

/// Where a clash of the lesson an override makes is told: at the field the admin chose.
fn clash_field(kind: Kind, clash: Clash, teacher_given: bool) -> &'static str {
    match (kind, clash) {
        (_, Clash::RoomBusy) => "room",
        (Kind::Substitute, Clash::TeacherBusy) => "teacher_id",
        (Kind::Extra, Clash::TeacherBusy) if teacher_given => "teacher_id",
        (Kind::Move, _) => "to_number",
        _ => "number",
    }
}

/// # Set an override of a class's lesson on a date (admins, the deputy director)
/// `substitute`: another teacher of the school teaches the timetable's lesson (in
/// another room when given); `cancel`: it is not held (with a reason); `move`: it is
/// held at `to_date`/`to_shift`/`to_number` instead; `extra`: a lesson of one of the
/// class's assignments is added. Refused at the field: `not_a_school_day`,
/// `not_in_timetable`, `already_changed`, `not_a_teacher`, `same_teacher`,
/// `lesson_written`, `teacher_busy`, `room_busy`, `class_busy`.
pub async fn create(
    state: &AppState,
    actor: &Actor,
    org: OrgId,
    year: YearId,
    class: ClassId,
    request: &OverrideRequest,
) -> Result<LessonOverride> {
    let mut work = state.begin().await?;
    access::school(&mut work, actor, org, Permission::ManageSchoolYear).await?;
    let year_row = super::school_year::changing_year(&mut work, org, year).await?;
    store::schools::get_class(&mut work, org, class)
        .await?
        .filter(|c| c.kind != "staff_room")
        .ok_or(Error::NotFound)?;
    store::schools::lock(&mut work, org).await?;
    let mut lookup = Lookup::load(&mut work, org, year).await?;
    let calendar = calendar(&mut work, &year_row).await?;
    let kind = kind_of(request.kind);

    // The request's own fields.
    let mut fields = Fields::default();
    let date = date_field(&mut fields, "date", &request.date);
    if lookup.bell(request.shift, request.number).is_none() {
        fields.reject("number", "unknown_slot");
    }
    let assignment = store::teaching::assignment(&mut work, org, year, request.assignment_id)
        .await?
        .filter(|a| a.class_id == class.0);
    if assignment.is_none() {
        fields.reject("assignment_id", "unknown_assignment");
    }
    let room = fields.check(validate::optional_line("room", request.room.as_deref(), ROOM_MAX_CHARS));
    let reason = fields.check(validate::optional_line("reason", request.reason.as_deref(), REASON_MAX_CHARS));
    let teacher = match (kind, request.teacher_id) {
        (Kind::Substitute, None) => {
            fields.reject("teacher_id", "required");
            None
        }
        (Kind::Substitute | Kind::Extra, Some(teacher)) => {
            let places = store::directory::active_places(&mut work, org, teacher).await?;
            if !places.iter().any(|p| p.role().teaches()) {
                fields.reject("teacher_id", "not_a_teacher");
            }
            Some(teacher)
        }
        (Kind::Cancel | Kind::Move, Some(_)) => {
            fields.reject("teacher_id", "not_allowed");
            None
        }
        _ => None,
    };
    if kind != Kind::Cancel && request.reason.is_some() {
        fields.reject("reason", "not_allowed");
    }
    let to = if kind == Kind::Move {
        let to_date = match &request.to_date {
            Some(text) => date_field(&mut fields, "to_date", text),
            None => {
                fields.reject("to_date", "required");
                None
            }
        };
        match (request.to_shift, request.to_number) {
            (Some(shift), Some(number)) if lookup.bell(shift, number).is_some() => {
                to_date.map(|date| Place { date, shift, number })
            }
            (Some(_), Some(_)) => {
                fields.reject("to_number", "unknown_slot");
                None
            }
            _ => {
                fields.reject("to_number", "required");
                None
            }
        }
    } else {
        if request.to_date.is_some() || request.to_shift.is_some() || request.to_number.is_some() {
            fields.reject("to_date", "not_allowed");
        }
        None
    };
    if kind == Kind::Cancel && request.room.is_some() {
        fields.reject("room", "not_allowed");
    }
    fields.finish()?;
    let (date, assignment, room, reason) =
        (super::checked(date)?, super::checked(assignment)?, super::checked(room)?, super::checked(reason)?);
    let place = Place { date, shift: request.shift, number: request.number };

    // The plan of the dates it touches, the whole school's, without it.
    let mut dates = vec![date];
    if let Some(to) = to
        && to.date != date
    {
        dates.push(to.date);
    }
    let mut school_day = Vec::new();
    for day in &dates {
        school_day.extend(plan::lessons(&mut work, org, year, &lookup, &calendar, Whose::School, (*day, *day)).await?);
    }
    let existing: Vec<Override> =
        plan::overrides(&mut work, org, year, Some(class), date, date).await?.into_iter().map(|(_, o)| o).collect();
    let usual = UserId(assignment.teacher_id);
    let timetable_room = plan::find(&school_day, assignment.assignment_id(), place).and_then(|l| l.room.clone());
    let change = match kind {
        Kind::Substitute => Change::Substitute { teacher: teacher.unwrap_or(usual), room: room.clone() },
        Kind::Cancel => Change::Cancel { reason: reason.clone() },
        Kind::Move => Change::Move {
            to: super::checked(to)?,
            teacher: usual,
            room: room.clone().or_else(|| timetable_room.clone()),
        },
        Kind::Extra => Change::Extra { teacher: teacher.unwrap_or(usual), room: room.clone() },
    };
    let new = Override { id: OverrideId(0), place, assignment: assignment.assignment_id(), change: change.clone() };
    let class_day: Vec<lesson_plan::Lesson> = school_day
        .iter()
        .filter(|l| lookup.assignment(l.assignment.0).is_some_and(|a| a.class_id == class.0))
        .cloned()
        .collect();
    let mut fields = Fields::default();
    for refusal in lesson_plan::check(&calendar, &class_day, &existing, &new) {
        fields.reject(refusal.field(), refusal.code());
    }
    // A lesson already written down is not taken away from where it was written.
    if matches!(kind, Kind::Cancel | Kind::Move)
        && store::journal::lesson_at(&mut work, assignment.id, &date.to_string(), place.shift, place.number)
            .await?
            .is_some()
    {
        fields.reject("number", "lesson_written");
    }
    // The lesson it makes, against the rest of its day.
    let made = match &change {
        Change::Substitute { teacher, room } => Some(lesson_plan::Lesson {
            place,
            assignment: assignment.assignment_id(),
            teacher: *teacher,
            room: room.clone().or(timetable_room),
            status: Status::Substituted { usual },
            by: None,
        }),
        Change::Move { to, teacher, room } => Some(lesson_plan::Lesson {
            place: *to,
            assignment: assignment.assignment_id(),
            teacher: *teacher,
            room: room.clone(),
            status: Status::MovedHere { from: place },
            by: None,
        }),
        Change::Extra { teacher, room } => Some(lesson_plan::Lesson {
            place,
            assignment: assignment.assignment_id(),
            teacher: *teacher,
            room: room.clone(),
            status: Status::Extra,
            by: None,
        }),
        Change::Cancel { .. } => None,
    };
    if let Some(made) = made
        && let Some(placed) = plan::placed(&lookup, &made)
    {
        let others: Vec<Placed> = school_day
            .iter()
            .filter(|l| l.held() && l.place.date == made.place.date)
            // The lesson a replacement takes over is not another lesson.
            .filter(|l| !(kind == Kind::Substitute && l.place == place && l.assignment == made.assignment))
            .filter_map(|l| plan::placed(&lookup, l))
            .collect();
        if let Some((_, clash)) = parta_domain::timetable::clashes(&[placed], &others).first() {
            let field = clash_field(kind, *clash, request.teacher_id.is_some());
            fields.reject(field, clash.code());
        }
    }
    fields.finish()?;

    let (teacher_id, to_place) = match &change {
        Change::Substitute { teacher, .. } | Change::Extra { teacher, .. } => (*teacher, None),
        Change::Move { to, teacher, .. } => (*teacher, Some(*to)),
        Change::Cancel { .. } => (usual, None),
    };
    let stored_room = match &change {
        Change::Move { room, .. } => room.clone(),
        _ => room,
    };
    let row = OverrideRow {
        id: 0,
        org_id: org.0,
        year_id: year.0,
        class_id: class.0,
        assignment_id: assignment.id,
        kind: kind.as_str().to_owned(),
        held_on: date.to_string(),
        shift: place.shift,
        number: place.number,
        teacher_id: teacher_id.0,
        room: stored_room,
        reason,
        to_held_on: to_place.map(|p| p.date.to_string()),
        to_shift: to_place.map(|p| p.shift),
        to_number: to_place.map(|p| p.number),
        set_by: actor.user_id.0,
        set_at: 0,
    };
    let id = store::overrides::insert(&mut work, &row).await?;
    if kind == Kind::Substitute {
        // A lesson written down before the replacement was set is the replacement's now.
        store::overrides::set_lesson_teacher(&mut work, assignment.id, &row.held_on, row.shift, row.number, teacher_id)
            .await?;
    }
    let details = json!({
        "year_id": year, "class_id": class, "kind": kind.as_str(), "assignment_id": assignment.id,
        "date": row.held_on, "shift": row.shift, "number": row.number, "teacher_id": row.teacher_id,
        "to_date": row.to_held_on, "to_shift": row.to_shift, "to_number": row.to_number,
    });
    store::audit::record(
        &mut work,
        Entry::in_school(org, actor.user_id, "lesson_override_set", "class", class.0, details),
    )
    .await?;
    let stored = store::overrides::get(&mut work, org, year, id).await?.ok_or(Error::NotFound)?;
    do_tell(&mut work, org, &stored, usual).await?;
    let shown = render(&mut work, &mut lookup, &stored).await?.ok_or(Error::NotFound)?;
    work.commit(state).await?;
    Ok(shown)
}

/// # Take an override back: the lesson is as the timetable has it again (admins, the deputy director)
/// A moved or extra lesson already written down stays (`lesson_written`, 409).
pub async fn delete(state: &AppState, actor: &Actor, org: OrgId, year: YearId, id: OverrideId) -> Result<()> {
    let mut work = state.begin().await?;
    access::school(&mut work, actor, org, Permission::ManageSchoolYear).await?;
    super::school_year::changing_year(&mut work, org, year).await?;
    let row = store::overrides::get(&mut work, org, year, id).await?.ok_or(Error::NotFound)?;
    store::schools::lock(&mut work, org).await?;
    let usual = store::teaching::assignments_of_year(&mut work, org, year)
        .await?
        .into_iter()
        .find(|a| a.id == row.assignment_id)
        .map(|a| UserId(a.teacher_id))
        .ok_or(Error::NotFound)?;
    let written_at = match Kind::parse(&row.kind) {
        Some(Kind::Move) => row.to_held_on.clone().zip(row.to_shift).zip(row.to_number).map(|((d, s), n)| (d, s, n)),
        Some(Kind::Extra) => Some((row.held_on.clone(), row.shift, row.number)),
        _ => None,
    };
    if let Some((day, shift, number)) = written_at
        && store::journal::lesson_at(&mut work, row.assignment_id, &day, shift, number).await?.is_some()
    {
        return Err(Error::Conflict("lesson_written"));
    }
    store::overrides::delete(&mut work, id).await?;
    if Kind::parse(&row.kind) == Some(Kind::Substitute) {
        store::overrides::set_lesson_teacher(&mut work, row.assignment_id, &row.held_on, row.shift, row.number, usual)
            .await?;
    }
    let details = json!({
        "year_id": year, "class_id": row.class_id, "kind": row.kind, "assignment_id": row.assignment_id,
        "date": row.held_on, "shift": row.shift, "number": row.number, "teacher_id": row.teacher_id,
    });
    store::audit::record(
        &mut work,
        Entry::in_school(org, actor.user_id, "lesson_override_removed", "class", row.class_id, details),
    )
    .await?;
    do_tell(&mut work, org, &row, usual).await?;
    work.commit(state).await?;
    Ok(())
}

/// Tells the class's students, their parents and the teachers concerned that the
/// class's lessons on the override's dates changed.
async fn do_tell(work: &mut Work, org: OrgId, row: &OverrideRow, usual: UserId) -> Result<()> {
    let class = ClassId(row.class_id);
    let mut dates = vec![row.held_on.clone()];
    if let Some(to) = &row.to_held_on
        && !dates.contains(to)
    {
        dates.push(to.clone());
    }
    let mut people = vec![usual];
    if !people.contains(&UserId(row.teacher_id)) {
        people.push(UserId(row.teacher_id));
    }
    for day in &dates {
        for student in store::journal::class_students_on(work, org, class, day).await? {
            if !people.contains(&student) {
                people.push(student);
            }
            for place in store::directory::parent_places_for_child(work, org, student).await? {
                if !people.contains(&UserId(place.user_id)) {
                    people.push(UserId(place.user_id));
                }
            }
        }
    }
    for person in people {
        let event = UserEvent::TimetableChanged { org_id: org, class_id: class, dates: dates.clone() };
        do_user_event(work, person, Some(org), event).await?;
    }
    Ok(())
}
