//! What a school's webhooks may be told of, and when a failed delivery is tried again.

/// An event a webhook subscribes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    /// A person took a place in the school (by a link, a decided request, the register).
    MemberJoined,
    /// A person's places in the school ended (left, graduated).
    MemberLeft,
    /// A post in the school's channel or the staff channel.
    ChannelMessage,
    /// A mark given, changed or removed in the journal.
    JournalMark,
    /// An absence or lateness written down, or taken back.
    JournalAbsence,
}

impl EventKind {
    pub const ALL: [EventKind; 5] = [
        EventKind::MemberJoined,
        EventKind::MemberLeft,
        EventKind::ChannelMessage,
        EventKind::JournalMark,
        EventKind::JournalAbsence,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::MemberJoined => "member.joined",
            EventKind::MemberLeft => "member.left",
            EventKind::ChannelMessage => "channel.message",
            EventKind::JournalMark => "journal.mark",
            EventKind::JournalAbsence => "journal.absence",
        }
    }

    pub fn parse(text: &str) -> Option<EventKind> {
        EventKind::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// Waits between tries of one delivery, in seconds: quick at first, then spaced out.
const BACKOFF_SECS: [i64; 8] = [10, 30, 60, 300, 900, 1800, 3600, 10_800];

/// How long a delivery that keeps failing is tried before it is given up.
pub const GIVE_UP_SECS: i64 = 24 * 3600;

/// The wait before try `attempts + 1`, after `attempts` failed.
pub fn backoff_secs(attempts: i64) -> i64 {
    let index = usize::try_from(attempts.max(1) - 1).unwrap_or(0).min(BACKOFF_SECS.len() - 1);
    BACKOFF_SECS[index]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_read_back_and_unknown_ones_are_none() {
        for kind in EventKind::ALL {
            assert_eq!(EventKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(EventKind::parse("member.deleted"), None);
    }

    #[test]
    fn a_failing_endpoint_is_tried_less_and_less_often() {
        assert_eq!(backoff_secs(0), 10);
        assert_eq!(backoff_secs(1), 10);
        assert_eq!(backoff_secs(2), 30);
        assert_eq!(backoff_secs(8), 10_800);
        assert_eq!(backoff_secs(50), 10_800);
        let total: i64 = (1..=15).map(backoff_secs).sum();
        assert!(total > GIVE_UP_SECS, "a day's tries: {total}");
    }
}
