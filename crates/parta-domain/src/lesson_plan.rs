//! Which lessons happen on a date: those the weekly timetable puts there on a school
//! day, changed by the school's overrides of that date — a replacement teacher
//! («замена»), a cancelled lesson, a lesson moved to another date or slot, an extra
//! lesson. A cancelled or moved-away lesson stays in the plan, marked, so that a
//! week can show it; only the held ones are taught, written down and clash.

use jiff::civil::Date;

use crate::ids::{AssignmentId, OverrideId, UserId};
use crate::school_year::Calendar;

/// A slot of the bells on a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Place {
    pub date: Date,
    pub shift: i64,
    pub number: i64,
}

/// A lesson the weekly timetable puts on a school day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    pub place: Place,
    pub assignment: AssignmentId,
    pub teacher: UserId,
    pub room: Option<String>,
}

/// What an override does to the lesson of its assignment at its place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Taught by another teacher; in another room when one is given.
    Substitute { teacher: UserId, room: Option<String> },
    /// Not held.
    Cancel { reason: Option<String> },
    /// Not held here but at `to`, by `teacher`, in `room` (the usual one when none is given).
    Move { to: Place, teacher: UserId, room: Option<String> },
    /// Held in addition to the timetable, by `teacher`, in `room`.
    Extra { teacher: UserId, room: Option<String> },
}

/// The kind of an override, as stored and on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Substitute,
    Cancel,
    Move,
    Extra,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Substitute => "substitute",
            Kind::Cancel => "cancel",
            Kind::Move => "move",
            Kind::Extra => "extra",
        }
    }

    pub fn parse(text: &str) -> Option<Kind> {
        [Kind::Substitute, Kind::Cancel, Kind::Move, Kind::Extra].into_iter().find(|k| k.as_str() == text)
    }

    /// Whether the override changes a lesson the timetable has (rather than adding one).
    pub fn changes_a_timetable_lesson(self) -> bool {
        self != Kind::Extra
    }
}

impl Change {
    pub fn kind(&self) -> Kind {
        match self {
            Change::Substitute { .. } => Kind::Substitute,
            Change::Cancel { .. } => Kind::Cancel,
            Change::Move { .. } => Kind::Move,
            Change::Extra { .. } => Kind::Extra,
        }
    }
}

/// An override of a class's lesson at a place: for an extra lesson, the place it is
/// held at; otherwise the place the timetable has the lesson.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Override {
    pub id: OverrideId,
    pub place: Place,
    pub assignment: AssignmentId,
    pub change: Change,
}

/// How a lesson of the plan stands against the timetable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// As the timetable has it.
    AsPlanned,
    /// Taught by a replacement teacher instead of `usual`.
    Substituted {
        usual: UserId,
    },
    Cancelled {
        reason: Option<String>,
    },
    /// Not held here: moved to `to`.
    MovedAway {
        to: Place,
    },
    /// Held here, moved from `from`.
    MovedHere {
        from: Place,
    },
    Extra,
}

/// A lesson of the plan: where, of which assignment, who teaches it and where, and how
/// it stands against the timetable (with the override that made it so).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lesson {
    pub place: Place,
    pub assignment: AssignmentId,
    pub teacher: UserId,
    pub room: Option<String>,
    pub status: Status,
    pub by: Option<OverrideId>,
}

impl Lesson {
    /// Whether the lesson is held at its place (and so may be written down).
    pub fn held(&self) -> bool {
        !matches!(self.status, Status::Cancelled { .. } | Status::MovedAway { .. })
    }
}

