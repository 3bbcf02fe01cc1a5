//! The one place that says which lessons happen: the weekly timetable's lessons on
//! the year's school days with the school's overrides of those dates applied
//! (`parta_domain::lesson_plan`). The class and teacher weeks, the diary, the calendar
//! feed and the journal's check of a lesson to write down all read it from here.

use jiff::civil::Date;
use parta_domain::lesson_plan::{self, Change, Lesson, Override, Place, Planned, Status};
use parta_domain::quiet::DayTime;
use parta_domain::school_year::Calendar;
use parta_domain::timetable::Placed;
use parta_domain::{AssignmentId, ClassId, GroupId, OrgId, OverrideId, UserId, YearId};
use parta_protocol::{LessonChange, LessonPlace, OverrideKind};
use sqlx::AnyConnection;

use super::timetable::Lookup;
use crate::error::Result;
use crate::store;
use crate::store::overrides::OverrideRow;

/// Whose lessons.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Whose {
    /// A class's (all its groups').
    Class(ClassId),
    /// A teacher's: those they teach, and those of theirs a replacement teaches.
    Teacher(UserId),
    /// The whole school's.
    School,
}

/// A stored override as the plan's rules see it; none when it does not read back.
pub(crate) fn to_domain(row: &OverrideRow) -> Option<Override> {
    let place = Place { date: row.held_on.parse().ok()?, shift: row.shift, number: row.number };
    let teacher = UserId(row.teacher_id);
    let change = match lesson_plan::Kind::parse(&row.kind)? {
        lesson_plan::Kind::Substitute => Change::Substitute { teacher, room: row.room.clone() },
        lesson_plan::Kind::Cancel => Change::Cancel { reason: row.reason.clone() },
        lesson_plan::Kind::Move => Change::Move {
            to: Place { date: row.to_held_on.as_deref()?.parse().ok()?, shift: row.to_shift?, number: row.to_number? },
            teacher,
            room: row.room.clone(),
        },
        lesson_plan::Kind::Extra => Change::Extra { teacher, room: row.room.clone() },
    };
    Some(Override { id: row.override_id(), place, assignment: AssignmentId(row.assignment_id), change })
}

/// The timetable's lessons on the school days of `from..=to`, of one class or all.
pub(crate) async fn planned(
    conn: &mut AnyConnection,
    org: OrgId,
    year: YearId,
    lookup: &Lookup,
    calendar: &Calendar,
    class: Option<ClassId>,
    (from, to): (Date, Date),
) -> Result<Vec<Planned>> {
    let entries = store::teaching::entries(conn, org, year, class).await?;
    let mut planned = Vec::new();
    for day in lesson_plan::school_days(calendar, from, to) {
        let weekday = i64::from(day.weekday().to_monday_one_offset());
        for entry in entries.iter().filter(|e| e.weekday == weekday) {
            let Some(assignment) = lookup.assignment(entry.assignment_id) else { continue };
            planned.push(Planned {
                place: Place { date: day, shift: entry.shift, number: entry.number },
                assignment: AssignmentId(entry.assignment_id),
                teacher: UserId(assignment.teacher_id),
                room: entry.room.clone(),
            });
        }
    }
    Ok(planned)
}

/// The overrides of a year touching `from..=to`, of one class or all.
pub(crate) async fn overrides(
    conn: &mut AnyConnection,
    org: OrgId,
    year: YearId,
    class: Option<ClassId>,
    from: Date,
    to: Date,
) -> Result<Vec<(OverrideRow, Override)>> {
    Ok(store::overrides::between(conn, org, year, &from.to_string(), &to.to_string())
        .await?
        .into_iter()
        .filter(|row| class.is_none_or(|c| row.class_id == c.0))
        .filter_map(|row| {
            let parsed = to_domain(&row)?;
            Some((row, parsed))
        })
        .collect())
}

