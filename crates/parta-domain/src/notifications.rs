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
