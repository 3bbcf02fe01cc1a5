//! The class journal's rules: what a mark may be, how a student's attendance is
//! written, the kinds of work marks are given for and their weights, the weighted
//! average and the period mark it suggests.

use serde::{Deserialize, Serialize};

/// A mark in the journal: the five-point scale, or a pass/fail («зачёт»/«незачёт»).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mark {
    Points(u8),
    Pass,
    Fail,
}

impl Mark {
    /// As written in the journal and on the wire: "1"–"5", «зч», «нз».
    pub fn parse(text: &str) -> Option<Mark> {
        match text.trim() {
            "1" => Some(Mark::Points(1)),
            "2" => Some(Mark::Points(2)),
            "3" => Some(Mark::Points(3)),
            "4" => Some(Mark::Points(4)),
            "5" => Some(Mark::Points(5)),
            "зч" | "зачёт" | "зачет" => Some(Mark::Pass),
            "нз" | "незачёт" | "незачет" => Some(Mark::Fail),
            _ => None,
        }
    }

    pub fn as_text(self) -> String {
        match self {
            Mark::Points(points) => points.to_string(),
            Mark::Pass => "зч".to_owned(),
            Mark::Fail => "нз".to_owned(),
        }
    }

    /// What the mark counts for in an average (pass/fail counts for none).
    pub fn points(self) -> Option<u8> {
        match self {
            Mark::Points(points) => Some(points),
            Mark::Pass | Mark::Fail => None,
        }
    }
}

/// What is written for a student who was not (or not all of) the lesson.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Absence {
    /// «н»: absent.
    Absent,
    /// «б»: ill.
    Ill,
    /// «уп»: excused, with a reason.
    Excused,
    /// «оп»: late, with the minutes.
    Late,
}

impl Absence {
    pub const ALL: [Absence; 4] = [Absence::Absent, Absence::Ill, Absence::Excused, Absence::Late];

    pub fn as_str(self) -> &'static str {
        match self {
            Absence::Absent => "absent",
            Absence::Ill => "ill",
            Absence::Excused => "excused",
            Absence::Late => "late",
        }
    }

    pub fn parse(text: &str) -> Option<Absence> {
        Absence::ALL.into_iter().find(|a| a.as_str() == text)
    }

    /// The journal's own letters.
    pub fn letter(self) -> &'static str {
        match self {
            Absence::Absent => "н",
            Absence::Ill => "б",
            Absence::Excused => "уп",
            Absence::Late => "оп",
        }
    }
}

/// The kinds of work a school starts with, and what each weighs in the average.
pub const DEFAULT_GRADE_TYPES: [(&str, f64); 6] = [
    ("Ответ на уроке", 1.0),
    ("Домашняя работа", 1.0),
    ("Самостоятельная работа", 1.5),
    ("Проект", 1.5),
    ("Контрольная работа", 2.0),
    ("Итоговая контрольная работа", 3.0),
];

pub const WEIGHT_MIN: f64 = 0.1;
pub const WEIGHT_MAX: f64 = 10.0;
pub const MINUTES_LATE_MAX: i64 = 90;

/// The weighted average of the marks that have points, to two decimals; none without them.
pub fn weighted_average(marks: &[(Mark, f64)]) -> Option<f64> {
    let (sum, weight) = marks
        .iter()
        .filter_map(|(mark, weight)| mark.points().map(|p| (f64::from(p) * weight, *weight)))
        .fold((0.0, 0.0), |(s, w), (ps, pw)| (s + ps, w + pw));
    (weight > 0.0).then(|| (sum / weight * 100.0).round() / 100.0)
}

/// The period mark a teacher is offered for an average: it rounds up from the fraction
/// of `from` (4.5, most schools: 4.5 is a «5», 3.5 a «4»; 4.6, a stricter one).
pub fn suggested_mark(average: f64, from: f64) -> Mark {
    let whole = average.floor();
    let threshold = from - from.floor();
    let points = if average - whole >= threshold - 1e-9 { whole + 1.0 } else { whole };
    Mark::Points(points.clamp(2.0, 5.0) as u8)
}

/// The rounding rule of a school that has not set its own: from 4.5 up is a «5».
pub const ROUND_FROM_DEFAULT: f64 = 4.5;
/// The thresholds a school may choose: a fraction from .1 to .9, written on the
/// «4» → «5» step as schools say it (4.5, 4.6, 4.7…).
pub const ROUND_FROM_MIN: f64 = 4.1;
pub const ROUND_FROM_MAX: f64 = 4.9;

/// Whether a threshold is one a school may set: within the bounds, in hundredths.
pub fn valid_round_from(from: f64) -> bool {
    from.is_finite() && (ROUND_FROM_MIN - 1e-9..=ROUND_FROM_MAX + 1e-9).contains(&from) && {
        let centi = from * 100.0;
        (centi - centi.round()).abs() < 1e-6
    }
}

/// The year mark («годовая») a teacher is offered. As Russian schools do, it comes from
/// the period marks, not from every mark of the year: the arithmetic mean of the
/// period marks with points, rounded by the school's rule (4, 5, 5, 4 → 4.5 → «5» at
/// 4.5). A subject marked pass/fail is «зачёт» when every period is passed, «незачёт»
/// when any is failed. No period mark yet, no suggestion.
pub fn suggested_year_mark(period_marks: &[Mark], from: f64) -> Option<Mark> {
    let points: Vec<u8> = period_marks.iter().filter_map(|m| m.points()).collect();
    if !points.is_empty() {
        let mean = points.iter().map(|&p| f64::from(p)).sum::<f64>() / points.len() as f64;
        return Some(suggested_mark(mean, from));
    }
    if period_marks.contains(&Mark::Fail) {
        Some(Mark::Fail)
    } else if period_marks.contains(&Mark::Pass) {
        Some(Mark::Pass)
    } else {
        None
    }
}

