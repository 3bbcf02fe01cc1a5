//! Statistics of reach and care (PRODUCT.md §8.9): the periods they cover, the day and
//! week numbers activity is counted by, and the small arithmetic of shares and
//! medians. What is counted is chosen so that nothing here ranks people or schools by
//! how much they write: reach (who has joined), being heard (who read, who confirmed),
//! care (reports handled, rules kept) and active people.

use jiff::ToSpan;
use jiff::civil::Date;

/// The length of period a dashboard covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodKind {
    Week,
    Month,
    /// The academic period («четверть», «триместр», «полугодие») the day falls in.
    Term,
    /// The school year the day falls in.
    Year,
}

impl PeriodKind {
    pub const ALL: [PeriodKind; 4] = [PeriodKind::Week, PeriodKind::Month, PeriodKind::Term, PeriodKind::Year];

    pub fn as_str(self) -> &'static str {
        match self {
            PeriodKind::Week => "week",
            PeriodKind::Month => "month",
            PeriodKind::Term => "term",
            PeriodKind::Year => "year",
        }
    }

    pub fn parse(text: &str) -> Option<PeriodKind> {
        PeriodKind::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// Days from `first` to `last`, both counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub first: Date,
    pub last: Date,
}

impl Span {
    pub fn days(self) -> i64 {
        day_number(self.last) - day_number(self.first) + 1
    }
}

/// The period asked for and the one it is compared with. The comparison covers as
/// many days of the previous period as have passed of this one, so that a week in
/// progress is not compared with a whole week.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Periods {
    pub current: Span,
    /// The part of `current` that has happened: up to `today`.
    pub so_far: Span,
    pub previous: Span,
}

/// The school's calendar as the periods need it: its terms (in order) and the year's
/// first and last days, when a year is set up.
#[derive(Debug, Clone, Default)]
pub struct Calendar {
    pub terms: Vec<Span>,
    pub year: Option<Span>,
    /// The year before, when the school had one: a year is compared with it.
    pub previous_year: Option<Span>,
}

/// Days after which a post to confirm is settled: its recipients, readers and
/// confirmations are counted once and read from that count after. A read or a
/// confirmation later no longer moves the figures; nearly all come in the first days.
pub const SETTLED_AFTER_DAYS: i64 = 14;

/// The period of `kind` that `today` falls in, and the previous one. Without a school
/// year set up, a term or a year falls back to the calendar's: September to August,
/// and its quarter.
pub fn periods(kind: PeriodKind, today: Date, calendar: &Calendar) -> Periods {
    let (current, previous) = match kind {
        PeriodKind::Week => {
            let monday = today - (today.weekday().to_monday_zero_offset() as i64).days();
            let span = Span { first: monday, last: monday + 6.days() };
            (span, Span { first: monday - 7.days(), last: monday - 1.days() })
        }
        PeriodKind::Month => {
            let first = today.first_of_month();
            let before = (first - 1.days()).first_of_month();
            (Span { first, last: today.last_of_month() }, Span { first: before, last: first - 1.days() })
        }
        PeriodKind::Term => {
            let at = calendar.terms.iter().rposition(|t| t.first <= today);
            match at {
                Some(i) => {
                    let term = calendar.terms[i];
                    let previous = if i > 0 { calendar.terms[i - 1] } else { shifted_back(term) };
                    (term, previous)
                }
                None => {
                    let quarter = calendar_quarter(today);
                    (quarter, calendar_quarter(quarter.first - 1.days()))
                }
            }
        }
        PeriodKind::Year => match calendar.year.filter(|y| y.first <= today) {
            Some(year) => (year, calendar.previous_year.unwrap_or_else(|| year_before(year))),
            None => {
                let start_year = if today.month() >= 9 { today.year() } else { today.year() - 1 };
                let year = Span {
                    first: Date::new(start_year, 9, 1).unwrap_or(today),
                    last: Date::new(start_year + 1, 8, 31).unwrap_or(today),
                };
                (year, year_before(year))
            }
        },
    };
    let so_far = Span { first: current.first, last: today.clamp(current.first, current.last) };
    let elapsed = so_far.days() - 1;
    let previous_last = std::cmp::min(previous.last, previous.first + elapsed.days());
    Periods { current, so_far, previous: Span { first: previous.first, last: previous_last } }
}

fn shifted_back(span: Span) -> Span {
    let length = span.days();
    Span { first: span.first - length.days(), last: span.first - 1.days() }
}

fn year_before(year: Span) -> Span {
    let back = |d: Date| d.checked_sub(1.year()).unwrap_or(d);
    Span { first: back(year.first), last: back(year.last) }
}

/// The three months of the calendar year `day` falls in.
fn calendar_quarter(day: Date) -> Span {
    let first_month = (day.month() - 1) / 3 * 3 + 1;
    let first = Date::new(day.year(), first_month, 1).unwrap_or(day);
    let last = (first + 2.months()).last_of_month();
    Span { first, last }
}

/// Days since 1970-01-01: how activity is counted per day.
pub fn day_number(date: Date) -> i64 {
    let epoch = Date::constant(1970, 1, 1);
    (date - epoch).get_days() as i64
}

/// The week a day falls in, counted from the week of 1970-01-01, weeks starting on
/// Monday (that day was a Thursday).
pub fn week_number(day: i64) -> i64 {
    (day + 3).div_euclid(7)
}

