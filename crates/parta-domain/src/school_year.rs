//! The school year as a school sets it up: its dates, its periods (четверти,
//! триместры or полугодия), holidays and days off, the days of the week it teaches,
//! and the bells (numbered lesson slots per shift). Checking a year and telling
//! whether a date is a school day are here; lessons (the timetable) build on them.
//! Dates are calendar dates of the school's own time zone; times of day are the
//! school's clock (`quiet::DayTime`).

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::quiet::DayTime;
use crate::validate::{Checked, FieldError};

/// How a school divides its year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum PeriodKind {
    /// Four «четверти».
    Quarters,
    /// Three «триместры».
    Trimesters,
    /// Two «полугодия».
    Halves,
}

impl PeriodKind {
    pub const ALL: [PeriodKind; 3] = [PeriodKind::Quarters, PeriodKind::Trimesters, PeriodKind::Halves];

    pub fn as_str(self) -> &'static str {
        match self {
            PeriodKind::Quarters => "quarters",
            PeriodKind::Trimesters => "trimesters",
            PeriodKind::Halves => "halves",
        }
    }

    pub fn parse(text: &str) -> Option<PeriodKind> {
        PeriodKind::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// How many periods a year of this kind has.
    pub fn count(self) -> usize {
        match self {
            PeriodKind::Quarters => 4,
            PeriodKind::Trimesters => 3,
            PeriodKind::Halves => 2,
        }
    }

    /// The period's name, in Russian, the school's language: «2 четверть».
    pub fn period_name(self, number: usize) -> String {
        let word = match self {
            PeriodKind::Quarters => "четверть",
            PeriodKind::Trimesters => "триместр",
            PeriodKind::Halves => "полугодие",
        };
        format!("{number} {word}")
    }
}

/// A span of days, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Days {
    pub first: Date,
    pub last: Date,
}

impl Days {
    pub fn contains(self, date: Date) -> bool {
        self.first <= date && date <= self.last
    }

    fn within(self, outer: Days) -> bool {
        outer.first <= self.first && self.last <= outer.last
    }

    fn overlaps(self, other: Days) -> bool {
        self.first <= other.last && other.first <= self.last
    }
}

/// Why days are off: school holidays («каникулы») or a single day off (a public
/// holiday, a day the school does not teach).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum DayOffKind {
    Holidays,
    DayOff,
}

impl DayOffKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DayOffKind::Holidays => "holidays",
            DayOffKind::DayOff => "day_off",
        }
    }

    pub fn parse(text: &str) -> Option<DayOffKind> {
        [DayOffKind::Holidays, DayOffKind::DayOff].into_iter().find(|k| k.as_str() == text)
    }
}

/// A year as checked: everything a school day depends on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    pub year: Days,
    /// Five (Monday to Friday) or six (to Saturday).
    pub school_days: u8,
    pub periods: Vec<Days>,
    pub days_off: Vec<Days>,
}

impl Calendar {
    /// Whether lessons are held on `date`: inside a period, on a teaching weekday,
    /// not on a day off.
    pub fn is_school_day(&self, date: Date) -> bool {
        // Monday is 1; a six-day week ends on Saturday, so Sunday (7) is never a school day.
        let weekday = date.weekday().to_monday_one_offset() as u8;
        weekday <= self.school_days
            && self.periods.iter().any(|p| p.contains(date))
            && !self.days_off.iter().any(|d| d.contains(date))
    }

    /// The number (from 1) of the period `date` falls in.
    pub fn period_of(&self, date: Date) -> Option<usize> {
        self.periods.iter().position(|p| p.contains(date)).map(|i| i + 1)
    }
}

/// The longest a year may be (a year with its summer at either end is still a year).
pub const YEAR_MAX_DAYS: i32 = 400;
pub const DAYS_OFF_MAX: usize = 60;

pub fn date(field: &str, text: &str) -> Checked<Date> {
    let text = text.trim();
    if text.len() != 10 {
        return Err(FieldError::new(field, "invalid_date"));
    }
    text.parse::<Date>().map_err(|_| FieldError::new(field, "invalid_date"))
}

fn days(field: &str, first: &str, last: &str) -> Result<Days, Vec<FieldError>> {
    let first_field = format!("{field}.starts_on");
    let last_field = format!("{field}.ends_on");
    match (date(&first_field, first), date(&last_field, last)) {
        (Ok(first), Ok(last)) if first <= last => Ok(Days { first, last }),
        (Ok(_), Ok(_)) => Err(vec![FieldError::new(&last_field, "ends_before_start")]),
        (a, b) => Err([a.err(), b.err()].into_iter().flatten().collect()),
    }
}