/// The instant (Unix milliseconds) homework due on `due_on` stops being on time: the
/// end of that day in the school's time zone, i.e. the next day's midnight there.
/// None when the zone is unknown.
pub fn hand_in_deadline(due_on: jiff::civil::Date, time_zone: &str) -> Option<i64> {
    let zone = jiff::tz::TimeZone::get(time_zone).ok()?;
    let next = due_on.tomorrow().ok()?;
    Some(next.to_zoned(zone).ok()?.timestamp().as_millisecond())
}

/// Whether work handed in at `handed_in_at` (Unix milliseconds) is late for homework
/// due on `due_on`. With an unknown zone, the end of the day in UTC.
pub fn is_late(handed_in_at: i64, due_on: jiff::civil::Date, time_zone: &str) -> bool {
    let deadline = hand_in_deadline(due_on, time_zone).or_else(|| hand_in_deadline(due_on, "UTC"));
    deadline.is_some_and(|deadline| handed_in_at >= deadline)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_are_the_five_point_scale_or_a_pass() {
        assert_eq!(Mark::parse(" 5 "), Some(Mark::Points(5)));
        assert_eq!(Mark::parse("зачёт"), Some(Mark::Pass));
        assert_eq!(Mark::parse("нз"), Some(Mark::Fail));
        for bad in ["0", "6", "5+", "", "A"] {
            assert_eq!(Mark::parse(bad), None, "{bad}");
        }
        assert_eq!(Mark::Pass.as_text(), "зч");
        for absence in Absence::ALL {
            assert_eq!(Absence::parse(absence.as_str()), Some(absence));
        }
    }

    #[test]
    fn the_average_weighs_each_mark_and_leaves_out_pass_fail() {
        let marks = [(Mark::Points(5), 1.0), (Mark::Points(3), 2.0), (Mark::Pass, 1.0), (Mark::Points(4), 1.5)];
        // (5 + 6 + 6) / 4.5 = 3.777…
        assert_eq!(weighted_average(&marks), Some(3.78));
        assert_eq!(weighted_average(&[(Mark::Pass, 1.0)]), None);
        assert_eq!(weighted_average(&[]), None);
    }

    #[test]
    fn the_suggested_period_mark_rounds_at_the_schools_threshold() {
        assert_eq!(suggested_mark(4.5, 4.5), Mark::Points(5));
        assert_eq!(suggested_mark(4.49, 4.5), Mark::Points(4));
        assert_eq!(suggested_mark(3.5, 4.5), Mark::Points(4));
        assert_eq!(suggested_mark(4.55, 4.6), Mark::Points(4), "a stricter school");
        assert_eq!(suggested_mark(4.6, 4.6), Mark::Points(5));
        assert_eq!(suggested_mark(1.2, 4.5), Mark::Points(2), "the lowest period mark is 2");
        assert_eq!(suggested_mark(5.0, 4.5), Mark::Points(5));
    }

    #[test]
    fn the_year_mark_comes_from_the_period_marks_by_the_same_rule() {
        let p = Mark::Points;
        assert_eq!(suggested_year_mark(&[p(4), p(5), p(5), p(4)], 4.5), Some(p(5)));
        assert_eq!(suggested_year_mark(&[p(4), p(5), p(5), p(4)], 4.6), Some(p(4)), "a stricter school");
        assert_eq!(suggested_year_mark(&[p(3), p(4), p(4)], 4.5), Some(p(4)), "3.67");
        assert_eq!(suggested_year_mark(&[p(3), p(3), p(4)], 4.5), Some(p(3)), "3.33");
        assert_eq!(suggested_year_mark(&[p(5), Mark::Pass], 4.5), Some(p(5)), "pass/fail counts for none");
        assert_eq!(suggested_year_mark(&[Mark::Pass, Mark::Pass], 4.5), Some(Mark::Pass));
        assert_eq!(suggested_year_mark(&[Mark::Pass, Mark::Fail], 4.5), Some(Mark::Fail));
        assert_eq!(suggested_year_mark(&[], 4.5), None);
    }

    #[test]
    fn a_school_chooses_its_threshold_within_bounds() {
        for ok in [4.5, 4.6, 4.7, 4.1, 4.9, 4.55] {
            assert!(valid_round_from(ok), "{ok}");
        }
        for bad in [4.0, 5.0, 3.5, 4.555, f64::NAN, f64::INFINITY] {
            assert!(!valid_round_from(bad), "{bad}");
        }
    }

    #[test]
    fn late_is_after_the_due_day_ends_in_the_schools_zone() {
        let due = jiff::civil::date(2026, 11, 3);
        // Moscow is UTC+3: the day ends at 21:00 UTC.
        let deadline = hand_in_deadline(due, "Europe/Moscow").expect("zone");
        let expected = jiff::civil::date(2026, 11, 3).at(21, 0, 0, 0).to_zoned(jiff::tz::TimeZone::UTC).expect("utc");
        assert_eq!(deadline, expected.timestamp().as_millisecond());
        assert!(!is_late(deadline - 1, due, "Europe/Moscow"));
        assert!(is_late(deadline, due, "Europe/Moscow"));
        // The same instant is late where the day ended earlier, on time where it ends later.
        assert!(is_late(deadline, due, "Asia/Vladivostok"));
        assert!(!is_late(deadline, due, "America/New_York"));
        // An unknown zone falls back to UTC.
        assert_eq!(hand_in_deadline(due, "Nowhere/Else"), None);
        assert!(is_late(expected.timestamp().as_millisecond() + 3 * 3_600_000, due, "Nowhere/Else"));
    }
}
