//! The weekly timetable: which lesson stands in which slot of which weekday, and
//! what may not stand together — one teacher or one room in two places at once, or
//! a class in two lessons at once (unless they are lessons of two different groups
//! of it, taught side by side). The lessons of a date follow from the timetable on
//! the school days of the year (`school_year::Calendar`).

use jiff::civil::Date;

use crate::ids::{ClassId, GroupId, UserId};
use crate::quiet::DayTime;
use crate::school_year::Calendar;

/// A lesson placed in the week: its weekday (Monday 1), its times from the bells, and
/// who and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placed {
    pub weekday: u8,
    pub starts_at: DayTime,
    pub ends_at: DayTime,
    pub teacher: UserId,
    pub class: ClassId,
    pub group: Option<GroupId>,
    /// As typed («214», «Спортзал»); compared without case or surrounding spaces.
    pub room: Option<String>,
}

/// Why two lessons may not stand together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clash {
    /// The teacher has another lesson then.
    TeacherBusy,
    /// The room is taken then.
    RoomBusy,
    /// The class (or the same group of it) has another lesson then.
    ClassBusy,
}

impl Clash {
    pub fn code(self) -> &'static str {
        match self {
            Clash::TeacherBusy => "teacher_busy",
            Clash::RoomBusy => "room_busy",
            Clash::ClassBusy => "class_busy",
        }
    }
}

fn same_room(a: &Option<String>, b: &Option<String>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => {
            let (a, b) = (a.trim(), b.trim());
            !a.is_empty() && a.to_lowercase() == b.to_lowercase()
        }
        _ => false,
    }
}

/// The first reason `a` and `b` may not stand together, if any.
pub fn clash(a: &Placed, b: &Placed) -> Option<Clash> {
    let overlap = a.weekday == b.weekday && a.starts_at < b.ends_at && b.starts_at < a.ends_at;
    if !overlap {
        return None;
    }
    if a.teacher == b.teacher {
        return Some(Clash::TeacherBusy);
    }
    if same_room(&a.room, &b.room) {
        return Some(Clash::RoomBusy);
    }
    let side_by_side = matches!((a.group, b.group), (Some(x), Some(y)) if x != y);
    if a.class == b.class && !side_by_side {
        return Some(Clash::ClassBusy);
    }
    None
}

/// For each lesson of `new` that clashes — with one before it in `new`, or with one
/// of `others` (the rest of the school's timetable) — its index and why.
pub fn clashes(new: &[Placed], others: &[Placed]) -> Vec<(usize, Clash)> {
    let mut found = Vec::new();
    for (index, lesson) in new.iter().enumerate() {
        let reason = new[..index].iter().chain(others).find_map(|other| clash(lesson, other));
        if let Some(reason) = reason {
            found.push((index, reason));
        }
    }
    found
}

/// The Monday of the week `date` is in.
pub fn monday_of(date: Date) -> Date {
    let back = i64::from(date.weekday().to_monday_zero_offset());
    date.checked_sub(jiff::Span::new().days(back)).unwrap_or(date)
}

/// The days of the week from `monday` (six: a six-day week's Saturday included), and
/// for each whether lessons are held (`Calendar::is_school_day`).
pub fn week(calendar: &Calendar, monday: Date) -> Vec<(Date, bool)> {
    (0..6)
        .filter_map(|offset| monday.checked_add(jiff::Span::new().days(offset)).ok())
        .map(|date| (date, calendar.is_school_day(date)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::school_year::{PeriodKind, YearDraft, check_year};

    fn t(text: &str) -> DayTime {
        DayTime::parse(text).expect("time")
    }

    fn lesson(
        weekday: u8,
        from: &str,
        to: &str,
        teacher: i64,
        class: i64,
        group: Option<i64>,
        room: Option<&str>,
    ) -> Placed {
        Placed {
            weekday,
            starts_at: t(from),
            ends_at: t(to),
            teacher: UserId(teacher),
            class: ClassId(class),
            group: group.map(GroupId),
            room: room.map(str::to_owned),
        }
    }

    #[test]
    fn one_teacher_one_room_one_class_at_a_time() {
        let maths = lesson(1, "08:30", "09:10", 1, 10, None, Some("214"));
        assert_eq!(clash(&maths, &lesson(1, "09:00", "09:40", 1, 11, None, None)), Some(Clash::TeacherBusy));
        assert_eq!(clash(&maths, &lesson(1, "08:30", "09:10", 2, 11, None, Some(" 214 "))), Some(Clash::RoomBusy));
        assert_eq!(clash(&maths, &lesson(1, "08:30", "09:10", 2, 10, None, Some("215"))), Some(Clash::ClassBusy));
        assert_eq!(clash(&maths, &lesson(2, "08:30", "09:10", 1, 10, None, Some("214"))), None, "another day");
        assert_eq!(clash(&maths, &lesson(1, "09:10", "09:50", 1, 10, None, Some("214"))), None, "the next slot");
        assert_eq!(clash(&maths, &lesson(1, "08:30", "09:10", 2, 11, None, Some(""))), None, "no room given");
    }

    #[test]
    fn two_groups_of_a_class_are_taught_side_by_side_but_not_one_group_twice() {
        let first = lesson(3, "10:00", "10:40", 1, 10, Some(1), Some("301"));
        assert_eq!(clash(&first, &lesson(3, "10:00", "10:40", 2, 10, Some(2), Some("302"))), None);
        assert_eq!(clash(&first, &lesson(3, "10:00", "10:40", 2, 10, Some(1), Some("302"))), Some(Clash::ClassBusy));
        assert_eq!(clash(&first, &lesson(3, "10:00", "10:40", 2, 10, None, Some("302"))), Some(Clash::ClassBusy));
    }

    #[test]
    fn clashes_name_each_lesson_against_those_before_it_and_the_rest_of_the_school() {
        let others = [lesson(1, "08:30", "09:10", 7, 20, None, Some("Спортзал"))];
        let new = [
            lesson(1, "08:30", "09:10", 1, 10, None, Some("спортзал")),
            lesson(1, "09:20", "10:00", 1, 10, None, None),
            lesson(1, "09:20", "10:00", 2, 10, None, None),
            lesson(1, "10:20", "11:00", 7, 10, None, None),
        ];
        assert_eq!(clashes(&new, &others), [(0, Clash::RoomBusy), (2, Clash::ClassBusy)]);
    }

    #[test]
    fn a_week_runs_from_monday_and_knows_its_school_days() {
        let calendar = check_year(&YearDraft {
            starts_on: "2026-09-01",
            ends_on: "2027-05-31",
            school_days: 5,
            kind: Some(PeriodKind::Halves),
            periods: vec![("2026-09-01", "2026-12-28"), ("2027-01-12", "2027-05-26")],
            days_off: vec![("2026-11-04", "2026-11-04")],
        })
        .expect("valid");
        let date = |s: &str| -> Date { s.parse().expect("date") };
        assert_eq!(monday_of(date("2026-11-05")), date("2026-11-02"));
        assert_eq!(monday_of(date("2026-11-02")), date("2026-11-02"));
        let days: Vec<bool> = week(&calendar, date("2026-11-02")).into_iter().map(|(_, school)| school).collect();
        assert_eq!(days, [true, true, false, true, true, false], "a day off on Wednesday, no Saturday lessons");
    }
}
