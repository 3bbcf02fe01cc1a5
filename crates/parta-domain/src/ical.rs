//! iCalendar (RFC 5545) text for a person's calendar feed: lessons as timed events,
//! homework deadlines as all-day ones. Lines end with CRLF and fold at 75 octets;
//! text escapes backslashes, semicolons, commas and newlines.

use jiff::civil::Date;

/// One event of the feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Unique and stable across fetches, so calendars update rather than duplicate.
    pub uid: String,
    pub summary: String,
    pub description: Option<String>,
    pub location: Option<String>,
    pub when: When,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// From and to, Unix milliseconds.
    Timed(i64, i64),
    /// A whole day.
    Day(Date),
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds a content line at 75 octets (never inside a UTF-8 character).
fn fold(line: &str, out: &mut String) {
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
}

fn utc(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms).map(|t| t.strftime("%Y%m%dT%H%M%SZ").to_string()).unwrap_or_default()
}

/// The whole calendar, `stamp` (Unix milliseconds) being when it was made.
pub fn calendar(name: &str, events: &[Event], stamp: i64) -> String {
    let mut out = String::new();
    for line in ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Parta//Journal//RU", "CALSCALE:GREGORIAN"] {
        fold(line, &mut out);
    }
    fold(&format!("X-WR-CALNAME:{}", escape(name)), &mut out);
    for event in events {
        fold("BEGIN:VEVENT", &mut out);
        fold(&format!("UID:{}", escape(&event.uid)), &mut out);
        fold(&format!("DTSTAMP:{}", utc(stamp)), &mut out);
        match event.when {
            When::Timed(from, to) => {
                fold(&format!("DTSTART:{}", utc(from)), &mut out);
                fold(&format!("DTEND:{}", utc(to)), &mut out);
            }
            When::Day(day) => {
                let next = day.tomorrow().unwrap_or(day);
                fold(&format!("DTSTART;VALUE=DATE:{}", day.strftime("%Y%m%d")), &mut out);
                fold(&format!("DTEND;VALUE=DATE:{}", next.strftime("%Y%m%d")), &mut out);
            }
        }
        fold(&format!("SUMMARY:{}", escape(&event.summary)), &mut out);
        if let Some(description) = &event.description {
            fold(&format!("DESCRIPTION:{}", escape(description)), &mut out);
        }
        if let Some(location) = &event.location {
            fold(&format!("LOCATION:{}", escape(location)), &mut out);
        }
        fold("END:VEVENT", &mut out);
    }
    fold("END:VCALENDAR", &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_long_lines_fold_between_characters() {
        assert_eq!(escape("a;b,c\\d\nнов"), "a\\;b\\,c\\\\d\\nнов");
        let mut out = String::new();
        let long = format!("SUMMARY:{}", "Ж".repeat(60));
        fold(&long, &mut out);
        for line in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(line.len() <= 75, "{} octets: {line}", line.len());
        }
        assert_eq!(out.replace("\r\n ", "").trim_end(), long, "unfolding gives the line back");
    }

    #[test]
    fn a_calendar_has_timed_lessons_and_all_day_deadlines() {
        let date: Date = "2026-12-07".parse().expect("date");
        let events = [
            Event {
                uid: "lesson-1@parta".into(),
                summary: "Математика, 5А".into(),
                description: None,
                location: Some("214".into()),
                when: When::Timed(1_796_621_400_000, 1_796_623_800_000),
            },
            Event {
                uid: "homework-1@parta".into(),
                summary: "ДЗ: Математика".into(),
                description: Some("§12, № 45–52".into()),
                location: None,
                when: When::Day(date),
            },
        ];
        let text = calendar("Уроки", &events, 1_796_600_000_000);
        assert!(text.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
        assert!(text.ends_with("END:VCALENDAR\r\n"));
        assert!(text.contains("DTSTART:20261207T053000Z\r\n"), "{text}");
        assert!(text.contains("DTSTART;VALUE=DATE:20261207\r\nDTEND;VALUE=DATE:20261208\r\n"));
        assert!(text.contains("DESCRIPTION:§12\\, № 45–52\r\n"));
        assert_eq!(text.matches("BEGIN:VEVENT").count(), 2);
    }
}