/// The plan of `from..=to`: the timetable's lessons of those dates (school days only,
/// as the caller lists them) with the overrides applied. `overrides` may include
/// some of other dates; a move brings its lesson into the range when it lands there.
pub fn apply(planned: &[Planned], overrides: &[Override], from: Date, to: Date) -> Vec<Lesson> {
    let within = |date: Date| from <= date && date <= to;
    let mut lessons: Vec<Lesson> = planned
        .iter()
        .filter(|p| within(p.place.date))
        .map(|p| {
            let found = overrides.iter().find(|o| {
                o.place == p.place && o.assignment == p.assignment && o.change.kind().changes_a_timetable_lesson()
            });
            let mut lesson = Lesson {
                place: p.place,
                assignment: p.assignment,
                teacher: p.teacher,
                room: p.room.clone(),
                status: Status::AsPlanned,
                by: found.map(|o| o.id),
            };
            match found.map(|o| &o.change) {
                Some(Change::Substitute { teacher, room }) => {
                    lesson.status = Status::Substituted { usual: p.teacher };
                    lesson.teacher = *teacher;
                    if room.is_some() {
                        lesson.room = room.clone();
                    }
                }
                Some(Change::Cancel { reason }) => lesson.status = Status::Cancelled { reason: reason.clone() },
                Some(Change::Move { to, .. }) => lesson.status = Status::MovedAway { to: *to },
                Some(Change::Extra { .. }) | None => {}
            }
            lesson
        })
        .collect();
    for o in overrides {
        let added = match &o.change {
            Change::Move { to, teacher, room } if within(to.date) => Lesson {
                place: *to,
                assignment: o.assignment,
                teacher: *teacher,
                room: room.clone().or_else(|| usual_room(planned, o)),
                status: Status::MovedHere { from: o.place },
                by: Some(o.id),
            },
            Change::Extra { teacher, room } if within(o.place.date) => Lesson {
                place: o.place,
                assignment: o.assignment,
                teacher: *teacher,
                room: room.clone(),
                status: Status::Extra,
                by: Some(o.id),
            },
            _ => continue,
        };
        lessons.push(added);
    }
    lessons.sort_by_key(|l| (l.place, l.assignment));
    lessons
}

fn usual_room(planned: &[Planned], o: &Override) -> Option<String> {
    planned.iter().find(|p| p.place == o.place && p.assignment == o.assignment).and_then(|p| p.room.clone())
}

/// Why an override may not be set (beyond a clash of the day it makes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The date is no school day of the year (outside its periods, a day off, a weekend).
    NotASchoolDay,
    /// A lesson moved to a date that is no school day.
    ToNotASchoolDay,
    /// The timetable has no lesson of the assignment there that day.
    NotInTimetable,
    /// The lesson there is already changed by another override.
    AlreadyChanged,
    /// A replacement teacher is the lesson's own teacher.
    SameTeacher,
    /// A lesson moved onto its own place.
    SamePlace,
}

impl Refusal {
    pub fn code(self) -> &'static str {
        match self {
            Refusal::NotASchoolDay | Refusal::ToNotASchoolDay => "not_a_school_day",
            Refusal::NotInTimetable => "not_in_timetable",
            Refusal::AlreadyChanged => "already_changed",
            Refusal::SameTeacher => "same_teacher",
            Refusal::SamePlace => "same_place",
        }
    }

    /// The field of an override request the refusal is about.
    pub fn field(self) -> &'static str {
        match self {
            Refusal::NotASchoolDay => "date",
            Refusal::ToNotASchoolDay => "to_date",
            Refusal::NotInTimetable | Refusal::AlreadyChanged => "number",
            Refusal::SameTeacher => "teacher_id",
            Refusal::SamePlace => "to_number",
        }
    }
}

