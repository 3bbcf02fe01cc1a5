//! Remote learning by the director's order (seed 001 §4–6, 003, 004 §3): an order
//! («приказ») with its number, date, reason and period puts classes (or the whole
//! school) on online lessons; it is in force from its first day to its last, or to
//! the day it was ended early, after which the normal timetable is back.

use jiff::civil::Date;

use crate::quiet::DayTime;
use crate::school_year::date;
use crate::validate::{self, FieldError};

pub const NUMBER_MAX_CHARS: usize = 40;
pub const REASON_MAX_CHARS: usize = 500;
/// No order runs longer than a school year.
pub const PERIOD_MAX_DAYS: i64 = 366;

/// An order as typed.
pub struct OrderDraft<'a> {
    pub number: &'a str,
    pub issued_on: &'a str,
    pub reason: &'a str,
    pub starts_on: &'a str,
    pub ends_on: &'a str,
}

/// An order as checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    pub number: String,
    pub issued_on: Date,
    pub reason: String,
    pub period: Period,
}

/// The days an order is in force, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub starts_on: Date,
    pub ends_on: Date,
}

impl Period {
    pub fn holds(&self, day: Date) -> bool {
        self.starts_on <= day && day <= self.ends_on
    }
}

/// Whole days from one date to a later one.
pub fn days_between(from: Date, to: Date) -> i64 {
    to.duration_since(from).as_hours() / 24
}

pub fn check_order(draft: &OrderDraft<'_>) -> Result<Order, Vec<FieldError>> {
    let mut errors = Vec::new();
    let number = validate::line("number", draft.number, NUMBER_MAX_CHARS).map_err(|e| errors.push(e)).ok();
    let reason = validate::text("reason", draft.reason, REASON_MAX_CHARS).map_err(|e| errors.push(e)).ok();
    let issued_on = date("issued_on", draft.issued_on).map_err(|e| errors.push(e)).ok();
    let starts_on = date("starts_on", draft.starts_on).map_err(|e| errors.push(e)).ok();
    let ends_on = date("ends_on", draft.ends_on).map_err(|e| errors.push(e)).ok();
    if let (Some(starts), Some(ends)) = (starts_on, ends_on) {
        if ends < starts {
            errors.push(FieldError::new("ends_on", "ends_before_start"));
        } else if days_between(starts, ends) >= PERIOD_MAX_DAYS {
            errors.push(FieldError::new("ends_on", "period_too_long"));
        }
    }
    if let (Some(issued), Some(ends)) = (issued_on, ends_on)
        && issued > ends
    {
        errors.push(FieldError::new("issued_on", "after_period"));
    }
    match (number, reason, issued_on, starts_on, ends_on) {
        (Some(number), Some(reason), Some(issued_on), Some(starts_on), Some(ends_on)) if errors.is_empty() => {
            Ok(Order { number, issued_on, reason, period: Period { starts_on, ends_on } })
        }
        _ => Err(errors),
    }
}

/// An order ended early on `today`: in force through today (or never, when it has not
/// begun), the normal timetable back from tomorrow. `Err` when it is already over.
pub fn end_early(period: Period, today: Date) -> Result<Option<Period>, &'static str> {
    if today > period.ends_on {
        return Err("order_over");
    }
    if today < period.starts_on {
        return Ok(None);
    }
    Ok(Some(Period { starts_on: period.starts_on, ends_on: today }))
}

/// When a lesson held online under an order ends: its bell's end, or sooner where the
/// grade's online limit (seed 001 §5.1) cuts it (the bell shortened, its start kept).
pub fn online_end(starts_at: DayTime, ends_at: DayTime, limit_minutes: Option<i64>) -> DayTime {
    match limit_minutes.and_then(|m| u16::try_from(m).ok()) {
        Some(limit) if starts_at.0.saturating_add(limit) < ends_at.0 => DayTime(starts_at.0 + limit),
        _ => ends_at,
    }
}

/// `2026-12-08` as a Russian text writes it: `08.12.2026`.
fn ru_date(day: Date) -> String {
    format!("{:02}.{:02}.{}", day.day(), day.month(), day.year())
}

/// A bell of the class's timetable: its shift, its number, when it starts and ends.
pub type Bell = (i64, i64, DayTime, DayTime);

/// The announcement of an order in a class's chats, to be confirmed: what, from when to
/// when, why, how long a lesson runs online (`lesson_minutes`: the grade's limit), and
/// the class's bells as they are for those days (`bells`: those its timetable uses).
pub fn announcement(order: &Order, class: &str, lesson_minutes: Option<i64>, bells: &[Bell]) -> String {
    let Period { starts_on, ends_on } = order.period;
    let when = if starts_on == ends_on {
        format!("{} обучение {class} проходит дистанционно", ru_date(starts_on))
    } else {
        format!("с {} по {} обучение {class} проходит дистанционно", ru_date(starts_on), ru_date(ends_on))
    };
    let mut text = format!(
        "Приказ № {} от {}: {when}.\nПричина: {}.\nУроки идут онлайн по расписанию",
        order.number,
        ru_date(order.issued_on),
        order.reason.trim_end_matches('.')
    );
    if let Some(minutes) = lesson_minutes {
        text.push_str(&format!(", каждый — не дольше {minutes} минут"));
    }
    text.push('.');
    if !bells.is_empty() {
        let shifts = bells.iter().map(|b| b.0).collect::<std::collections::BTreeSet<_>>().len();
        text.push_str("\nЗвонки на эти дни:");
        for &(shift, number, starts, ends) in bells {
            let place = if shifts > 1 {
                format!("{shift} смена, {number} урок")
            } else {
                format!("{number} урок")
            };
            text.push_str(&format!("\n{place}: {starts}–{}", online_end(starts, ends, lesson_minutes)));
        }
    }
    text.push_str("\nПожалуйста, подтвердите, что ознакомились.");
    text
}