/// # The lessons of the dates `from..=to`: the timetable on school days, overrides applied
/// Cancelled and moved-away lessons are in it, marked (`Lesson::held`).
pub(crate) async fn lessons(
    conn: &mut AnyConnection,
    org: OrgId,
    year: YearId,
    lookup: &Lookup,
    calendar: &Calendar,
    whose: Whose,
    (from, to): (Date, Date),
) -> Result<Vec<Lesson>> {
    let class = match whose {
        Whose::Class(class) => Some(class),
        Whose::Teacher(_) | Whose::School => None,
    };
    let planned = planned(conn, org, year, lookup, calendar, class, (from, to)).await?;
    let overrides: Vec<Override> =
        overrides(conn, org, year, class, from, to).await?.into_iter().map(|(_, o)| o).collect();
    let mut lessons = lesson_plan::apply(&planned, &overrides, from, to);
    if let Whose::Teacher(teacher) = whose {
        lessons
            .retain(|l| l.teacher == teacher || matches!(l.status, Status::Substituted { usual } if usual == teacher));
    }
    // A lesson of an assignment the year no longer knows is nobody's.
    lessons.retain(|l| lookup.assignment(l.assignment.0).is_some());
    Ok(lessons)
}

/// The lesson of `assignment` at `place` in a plan, held or not.
pub(crate) fn find(lessons: &[Lesson], assignment: AssignmentId, place: Place) -> Option<&Lesson> {
    lessons.iter().find(|l| l.assignment == assignment && l.place == place)
}

/// A slot on a date as the wire shows it.
pub(crate) fn place(lookup: &Lookup, place: Place) -> LessonPlace {
    LessonPlace {
        date: place.date.to_string(),
        shift: place.shift,
        number: place.number,
        starts_at: lookup.bell(place.shift, place.number).map(|b| b.starts_at.clone()).unwrap_or_default(),
    }
}

/// How a lesson differs from the timetable, for a week to show.
pub(crate) fn change(lookup: &Lookup, lesson: &Lesson) -> Option<LessonChange> {
    let override_id: OverrideId = lesson.by?;
    let mut shown = LessonChange {
        override_id,
        kind: OverrideKind::Substitute,
        usual_teacher: None,
        reason: None,
        moved_to: None,
        moved_from: None,
    };
    match &lesson.status {
        Status::AsPlanned => return None,
        Status::Substituted { usual } => shown.usual_teacher = lookup.person(usual.0).cloned(),
        Status::Cancelled { reason } => {
            shown.kind = OverrideKind::Cancel;
            shown.reason = reason.clone();
        }
        Status::MovedAway { to } => {
            shown.kind = OverrideKind::Move;
            shown.moved_to = Some(place(lookup, *to));
        }
        Status::MovedHere { from } => {
            shown.kind = OverrideKind::Move;
            shown.moved_from = Some(place(lookup, *from));
        }
        Status::Extra => shown.kind = OverrideKind::Extra,
    }
    Some(shown)
}

/// Everyone a plan names, so that `Lookup::person` knows them.
pub(crate) async fn know_people(conn: &mut AnyConnection, lookup: &mut Lookup, lessons: &[Lesson]) -> Result<()> {
    let mut ids = Vec::new();
    for lesson in lessons {
        ids.push(lesson.teacher.0);
        if let Status::Substituted { usual } = lesson.status {
            ids.push(usual.0);
        }
    }
    lookup.know(conn, ids).await
}

/// A held lesson as the clash rules see it.
pub(crate) fn placed(lookup: &Lookup, lesson: &Lesson) -> Option<Placed> {
    let assignment = lookup.assignment(lesson.assignment.0)?;
    let bell = lookup.bell(lesson.place.shift, lesson.place.number)?;
    Some(Placed {
        weekday: lesson.place.date.weekday().to_monday_one_offset() as u8,
        starts_at: DayTime::parse(&bell.starts_at)?,
        ends_at: DayTime::parse(&bell.ends_at)?,
        teacher: lesson.teacher,
        class: ClassId(assignment.class_id),
        group: assignment.group_id.map(GroupId),
        room: lesson.room.clone(),
    })
}