/// What is wrong with `new` against the calendar, the plan of its dates without it
/// (`day`: the lessons of `new.place.date`, and of the move's target date) — each
/// refusal once, in the order of the request's fields.
pub fn check(calendar: &Calendar, day: &[Lesson], existing: &[Override], new: &Override) -> Vec<Refusal> {
    let mut refusals = Vec::new();
    if !calendar.is_school_day(new.place.date) {
        refusals.push(Refusal::NotASchoolDay);
    }
    if new.change.kind().changes_a_timetable_lesson() {
        let planned = day.iter().find(|l| {
            l.place == new.place
                && l.assignment == new.assignment
                && !matches!(l.status, Status::MovedHere { .. } | Status::Extra)
        });
        match planned {
            None => refusals.push(Refusal::NotInTimetable),
            Some(lesson) if lesson.by.is_some() => refusals.push(Refusal::AlreadyChanged),
            Some(lesson) => {
                if let Change::Substitute { teacher, .. } = new.change
                    && teacher == lesson.teacher
                {
                    refusals.push(Refusal::SameTeacher);
                }
            }
        }
    } else if existing.iter().any(|o| o.place == new.place && o.assignment == new.assignment) {
        refusals.push(Refusal::AlreadyChanged);
    }
    if let Change::Move { to, .. } = new.change {
        if to == new.place {
            refusals.push(Refusal::SamePlace);
        } else if !calendar.is_school_day(to.date) {
            refusals.push(Refusal::ToNotASchoolDay);
        }
    }
    refusals
}

