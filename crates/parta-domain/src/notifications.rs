//! What a person is told about in their notification centre, and the rules of who is
//! told: never the one who caused it, each person once.

use crate::UserId;

/// Why a notification was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeKind {
    /// Someone mentioned the person in a chat message.
    Mention,
    /// Someone answered one of the person's messages.
    Reply,
    /// Someone started a direct chat with the person.
    DirectChat,
    /// A request to join waits for the person's decision (admins, class teachers).
    JoinRequest,
    /// A message was reported and waits for the person as moderator.
    Report,
    /// A mark at a lesson, for the student and their parents.
    Mark,
    /// An absence or lateness at a lesson, for the student and their parents.
    Absence,
    /// Homework set for a lesson, for its students and their parents.
    Homework,
    /// A sign-in from a device the person has not used before.
    Login,
}

impl NoticeKind {
    pub const ALL: [NoticeKind; 9] = [
        NoticeKind::Mention,
        NoticeKind::Reply,
        NoticeKind::DirectChat,
        NoticeKind::JoinRequest,
        NoticeKind::Report,
        NoticeKind::Mark,
        NoticeKind::Absence,
        NoticeKind::Homework,
        NoticeKind::Login,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NoticeKind::Mention => "mention",
            NoticeKind::Reply => "reply",
            NoticeKind::DirectChat => "direct_chat",
            NoticeKind::JoinRequest => "join_request",
            NoticeKind::Report => "report",
            NoticeKind::Mark => "mark",
            NoticeKind::Absence => "absence",
            NoticeKind::Homework => "homework",
            NoticeKind::Login => "login",
        }
    }

    pub fn parse(text: &str) -> Option<NoticeKind> {
        NoticeKind::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// Kinds tied to a chat: shown only while the person is still in it.
    pub fn of_chat(self) -> bool {
        matches!(self, NoticeKind::Mention | NoticeKind::Reply | NoticeKind::DirectChat)
    }
}

/// How long a person quiets a chat for themselves («не беспокоить»).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Silence {
    Hour,
    EightHours,
    /// Until eight in the morning of the next day, in the school's time.
    UntilTomorrow,
    Forever,
    Off,
}

/// «Forever»: the first day of the year 9999 (as far as times go).
pub const FOREVER_MS: i64 = 253_370_764_800_000;

impl Silence {
    pub fn parse(text: &str) -> Option<Silence> {
        match text {
            "1h" => Some(Silence::Hour),
            "8h" => Some(Silence::EightHours),
            "tomorrow" => Some(Silence::UntilTomorrow),
            "forever" => Some(Silence::Forever),
            "off" => Some(Silence::Off),
            _ => None,
        }
    }

    /// Until when, from `now` in the school's time zone; none for off.
    pub fn until(self, now: &jiff::Zoned) -> Option<i64> {
        let at = now.timestamp().as_millisecond();
        match self {
            Silence::Hour => Some(at + 3_600_000),
            Silence::EightHours => Some(at + 8 * 3_600_000),
            Silence::UntilTomorrow => {
                let morning = now.date().tomorrow().ok()?.at(8, 0, 0, 0).to_zoned(now.time_zone().clone()).ok()?;
                Some(morning.timestamp().as_millisecond())
            }
            Silence::Forever => Some(FOREVER_MS),
            Silence::Off => None,
        }
    }
}

/// Who of `candidates` is told about something `actor` did: everyone but the actor,
/// each once, in the order first named.
pub fn told(actor: UserId, candidates: impl IntoIterator<Item = UserId>) -> Vec<UserId> {
    let mut out: Vec<UserId> = Vec::new();
    for person in candidates {
        if person != actor && !out.contains(&person) {
            out.push(person);
        }
    }
    out
}

/// A text cut for a notification: its words on one line, at most `limit` characters.
pub fn preview(body: &str, limit: usize) -> String {
    let line = body.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= limit {
        return line;
    }
    let mut cut: String = line.chars().take(limit).collect();
    cut = cut.trim_end().to_owned();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_through_their_names() {
        for kind in NoticeKind::ALL {
            assert_eq!(NoticeKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(NoticeKind::parse("nothing"), None);
    }

    #[test]
    fn a_chat_is_quieted_for_an_hour_eight_hours_until_the_morning_or_forever() {
        let zone = jiff::tz::TimeZone::get("Asia/Yekaterinburg").expect("zone");
        let now = jiff::civil::date(2026, 12, 7).at(22, 30, 0, 0).to_zoned(zone).expect("a time");
        let at = now.timestamp().as_millisecond();
        assert_eq!(Silence::parse("1h").and_then(|s| s.until(&now)), Some(at + 3_600_000));
        assert_eq!(Silence::parse("8h").and_then(|s| s.until(&now)), Some(at + 8 * 3_600_000));
        // 22:30 to 08:00 the next morning where the school is.
        assert_eq!(Silence::parse("tomorrow").and_then(|s| s.until(&now)), Some(at + 9 * 3_600_000 + 30 * 60_000));
        assert_eq!(Silence::parse("forever").and_then(|s| s.until(&now)), Some(FOREVER_MS));
        assert_eq!(Silence::parse("off").map(|s| s.until(&now)), Some(None));
        assert_eq!(Silence::parse("2h"), None);
    }

    #[test]
    fn the_actor_is_never_told_and_nobody_twice() {
        let told = told(UserId(1), [UserId(2), UserId(1), UserId(3), UserId(2)]);
        assert_eq!(told, vec![UserId(2), UserId(3)]);
    }

    #[test]
    fn a_preview_is_one_line_and_cut_at_a_character() {
        assert_eq!(preview("Собрание\n\nв четверг", 50), "Собрание в четверг");
        assert_eq!(preview("абвгдеёжзи", 4), "абвг…");
        assert_eq!(preview("аб вг", 3), "аб…");
    }
}