/// A year as typed: dates as `YYYY-MM-DD`.
#[derive(Debug, Clone, Default)]
pub struct YearDraft<'a> {
    pub starts_on: &'a str,
    pub ends_on: &'a str,
    pub school_days: i64,
    pub kind: Option<PeriodKind>,
    /// (starts_on, ends_on) of each period, in order.
    pub periods: Vec<(&'a str, &'a str)>,
    /// (starts_on, ends_on) of each day off or holidays.
    pub days_off: Vec<(&'a str, &'a str)>,
}

/// Checks a year: its periods, as many as its kind has, follow each other inside it
/// without overlapping; its days off lie inside it; it teaches five or six days a week.
/// Field names follow the request (`periods[1].starts_on`).
pub fn check_year(draft: &YearDraft<'_>) -> Result<Calendar, Vec<FieldError>> {
    let mut errors = Vec::new();
    let year = match (date("starts_on", draft.starts_on), date("ends_on", draft.ends_on)) {
        (Ok(first), Ok(last)) if first < last && (last - first).get_days() <= YEAR_MAX_DAYS => {
            Some(Days { first, last })
        }
        (Ok(first), Ok(last)) if first >= last => {
            errors.push(FieldError::new("ends_on", "ends_before_start"));
            None
        }
        (Ok(_), Ok(_)) => {
            errors.push(FieldError::new("ends_on", "out_of_range"));
            None
        }
        (a, b) => {
            errors.extend([a.err(), b.err()].into_iter().flatten());
            None
        }
    };
    if !(5..=6).contains(&draft.school_days) {
        errors.push(FieldError::new("school_days", "out_of_range"));
    }
    if let Some(kind) = draft.kind
        && draft.periods.len() != kind.count()
    {
        errors.push(FieldError::new("periods", "count_mismatch"));
    }
    let mut periods: Vec<Days> = Vec::with_capacity(draft.periods.len());
    for (index, (first, last)) in draft.periods.iter().enumerate() {
        let field = format!("periods[{index}]");
        match days(&field, first, last) {
            Ok(span) => {
                if year.is_some_and(|year| !span.within(year)) {
                    errors.push(FieldError::new(&format!("{field}.starts_on"), "outside_year"));
                } else if periods.last().is_some_and(|before| before.last >= span.first) {
                    errors.push(FieldError::new(&format!("{field}.starts_on"), "overlaps"));
                }
                periods.push(span);
            }
            Err(e) => errors.extend(e),
        }
    }
    if draft.days_off.len() > DAYS_OFF_MAX {
        errors.push(FieldError::new("days_off", "out_of_range"));
    }
    let mut days_off = Vec::with_capacity(draft.days_off.len());
    for (index, (first, last)) in draft.days_off.iter().enumerate() {
        let field = format!("days_off[{index}]");
        match days(&field, first, last) {
            Ok(span) if year.is_some_and(|year| !span.within(year)) => {
                errors.push(FieldError::new(&format!("{field}.starts_on"), "outside_year"))
            }
            Ok(span) => days_off.push(span),
            Err(e) => errors.extend(e),
        }
    }
    match year {
        Some(year) if errors.is_empty() => {
            Ok(Calendar { year, school_days: draft.school_days as u8, periods, days_off })
        }
        _ => Err(errors),
    }
}

/// Whether two years of a school would overlap (a school has one year at a time).
pub fn years_overlap(a: Days, b: Days) -> bool {
    a.overlaps(b)
}

/// One numbered lesson slot of a shift: «2 урок, 9:00–9:40».
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bell {
    pub shift: u8,
    pub number: u8,
    pub starts_at: DayTime,
    pub ends_at: DayTime,
}

pub const SHIFTS_MAX: i64 = 3;
/// Slots are numbered from 0 («нулевой урок») up to this.
pub const SLOT_NUMBER_MAX: i64 = 12;

/// A bell as typed.
#[derive(Debug, Clone, Copy)]
pub struct BellDraft<'a> {
    pub shift: i64,
    pub number: i64,
    pub starts_at: &'a str,
    pub ends_at: &'a str,
}

