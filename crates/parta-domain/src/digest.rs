//! A parent's digest: how often (daily or weekly), and when the next one is due — in
//! the evening where the school is, when the day's marks and homework are in.

use jiff::Zoned;
use jiff::civil::Weekday;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frequency {
    Off,
    Daily,
    Weekly,
}

/// The hour of the evening digests are made at.
pub const DIGEST_HOUR: i8 = 18;

impl Frequency {
    pub fn parse(text: &str) -> Option<Frequency> {
        match text {
            "off" => Some(Frequency::Off),
            "daily" => Some(Frequency::Daily),
            "weekly" => Some(Frequency::Weekly),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Frequency::Off => "off",
            Frequency::Daily => "daily",
            Frequency::Weekly => "weekly",
        }
    }

    /// The next time a digest is due after `now`: 18:00 each day, or each Friday at
    /// 18:00 (the school week's end); none when off.
    pub fn next_due(self, now: &Zoned) -> Option<Zoned> {
        let at = |date: jiff::civil::Date| date.at(DIGEST_HOUR, 0, 0, 0).to_zoned(now.time_zone().clone()).ok();
        let mut day = now.date();
        loop {
            let wanted = match self {
                Frequency::Off => return None,
                Frequency::Daily => true,
                Frequency::Weekly => day.weekday() == Weekday::Friday,
            };
            if wanted && let Some(due) = at(day).filter(|due| due > now) {
                return Some(due);
            }
            day = day.tomorrow().ok()?;
        }
    }

    /// How far back a digest looks when none was sent before.
    pub fn span_ms(self) -> i64 {
        match self {
            Frequency::Weekly => 7 * 86_400_000,
            _ => 86_400_000,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(day: i8, hour: i8) -> Zoned {
        let zone = jiff::tz::TimeZone::get("Europe/Moscow").expect("zone");
        // December 2026: the 7th is a Monday, the 11th a Friday.
        jiff::civil::date(2026, 12, day).at(hour, 0, 0, 0).to_zoned(zone).expect("a time")
    }

    #[test]
    fn a_daily_digest_is_due_this_evening_or_the_next() {
        assert_eq!(Frequency::Daily.next_due(&at(7, 9)), Some(at(7, 18)));
        assert_eq!(Frequency::Daily.next_due(&at(7, 18)), Some(at(8, 18)));
        assert_eq!(Frequency::Daily.next_due(&at(7, 23)), Some(at(8, 18)));
    }

    #[test]
    fn a_weekly_digest_is_due_on_friday_evening() {
        assert_eq!(Frequency::Weekly.next_due(&at(7, 9)), Some(at(11, 18)));
        assert_eq!(Frequency::Weekly.next_due(&at(11, 17)), Some(at(11, 18)));
        assert_eq!(Frequency::Weekly.next_due(&at(11, 19)), Some(at(18, 18)));
        assert_eq!(Frequency::Off.next_due(&at(11, 9)), None);
    }

    #[test]
    fn frequencies_round_trip_through_their_names() {
        for f in [Frequency::Off, Frequency::Daily, Frequency::Weekly] {
            assert_eq!(Frequency::parse(f.as_str()), Some(f));
        }
        assert_eq!(Frequency::parse("hourly"), None);
    }
}