/// The date of a day number.
pub fn date_of(day: i64) -> Date {
    Date::constant(1970, 1, 1) + day.days()
}

/// The share `part / whole`, none of nothing.
pub fn share(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// The median of some durations (the middle one, or the mean of the two middle ones).
pub fn median(mut values: Vec<i64>) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let mid = values.len() / 2;
    Some(if values.len() % 2 == 1 { values[mid] as f64 } else { (values[mid - 1] + values[mid]) as f64 / 2.0 })
}

/// The three groups activity is told by: the same person may be in more than one (a
/// teacher whose child is at the school).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RoleSet {
    pub student: bool,
    pub parent: bool,
    pub staff: bool,
}

impl RoleSet {
    pub fn of(roles: impl IntoIterator<Item = crate::roles::MemberRole>) -> RoleSet {
        let mut set = RoleSet::default();
        for role in roles {
            match role {
                crate::roles::MemberRole::Student => set.student = true,
                crate::roles::MemberRole::Parent => set.parent = true,
                _ => set.staff = true,
            }
        }
        set
    }

    pub fn is_empty(self) -> bool {
        !(self.student || self.parent || self.staff)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::roles::MemberRole;

    fn d(text: &str) -> Date {
        text.parse().expect("date")
    }

    fn span(first: &str, last: &str) -> Span {
        Span { first: d(first), last: d(last) }
    }

    #[test]
    fn a_week_runs_monday_to_sunday_and_is_compared_day_for_day() {
        // 2026-12-09 is a Wednesday.
        let p = periods(PeriodKind::Week, d("2026-12-09"), &Calendar::default());
        assert_eq!(p.current, span("2026-12-07", "2026-12-13"));
        assert_eq!(p.so_far, span("2026-12-07", "2026-12-09"));
        assert_eq!(p.previous, span("2026-11-30", "2026-12-02"));
    }

    #[test]
    fn a_month_compares_with_the_same_days_of_the_month_before() {
        let p = periods(PeriodKind::Month, d("2026-03-31"), &Calendar::default());
        assert_eq!(p.current, span("2026-03-01", "2026-03-31"));
        // February is shorter: the comparison stops at its end.
        assert_eq!(p.previous, span("2026-02-01", "2026-02-28"));
    }

    #[test]
    fn a_term_is_the_schools_own_and_the_one_before_it() {
        let calendar = Calendar {
            terms: vec![span("2026-09-01", "2026-10-24"), span("2026-11-05", "2026-12-28")],
            year: Some(span("2026-09-01", "2027-05-26")),
            previous_year: None,
        };
        let p = periods(PeriodKind::Term, d("2026-11-10"), &calendar);
        assert_eq!(p.current, span("2026-11-05", "2026-12-28"));
        assert_eq!(p.previous, span("2026-09-01", "2026-09-06"));
        // In the holidays after a term, that term is the current one, whole.
        let p = periods(PeriodKind::Term, d("2026-10-30"), &calendar);
        assert_eq!(p.current, span("2026-09-01", "2026-10-24"));
        assert_eq!(p.so_far, span("2026-09-01", "2026-10-24"));
        // The first term is compared with as many days before it.
        let p = periods(PeriodKind::Term, d("2026-09-02"), &calendar);
        assert_eq!(p.previous.first, d("2026-07-09"));
    }

    #[test]
    fn a_year_without_a_school_year_is_september_to_august() {
        let p = periods(PeriodKind::Year, d("2027-02-01"), &Calendar::default());
        assert_eq!(p.current, span("2026-09-01", "2027-08-31"));
        assert_eq!(p.previous.first, d("2025-09-01"));
        let p = periods(PeriodKind::Term, d("2027-02-01"), &Calendar::default());
        assert_eq!(p.current, span("2027-01-01", "2027-03-31"));
        // 32 days of this quarter so far, 32 of the one before.
        assert_eq!(p.previous, span("2026-10-01", "2026-11-01"));
    }

    #[test]
    fn days_and_weeks_are_counted_from_1970() {
        assert_eq!(day_number(d("1970-01-01")), 0);
        assert_eq!(date_of(day_number(d("2026-12-07"))), d("2026-12-07"));
        // 1970-01-05 was a Monday: a new week; the Sunday before is in week 0.
        assert_eq!(week_number(day_number(d("1970-01-04"))), 0);
        assert_eq!(week_number(day_number(d("1970-01-05"))), 1);
        let monday = day_number(d("2026-12-07"));
        assert_eq!(week_number(monday), week_number(monday + 6));
        assert_ne!(week_number(monday), week_number(monday - 1));
    }

    #[test]
    fn shares_and_medians() {
        assert_eq!(share(1, 4), Some(0.25));
        assert_eq!(share(0, 0), None);
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![5, 1, 3]), Some(3.0));
        assert_eq!(median(vec![4, 1, 3, 2]), Some(2.5));
    }

    #[test]
    fn a_person_counts_in_each_group_they_belong_to() {
        let both = RoleSet::of([MemberRole::Teacher, MemberRole::Parent]);
        assert!(both.staff && both.parent && !both.student);
        assert!(RoleSet::of([]).is_empty());
        assert!(RoleSet::of([MemberRole::Deputy]).staff);
    }
}
