//! The ephemeral lane: frames that are relayed live and never stored — typing now;
//! call signalling, presence and raised hands next. Unlike chat events they take no
//! position and are not resumed; like posts they pass the chat's posting check (a
//! channel's readers, a read-only chat's members and the muted send none), and each
//! person sends at most one of a kind per chat per interval, on each node.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use parta_domain::{ChatId, UserId};

use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store;

/// What an ephemeral frame says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Typing,
}

impl Kind {
    /// The least time between two frames of this kind from one person in one chat.
    /// A client says "typing" every few seconds while the person types.
    pub fn interval(self) -> Duration {
        match self {
            Kind::Typing => Duration::from_secs(2),
        }
    }
}

/// When each person last sent each kind into each chat, on this node.
#[derive(Default)]
pub struct EphemeralLimiter {
    last: Mutex<HashMap<(UserId, ChatId, Kind), Instant>>,
}

/// Entries kept before the stale ones are swept.
const SWEEP_AT: usize = 4096;

impl EphemeralLimiter {
    /// Takes a turn for `user` in `chat` at `now`; false while the last one is recent.
    pub fn take_turn(&self, user: UserId, chat: ChatId, kind: Kind, now: Instant) -> bool {
        let mut last = self.last.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if last.len() >= SWEEP_AT {
            last.retain(|(_, _, kind), at| now.duration_since(*at) < kind.interval());
        }
        match last.get(&(user, chat, kind)) {
            Some(at) if now.duration_since(*at) < kind.interval() => false,
            _ => {
                last.insert((user, chat, kind), now);
                true
            }
        }
    }
}

/// Whether `user` may send a frame of `kind` into `chat` now: within the rate, and
/// allowed to post there. Refusals are silent to the sender (a typing frame has no
/// answer), so the error only says why, for the caller's logs and tests.
pub async fn admit(state: &AppState, user: UserId, chat: ChatId, kind: Kind) -> Result<()> {
    if !state.ephemeral.take_turn(user, chat, kind, Instant::now()) {
        return Err(Error::RateLimited("ephemeral_rate_limited"));
    }
    let mut conn = state.db.reads().acquire().await?;
    let row = store::chats::get(&mut conn, chat).await?.ok_or(Error::NotFound)?;
    let seat = store::seats::seat(&mut conn, chat, user).await?.ok_or(Error::NotFound)?;
    crate::access::check_may_post(&row, &seat, crate::clock::now_ms())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_frame_per_interval_per_person_and_chat() {
        let limiter = EphemeralLimiter::default();
        let start = Instant::now();
        let (ann, bob, class, parents) = (UserId(1), UserId(2), ChatId(10), ChatId(11));
        assert!(limiter.take_turn(ann, class, Kind::Typing, start));
        assert!(!limiter.take_turn(ann, class, Kind::Typing, start + Duration::from_millis(500)));
        assert!(limiter.take_turn(bob, class, Kind::Typing, start), "another person has their own turns");
        assert!(limiter.take_turn(ann, parents, Kind::Typing, start), "and another chat");
        assert!(limiter.take_turn(ann, class, Kind::Typing, start + Kind::Typing.interval()));
    }
}
