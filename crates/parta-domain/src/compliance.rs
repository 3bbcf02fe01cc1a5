//! The compliance report of the regulations' rules (seed 001 §5.1–5.2): for each
//! teacher, class and week, how much homework and how many marks came in time, which
//! days carried more homework than the grade's limit, and which online lessons ran
//! over their length. Counting only; the facts come from the journal as stored.

use std::collections::BTreeMap;

use jiff::civil::Date;

/// What the journal holds of one lesson, as the rules judge it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LessonFacts {
    pub lesson_id: i64,
    pub teacher_id: i64,
    pub class_id: i64,
    pub held_on: Date,
    /// Homework set at it: `Some(late)`.
    pub homework: Option<bool>,
    pub marks: i64,
    pub late_marks: i64,
    /// Held online: minutes in its call, and the grade's limit (none: no limit).
    pub online: Option<(i64, Option<i64>)>,
}

impl LessonFacts {
    pub fn online_over(&self) -> bool {
        matches!(self.online, Some((minutes, Some(limit))) if minutes > limit)
    }

    /// Anything the rules would flag.
    pub fn flagged(&self) -> bool {
        self.homework == Some(true) || self.late_marks > 0 || self.online_over()
    }
}

/// A day a class carried more homework than its grade's limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Overload {
    pub class_id: i64,
    pub day: Date,
    pub minutes: i64,
    pub limit: i64,
}

/// What one row of the report counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub lessons: i64,
    pub homework_set: i64,
    pub homework_late: i64,
    pub marks: i64,
    pub late_marks: i64,
    pub online_lessons: i64,
    pub online_over_length: i64,
    pub overloaded_days: i64,
}

impl Counts {
    fn add(&mut self, lesson: &LessonFacts) {
        self.lessons += 1;
        self.homework_set += i64::from(lesson.homework.is_some());
        self.homework_late += i64::from(lesson.homework == Some(true));
        self.marks += lesson.marks;
        self.late_marks += lesson.late_marks;
        self.online_lessons += i64::from(lesson.online.is_some());
        self.online_over_length += i64::from(lesson.online_over());
    }
}

/// The report's rows: by teacher, by class, by week (its Monday); and the whole school.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    pub teachers: BTreeMap<i64, Counts>,
    pub classes: BTreeMap<i64, Counts>,
    pub weeks: BTreeMap<Date, Counts>,
    pub total: Counts,
}

/// The Monday of a date's week.
pub fn monday_of(day: Date) -> Date {
    let back = i64::from(day.weekday().to_monday_zero_offset());
    day.checked_sub(jiff::Span::new().days(back)).unwrap_or(day)
}

/// Counts the lessons and the overloaded days. An overloaded day counts for its
/// class and for the week it is in (homework weighs on the day it is due, not on a
/// teacher: several teachers' homework makes a day heavy together).
pub fn report(lessons: &[LessonFacts], overloads: &[Overload]) -> Report {
    let mut out = Report::default();
    for lesson in lessons {
        out.teachers.entry(lesson.teacher_id).or_default().add(lesson);
        out.classes.entry(lesson.class_id).or_default().add(lesson);
        out.weeks.entry(monday_of(lesson.held_on)).or_default().add(lesson);
        out.total.add(lesson);
    }
    for day in overloads {
        out.classes.entry(day.class_id).or_default().overloaded_days += 1;
        out.weeks.entry(monday_of(day.day)).or_default().overloaded_days += 1;
        out.total.overloaded_days += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Date {
        text.parse().expect("a date")
    }

    fn lesson(id: i64, teacher: i64, class: i64, day: &str) -> LessonFacts {
        LessonFacts {
            lesson_id: id,
            teacher_id: teacher,
            class_id: class,
            held_on: d(day),
            homework: None,
            marks: 0,
            late_marks: 0,
            online: None,
        }
    }

    #[test]
    fn each_lesson_counts_for_its_teacher_its_class_and_its_week() {
        let lessons = [
            // Seed 001 §5.2: homework within 2 hours — the first on time, the second late.
            LessonFacts { homework: Some(false), marks: 3, ..lesson(1, 10, 5, "2026-12-07") },
            LessonFacts { homework: Some(true), marks: 2, late_marks: 2, ..lesson(2, 10, 6, "2026-12-09") },
            // §5.1: a 5th grade's online lesson runs 34 minutes of its 30.
            LessonFacts { online: Some((34, Some(30))), ..lesson(3, 11, 5, "2026-12-14") },
            LessonFacts { online: Some((30, Some(30))), ..lesson(4, 11, 5, "2026-12-15") },
            // Without a grade there is no limit to run over.
            LessonFacts { online: Some((90, None)), ..lesson(5, 11, 7, "2026-12-15") },
        ];
        let overloads = [Overload { class_id: 5, day: d("2026-12-08"), minutes: 130, limit: 120 }];
        let r = report(&lessons, &overloads);
        assert_eq!(
            r.teachers[&10],
            Counts { lessons: 2, homework_set: 2, homework_late: 1, marks: 5, late_marks: 2, ..Counts::default() }
        );
        assert_eq!(
            r.teachers[&11],
            Counts { lessons: 3, online_lessons: 3, online_over_length: 1, ..Counts::default() }
        );
        assert_eq!(
            r.classes[&5],
            Counts {
                lessons: 3,
                homework_set: 1,
                marks: 3,
                online_lessons: 2,
                online_over_length: 1,
                overloaded_days: 1,
                ..Counts::default()
            }
        );
        assert_eq!(r.weeks.keys().copied().collect::<Vec<_>>(), [d("2026-12-07"), d("2026-12-14")]);
        assert_eq!((r.weeks[&d("2026-12-07")].lessons, r.weeks[&d("2026-12-07")].overloaded_days), (2, 1));
        assert_eq!((r.total.lessons, r.total.late_marks, r.total.overloaded_days), (5, 2, 1));
        let flagged: Vec<i64> = lessons.iter().filter(|l| l.flagged()).map(|l| l.lesson_id).collect();
        assert_eq!(flagged, [2, 3]);
    }

    #[test]
    fn a_week_starts_on_monday() {
        assert_eq!(monday_of(d("2026-12-06")), d("2026-11-30"));
        assert_eq!(monday_of(d("2026-12-07")), d("2026-12-07"));
        assert_eq!(monday_of(d("2026-12-13")), d("2026-12-07"));
    }
}