/// What a class's chats are told when an order is ended early (`until`: its last day
/// in force; `None`: it never began).
pub fn ended_note(order: &Order, class: &str, until: Option<Date>) -> String {
    let head = format!("Приказ № {} от {}", order.number, ru_date(order.issued_on));
    match until.and_then(|day| day.tomorrow().ok()) {
        Some(next) => format!("{head} отменён: с {} обучение {class} идёт по обычному расписанию.", ru_date(next)),
        None => format!("{head} отменён до начала: обучение {class} идёт по обычному расписанию."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Date {
        text.parse().expect("a date")
    }

    fn draft<'a>(starts_on: &'a str, ends_on: &'a str) -> OrderDraft<'a> {
        OrderDraft {
            number: "112-о",
            issued_on: "2026-12-07",
            reason: "Морозы: температура ниже −30 °C",
            starts_on,
            ends_on,
        }
    }

    #[test]
    fn an_order_names_its_number_date_reason_and_period() {
        let order = check_order(&draft("2026-12-08", "2026-12-11")).expect("a valid order");
        assert_eq!(order.number, "112-о");
        assert_eq!(order.period, Period { starts_on: d("2026-12-08"), ends_on: d("2026-12-11") });
        assert!(order.period.holds(d("2026-12-08")) && order.period.holds(d("2026-12-11")));
        assert!(!order.period.holds(d("2026-12-07")) && !order.period.holds(d("2026-12-12")));
    }

    #[test]
    fn an_order_is_refused_field_by_field() {
        let codes = |d: OrderDraft<'_>| -> Vec<(String, &'static str)> {
            check_order(&d).expect_err("refused").into_iter().map(|e| (e.field, e.code)).collect()
        };
        assert_eq!(codes(draft("2026-12-11", "2026-12-08")), [("ends_on".to_owned(), "ends_before_start")]);
        assert_eq!(codes(draft("2026-12-08", "2027-12-09")), [("ends_on".to_owned(), "period_too_long")]);
        assert_eq!(codes(draft("2026-12-01", "2026-12-05")), [("issued_on".to_owned(), "after_period")]);
        let empty =
            OrderDraft {
                number: " ", issued_on: "7 декабря", reason: "", starts_on: "x", ends_on: "2026-12-08"
            };
        assert_eq!(
            codes(empty),
            [
                ("number".to_owned(), "required"),
                ("reason".to_owned(), "required"),
                ("issued_on".to_owned(), "invalid_date"),
                ("starts_on".to_owned(), "invalid_date"),
            ]
        );
    }

    #[test]
    fn the_announcement_says_what_when_why_and_how_long_a_lesson_runs() {
        let order = check_order(&draft("2026-12-08", "2026-12-11")).expect("valid");
        let t = |text: &str| DayTime::parse(text).expect("a time");
        let bells = [(1, 1, t("08:30"), t("09:15")), (1, 2, t("09:25"), t("10:10"))];
        assert_eq!(
            announcement(&order, "5А", Some(30), &bells),
            "Приказ № 112-о от 07.12.2026: с 08.12.2026 по 11.12.2026 обучение 5А проходит дистанционно.\n\
             Причина: Морозы: температура ниже −30 °C.\n\
             Уроки идут онлайн по расписанию, каждый — не дольше 30 минут.\n\
             Звонки на эти дни:\n\
             1 урок: 08:30–09:00\n\
             2 урок: 09:25–09:55\n\
             Пожалуйста, подтвердите, что ознакомились."
        );
        let one_day = check_order(&draft("2026-12-08", "2026-12-08")).expect("valid");
        let plain = announcement(&one_day, "1А", None, &[]);
        assert!(plain.starts_with("Приказ № 112-о от 07.12.2026: 08.12.2026 обучение 1А"), "{plain}");
        assert!(!plain.contains("Звонки"), "no timetable, no bells: {plain}");
        let two_shifts = [(1, 1, t("08:00"), t("08:40")), (2, 1, t("13:00"), t("13:40"))];
        assert!(announcement(&one_day, "1А", Some(20), &two_shifts).contains("2 смена, 1 урок: 13:00–13:20"));
        assert_eq!(
            ended_note(&order, "5А", Some(d("2026-12-09"))),
            "Приказ № 112-о от 07.12.2026 отменён: с 10.12.2026 обучение 5А идёт по обычному расписанию."
        );
        assert!(ended_note(&order, "5А", None).contains("отменён до начала"));
    }

    #[test]
    fn an_online_lesson_is_cut_to_the_grades_limit_and_never_lengthened() {
        let t = |text: &str| DayTime::parse(text).expect("a time");
        assert_eq!(online_end(t("08:30"), t("09:15"), Some(30)), t("09:00"), "5th grade: 30 of 45 minutes");
        assert_eq!(online_end(t("08:30"), t("09:00"), Some(35)), t("09:00"), "a shorter bell stays");
        assert_eq!(online_end(t("08:30"), t("09:15"), None), t("09:15"), "no grade, no limit");
    }

    #[test]
    fn ended_early_an_order_holds_through_that_day_and_the_timetable_is_back_the_next() {
        let period = Period { starts_on: d("2026-12-08"), ends_on: d("2026-12-18") };
        assert_eq!(
            end_early(period, d("2026-12-10")),
            Ok(Some(Period { starts_on: d("2026-12-08"), ends_on: d("2026-12-10") }))
        );
        assert_eq!(end_early(period, d("2026-12-07")), Ok(None), "ended before it began: never in force");
        assert_eq!(end_early(period, d("2026-12-19")), Err("order_over"));
    }
}
