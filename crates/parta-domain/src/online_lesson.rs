//! Online lessons: the attendance that presence in the lesson's call suggests to its
//! teacher (how long one may last is `regulations::Thresholds::lesson_limit`). Times are milliseconds since the
//! epoch, as stored.

use crate::journal::Absence;

/// Joining later than this after the lesson began counts as being late.
pub const LATE_AFTER_MINUTES: i64 = 5;

/// What a student's presence in the lesson's call suggests for the journal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Suggestion {
    /// Minutes in the call within the lesson's time, overlapping stays counted once.
    pub minutes_present: i64,
    /// `None`: present; `Absent`: never there; `Late` with the minutes of lateness.
    pub absence: Option<Absence>,
    pub minutes_late: Option<i64>,
}

/// A student's stays in the call (joined, left; `None`: still there at `now`),
/// judged against the lesson's time `starts_at..ends_at`.
pub fn suggest(starts_at: i64, ends_at: i64, stays: &[(i64, Option<i64>)], now: i64) -> Suggestion {
    let mut spans: Vec<(i64, i64)> = stays
        .iter()
        .map(|&(from, to)| (from.max(starts_at), to.unwrap_or(now).min(ends_at)))
        .filter(|(from, to)| to > from)
        .collect();
    spans.sort_unstable();
    let (mut total, mut reached) = (0, i64::MIN);
    for (from, to) in &spans {
        let from = (*from).max(reached);
        if *to > from {
            total += to - from;
            reached = *to;
        }
    }
    let minutes_present = total / 60_000;
    let Some(&(first, _)) = spans.first() else {
        return Suggestion { minutes_present: 0, absence: Some(Absence::Absent), minutes_late: None };
    };
    let late = (first - starts_at) / 60_000;
    if late > LATE_AFTER_MINUTES {
        Suggestion { minutes_present, absence: Some(Absence::Late), minutes_late: Some(late) }
    } else {
        Suggestion { minutes_present, absence: None, minutes_late: None }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: i64 = 60_000;

    #[test]
    fn presence_suggests_present_late_or_absent() {
        let (start, end) = (1_000 * MIN, 1_040 * MIN);
        // Joined a minute early, stayed to the end: present for the lesson's 40 minutes.
        let on_time = suggest(start, end, &[(start - MIN, Some(end + MIN))], end + 5 * MIN);
        assert_eq!(on_time, Suggestion { minutes_present: 40, absence: None, minutes_late: None });
        // Joined 12 minutes in: late by 12.
        let late = suggest(start, end, &[(start + 12 * MIN, None)], end);
        assert_eq!(late, Suggestion { minutes_present: 28, absence: Some(Absence::Late), minutes_late: Some(12) });
        // Never came, or only before and after the lesson.
        let away = suggest(start, end, &[(start - 10 * MIN, Some(start - MIN)), (end, Some(end + MIN))], end);
        assert_eq!(away.absence, Some(Absence::Absent));
        assert_eq!(suggest(start, end, &[], end).minutes_present, 0);
    }

    #[test]
    fn two_devices_at_once_count_once_and_a_dropped_connection_adds_up() {
        let (start, end) = (0, 40 * MIN);
        let phone_and_laptop = [(0, Some(30 * MIN)), (10 * MIN, Some(40 * MIN))];
        assert_eq!(suggest(start, end, &phone_and_laptop, end).minutes_present, 40);
        let reconnected = [(MIN, Some(10 * MIN)), (11 * MIN, Some(20 * MIN))];
        assert_eq!(suggest(start, end, &reconnected, end).minutes_present, 18);
        // Still in the call: counted up to now.
        assert_eq!(suggest(start, end, &[(0, None)], 15 * MIN).minutes_present, 15);
    }
}