/// The school days from `from` to `to`, both included.
pub fn school_days(calendar: &Calendar, from: Date, to: Date) -> Vec<Date> {
    let mut days = Vec::new();
    let mut day = from;
    while day <= to {
        if calendar.is_school_day(day) {
            days.push(day);
        }
        match day.tomorrow() {
            Ok(next) => day = next,
            Err(_) => break,
        }
    }
    days
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::school_year::{PeriodKind, YearDraft, check_year};

    fn date(s: &str) -> Date {
        s.parse().expect("date")
    }

    fn place(d: &str, number: i64) -> Place {
        Place { date: date(d), shift: 1, number }
    }

    fn planned(d: &str, number: i64, assignment: i64, teacher: i64) -> Planned {
        Planned {
            place: place(d, number),
            assignment: AssignmentId(assignment),
            teacher: UserId(teacher),
            room: Some("214".into()),
        }
    }

    fn change(id: i64, d: &str, number: i64, assignment: i64, change: Change) -> Override {
        Override { id: OverrideId(id), place: place(d, number), assignment: AssignmentId(assignment), change }
    }

    fn calendar() -> Calendar {
        check_year(&YearDraft {
            starts_on: "2026-09-01",
            ends_on: "2027-05-31",
            school_days: 5,
            kind: Some(PeriodKind::Halves),
            periods: vec![("2026-09-01", "2026-12-28"), ("2027-01-12", "2027-05-26")],
            days_off: vec![("2026-11-04", "2026-11-04")],
        })
        .expect("valid")
    }

    #[test]
    fn overrides_replace_cancel_move_and_add_lessons() {
        let week = [
            planned("2026-11-02", 1, 10, 1),
            planned("2026-11-02", 2, 11, 2),
            planned("2026-11-03", 1, 10, 1),
            planned("2026-11-03", 2, 11, 2),
        ];
        let overrides = [
            change(1, "2026-11-02", 1, 10, Change::Substitute { teacher: UserId(3), room: None }),
            change(2, "2026-11-02", 2, 11, Change::Cancel { reason: Some("Экскурсия".into()) }),
            change(3, "2026-11-03", 1, 10, Change::Move { to: place("2026-11-05", 3), teacher: UserId(1), room: None }),
            change(4, "2026-11-03", 3, 11, Change::Extra { teacher: UserId(2), room: Some("301".into()) }),
            // Another week's: out of the range.
            change(5, "2026-11-09", 1, 10, Change::Cancel { reason: None }),
        ];
        let plan = apply(&week, &overrides, date("2026-11-02"), date("2026-11-07"));
        let statuses: Vec<(Place, i64, i64, Status, bool)> =
            plan.iter().map(|l| (l.place, l.assignment.0, l.teacher.0, l.status.clone(), l.held())).collect();
        assert_eq!(
            statuses,
            [
                (place("2026-11-02", 1), 10, 3, Status::Substituted { usual: UserId(1) }, true),
                (place("2026-11-02", 2), 11, 2, Status::Cancelled { reason: Some("Экскурсия".into()) }, false),
                (place("2026-11-03", 1), 10, 1, Status::MovedAway { to: place("2026-11-05", 3) }, false),
                (place("2026-11-03", 2), 11, 2, Status::AsPlanned, true),
                (place("2026-11-03", 3), 11, 2, Status::Extra, true),
                (place("2026-11-05", 3), 10, 1, Status::MovedHere { from: place("2026-11-03", 1) }, true),
            ]
        );
        assert_eq!(plan[0].room.as_deref(), Some("214"), "a replacement keeps the room unless given one");
        assert_eq!(plan[5].room.as_deref(), Some("214"), "a moved lesson keeps its room unless given one");
        assert_eq!(plan[4].room.as_deref(), Some("301"));
        // A lesson moved in from a week outside the range still lands in it.
        let next = apply(&[], &overrides, date("2026-11-05"), date("2026-11-05"));
        assert_eq!(next.len(), 1);
        assert_eq!(next[0].status, Status::MovedHere { from: place("2026-11-03", 1) });
    }

    #[test]
    fn an_override_needs_a_school_day_and_the_lesson_it_changes() {
        let calendar = calendar();
        let week = [planned("2026-11-02", 1, 10, 1), planned("2026-11-02", 2, 11, 2)];
        let existing = [change(1, "2026-11-02", 2, 11, Change::Cancel { reason: None })];
        let day = apply(&week, &existing, date("2026-11-02"), date("2026-11-02"));
        let sub =
            |d: &str, n: i64, a: i64, t: i64| change(9, d, n, a, Change::Substitute { teacher: UserId(t), room: None });
        assert_eq!(check(&calendar, &day, &existing, &sub("2026-11-02", 1, 10, 3)), []);
        assert_eq!(check(&calendar, &day, &existing, &sub("2026-11-02", 1, 10, 1)), [Refusal::SameTeacher]);
        assert_eq!(check(&calendar, &day, &existing, &sub("2026-11-02", 3, 10, 3)), [Refusal::NotInTimetable]);
        assert_eq!(check(&calendar, &day, &existing, &sub("2026-11-02", 2, 11, 3)), [Refusal::AlreadyChanged]);
        assert_eq!(
            check(&calendar, &[], &existing, &sub("2026-11-04", 1, 10, 3)),
            [Refusal::NotASchoolDay, Refusal::NotInTimetable],
            "a day off"
        );
        assert_eq!(
            check(
                &calendar,
                &[],
                &existing,
                &change(9, "2026-12-30", 1, 10, Change::Extra { teacher: UserId(1), room: None })
            ),
            [Refusal::NotASchoolDay],
            "between the halves"
        );
        assert_eq!(
            check(
                &calendar,
                &day,
                &existing,
                &change(9, "2026-11-02", 3, 10, Change::Extra { teacher: UserId(1), room: None })
            ),
            []
        );
        let moved = |to: Place| change(9, "2026-11-02", 1, 10, Change::Move { to, teacher: UserId(1), room: None });
        assert_eq!(check(&calendar, &day, &existing, &moved(place("2026-11-02", 1))), [Refusal::SamePlace]);
        assert_eq!(check(&calendar, &day, &existing, &moved(place("2026-11-07", 1))), [Refusal::ToNotASchoolDay]);
        assert_eq!(check(&calendar, &day, &existing, &moved(place("2026-11-05", 4))), []);
    }

    #[test]
    fn school_days_leave_out_weekends_and_days_off() {
        let days = school_days(&calendar(), date("2026-11-02"), date("2026-11-08"));
        let days: Vec<String> = days.iter().map(|d| d.to_string()).collect();
        assert_eq!(days, ["2026-11-02", "2026-11-03", "2026-11-05", "2026-11-06"]);
    }

    #[test]
    fn kinds_read_back() {
        for kind in [Kind::Substitute, Kind::Cancel, Kind::Move, Kind::Extra] {
            assert_eq!(Kind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(Kind::parse("swap"), None);
    }
}
