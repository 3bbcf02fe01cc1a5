//! Time as the database stores it (Unix milliseconds) and as the API shows it.

use jiff::Timestamp;

pub fn now_ms() -> i64 {
    Timestamp::now().as_millisecond()
}

/// RFC 3339 in UTC, e.g. `2026-09-01T08:30:00Z`.
pub fn rfc3339(ms: i64) -> String {
    Timestamp::from_millisecond(ms).map(|t| t.to_string()).unwrap_or_default()
}

pub fn rfc3339_opt(ms: Option<i64>) -> Option<String> {
    ms.map(rfc3339)
}

/// Today's date in a school's time zone (schools span eleven of them).
pub fn today_in(time_zone: &str) -> String {
    today_date_in(time_zone).to_string()
}

/// `today_in` as a date, for counting days.
pub fn today_date_in(time_zone: &str) -> jiff::civil::Date {
    date_in(now_ms(), time_zone)
}

/// The date an instant falls on in a school's time zone.
pub fn date_in(ms: i64, time_zone: &str) -> jiff::civil::Date {
    let zone = jiff::tz::TimeZone::get(time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    Timestamp::from_millisecond(ms).unwrap_or(Timestamp::UNIX_EPOCH).to_zoned(zone).date()
}

pub fn is_time_zone(name: &str) -> bool {
    jiff::tz::TimeZone::get(name).is_ok()
}

/// Parses a `YYYY-MM-DD` date and gives it back in canonical form.
pub fn parse_date(text: &str) -> Option<String> {
    text.trim().parse::<jiff::civil::Date>().ok().map(|d| d.to_string())
}

pub const HOUR_MS: i64 = 3_600_000;
pub const MINUTE_MS: i64 = 60_000;
