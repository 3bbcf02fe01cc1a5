//! Quiet hours: a school's policy that messages between the school and students or
//! parents are not delivered at night but when the quiet period ends.

/// A time of day, minutes after midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct DayTime(pub u16);

impl DayTime {
    /// Parses `HH:MM` (24-hour).
    pub fn parse(text: &str) -> Option<DayTime> {
        let (hours, minutes) = text.trim().split_once(':')?;
        if hours.len() != 2 || minutes.len() != 2 {
            return None;
        }
        let (hours, minutes): (u16, u16) = (hours.parse().ok()?, minutes.parse().ok()?);
        (hours < 24 && minutes < 60).then_some(DayTime(hours * 60 + minutes))
    }

    pub fn hours(self) -> u16 {
        self.0 / 60
    }

    pub fn minutes(self) -> u16 {
        self.0 % 60
    }
}

impl std::fmt::Display for DayTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:02}:{:02}", self.hours(), self.minutes())
    }
}

/// When messages are held: from `from` until `to`, across midnight when `from > to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuietHours {
    pub from: DayTime,
    pub to: DayTime,
}

/// Where the end of a quiet period falls, seen from a moment inside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Release {
    /// Not quiet now: deliver at once.
    Now,
    /// Deliver at `to` today.
    Today(DayTime),
    /// Deliver at `to` tomorrow.
    Tomorrow(DayTime),
}

impl QuietHours {
    /// Whether a message written at local time `now` is held, and until when.
    pub fn release(self, now: DayTime) -> Release {
        let QuietHours { from, to } = self;
        if from == to {
            return Release::Now;
        }
        if from < to {
            if from <= now && now < to { Release::Today(to) } else { Release::Now }
        } else if now >= from {
            Release::Tomorrow(to)
        } else if now < to {
            Release::Today(to)
        } else {
            Release::Now
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(text: &str) -> DayTime {
        DayTime::parse(text).expect("valid time")
    }

    #[test]
    fn times_parse_strictly() {
        assert_eq!(t("07:00"), DayTime(420));
        assert_eq!(t("21:30").to_string(), "21:30");
        for bad in ["7:00", "24:00", "12:60", "noon", "", "12:5"] {
            assert_eq!(DayTime::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_night_window_wraps_midnight() {
        let night = QuietHours { from: t("21:00"), to: t("07:00") };
        assert_eq!(night.release(t("20:59")), Release::Now);
        assert_eq!(night.release(t("21:00")), Release::Tomorrow(t("07:00")));
        assert_eq!(night.release(t("23:45")), Release::Tomorrow(t("07:00")));
        assert_eq!(night.release(t("00:10")), Release::Today(t("07:00")));
        assert_eq!(night.release(t("06:59")), Release::Today(t("07:00")));
        assert_eq!(night.release(t("07:00")), Release::Now);
    }

    #[test]
    fn a_day_window_does_not_wrap() {
        let lunch = QuietHours { from: t("13:00"), to: t("14:00") };
        assert_eq!(lunch.release(t("12:59")), Release::Now);
        assert_eq!(lunch.release(t("13:30")), Release::Today(t("14:00")));
        assert_eq!(lunch.release(t("14:00")), Release::Now);
        assert_eq!(QuietHours { from: t("10:00"), to: t("10:00") }.release(t("10:00")), Release::Now);
    }
}