/// Checks a bell schedule: within each shift, slots are numbered once each and
/// follow each other in time without overlapping (`bells[3].starts_at`: `overlaps`).
pub fn check_bells(drafts: &[BellDraft<'_>]) -> Result<Vec<Bell>, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut bells: Vec<Bell> = Vec::with_capacity(drafts.len());
    for (index, draft) in drafts.iter().enumerate() {
        let field = |name: &str| format!("bells[{index}].{name}");
        if !(1..=SHIFTS_MAX).contains(&draft.shift) {
            errors.push(FieldError::new(&field("shift"), "out_of_range"));
            continue;
        }
        if !(0..=SLOT_NUMBER_MAX).contains(&draft.number) {
            errors.push(FieldError::new(&field("number"), "out_of_range"));
            continue;
        }
        let starts =
            DayTime::parse(draft.starts_at).ok_or_else(|| FieldError::new(&field("starts_at"), "invalid_time"));
        let ends = DayTime::parse(draft.ends_at).ok_or_else(|| FieldError::new(&field("ends_at"), "invalid_time"));
        let (starts_at, ends_at) = match (starts, ends) {
            (Ok(s), Ok(e)) if s < e => (s, e),
            (Ok(_), Ok(_)) => {
                errors.push(FieldError::new(&field("ends_at"), "ends_before_start"));
                continue;
            }
            (s, e) => {
                errors.extend([s.err(), e.err()].into_iter().flatten());
                continue;
            }
        };
        let bell = Bell { shift: draft.shift as u8, number: draft.number as u8, starts_at, ends_at };
        let same_shift = bells.iter().filter(|b| b.shift == bell.shift);
        if same_shift.clone().any(|b| b.number == bell.number) {
            errors.push(FieldError::new(&field("number"), "duplicate"));
        } else if same_shift.clone().any(|b| {
            let overlap = b.starts_at < bell.ends_at && bell.starts_at < b.ends_at;
            let out_of_order = (b.number < bell.number) != (b.starts_at < bell.starts_at);
            overlap || out_of_order
        }) {
            errors.push(FieldError::new(&field("starts_at"), "overlaps"));
        }
        bells.push(bell);
    }
    if errors.is_empty() {
        bells.sort_by_key(|b| (b.shift, b.number));
        Ok(bells)
    } else {
        Err(errors)
    }
}

/// The subjects a new school starts with: the usual ones of a Russian school (ФГОС),
/// editable by the school.
pub const DEFAULT_SUBJECTS: [(&str, &str); 27] = [
    ("Русский язык", "Рус. яз."),
    ("Литературное чтение", "Лит. чт."),
    ("Литература", "Лит."),
    ("Родной язык", "Род. яз."),
    ("Иностранный язык (английский)", "Англ. яз."),
    ("Иностранный язык (немецкий)", "Нем. яз."),
    ("Математика", "Матем."),
    ("Алгебра", "Алг."),
    ("Геометрия", "Геом."),
    ("Вероятность и статистика", "Вер. и стат."),
    ("Информатика", "Информ."),
    ("Окружающий мир", "Окр. мир"),
    ("История", "Ист."),
    ("Обществознание", "Общ."),
    ("География", "Геогр."),
    ("Биология", "Биол."),
    ("Физика", "Физ."),
    ("Химия", "Хим."),
    ("Основы религиозных культур и светской этики", "ОРКСЭ"),
    ("Основы духовно-нравственной культуры народов России", "ОДНКНР"),
    ("Изобразительное искусство", "ИЗО"),
    ("Музыка", "Муз."),
    ("Труд (технология)", "Труд"),
    ("Физическая культура", "Физ-ра"),
    ("Основы безопасности и защиты Родины", "ОБЗР"),
    ("Индивидуальный проект", "Инд. проект"),
    ("Черчение", "Черч."),
];

pub const SUBJECT_NAME_MAX_CHARS: usize = 80;
pub const SUBJECT_SHORT_MAX_CHARS: usize = 20;

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Date {
        text.parse().expect("date")
    }

    /// A usual Russian year: four quarters with the autumn, winter and spring holidays between.
    fn quarters() -> YearDraft<'static> {
        YearDraft {
            starts_on: "2026-09-01",
            ends_on: "2027-05-31",
            school_days: 5,
            kind: Some(PeriodKind::Quarters),
            periods: vec![
                ("2026-09-01", "2026-10-24"),
                ("2026-11-05", "2026-12-28"),
                ("2027-01-12", "2027-03-20"),
                ("2027-03-30", "2027-05-26"),
            ],
            days_off: vec![("2027-02-23", "2027-02-23"), ("2027-03-08", "2027-03-08")],
        }
    }

    fn codes(errors: Vec<FieldError>) -> Vec<(String, &'static str)> {
        errors.into_iter().map(|e| (e.field, e.code)).collect()
    }

    #[test]
    fn school_days_are_inside_periods_on_teaching_weekdays_and_not_off() {
        let calendar = check_year(&quarters()).expect("a valid year");
        assert!(calendar.is_school_day(d("2026-09-01")), "a Tuesday in the first quarter");
        assert!(!calendar.is_school_day(d("2026-09-05")), "Saturday in a five-day week");
        assert!(!calendar.is_school_day(d("2026-10-28")), "autumn holidays: between the periods");
        assert!(!calendar.is_school_day(d("2027-02-23")), "a day off");
        assert!(calendar.is_school_day(d("2027-02-24")));
        let six = check_year(&YearDraft { school_days: 6, ..quarters() }).expect("valid");
        assert!(six.is_school_day(d("2026-09-05")), "Saturday in a six-day week");
        assert!(!six.is_school_day(d("2026-09-06")), "never on Sunday");
        assert_eq!(calendar.period_of(d("2027-01-12")), Some(3));
        assert_eq!(calendar.period_of(d("2027-01-05")), None);
    }

    #[test]
    fn a_year_is_refused_field_by_field() {
        let bad = YearDraft {
            ends_on: "2026-08-01",
            school_days: 7,
            periods: vec![("2026-09-01", "2026-10-24"), ("2026-10-20", "2026-12-28"), ("2026-13-01", "x")],
            ..quarters()
        };
        assert_eq!(
            codes(check_year(&bad).expect_err("refused")),
            [
                ("ends_on".to_owned(), "ends_before_start"),
                ("school_days".to_owned(), "out_of_range"),
                ("periods".to_owned(), "count_mismatch"),
                ("periods[1].starts_on".to_owned(), "overlaps"),
                ("periods[2].starts_on".to_owned(), "invalid_date"),
                ("periods[2].ends_on".to_owned(), "invalid_date"),
            ]
        );
        let outside = YearDraft { days_off: vec![("2027-06-12", "2027-06-12")], ..quarters() };
        assert_eq!(
            codes(check_year(&outside).expect_err("refused")),
            [("days_off[0].starts_on".to_owned(), "outside_year")]
        );
        let long = YearDraft { ends_on: "2027-12-31", ..quarters() };
        assert_eq!(codes(check_year(&long).expect_err("refused")), [("ends_on".to_owned(), "out_of_range")]);
        let halves = YearDraft { kind: Some(PeriodKind::Halves), ..quarters() };
        assert_eq!(codes(check_year(&halves).expect_err("refused")), [("periods".to_owned(), "count_mismatch")]);
    }

    #[test]
    fn years_of_a_school_do_not_overlap() {
        let a = Days { first: d("2025-09-01"), last: d("2026-05-31") };
        assert!(!years_overlap(a, Days { first: d("2026-09-01"), last: d("2027-05-31") }));
        assert!(years_overlap(a, Days { first: d("2026-05-31"), last: d("2027-05-31") }));
    }

    fn bell(shift: i64, number: i64, starts_at: &'static str, ends_at: &'static str) -> BellDraft<'static> {
        BellDraft { shift, number, starts_at, ends_at }
    }

    #[test]
    fn bells_follow_each_other_in_each_shift() {
        let ok = check_bells(&[
            bell(1, 2, "09:00", "09:40"),
            bell(1, 1, "08:00", "08:40"),
            bell(2, 1, "08:30", "09:10"), // another shift may share the clock
        ])
        .expect("valid");
        assert_eq!(ok.iter().map(|b| (b.shift, b.number)).collect::<Vec<_>>(), [(1, 1), (1, 2), (2, 1)]);
        let bad = check_bells(&[
            bell(1, 1, "08:00", "08:40"),
            bell(1, 2, "08:30", "09:10"),
            bell(1, 1, "10:00", "10:40"),
            bell(1, 3, "07:00", "07:40"),
            bell(4, 1, "08:00", "08:40"),
            bell(1, 4, "12:00", "11:00"),
            bell(1, 5, "25:00", "26:00"),
        ])
        .expect_err("refused");
        assert_eq!(
            codes(bad),
            [
                ("bells[1].starts_at".to_owned(), "overlaps"),
                ("bells[2].number".to_owned(), "duplicate"),
                ("bells[3].starts_at".to_owned(), "overlaps"),
                ("bells[4].shift".to_owned(), "out_of_range"),
                ("bells[5].ends_at".to_owned(), "ends_before_start"),
                ("bells[6].starts_at".to_owned(), "invalid_time"),
                ("bells[6].ends_at".to_owned(), "invalid_time"),
            ]
        );
    }

    #[test]
    fn period_names_and_kinds() {
        assert_eq!(PeriodKind::Quarters.period_name(2), "2 четверть");
        assert_eq!(PeriodKind::Halves.period_name(1), "1 полугодие");
        for kind in PeriodKind::ALL {
            assert_eq!(PeriodKind::parse(kind.as_str()), Some(kind));
        }
        let names: std::collections::BTreeSet<&str> = DEFAULT_SUBJECTS.iter().map(|(n, _)| *n).collect();
        assert_eq!(names.len(), DEFAULT_SUBJECTS.len(), "no subject twice");
        assert!(
            DEFAULT_SUBJECTS
                .iter()
                .all(|(n, s)| n.chars().count() <= SUBJECT_NAME_MAX_CHARS
                    && s.chars().count() <= SUBJECT_SHORT_MAX_CHARS)
        );
    }
}
