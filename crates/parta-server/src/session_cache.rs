//! Sessions this node looked up lately, so a request need not read its session
//! from the database each time (one read per request was most of the database's
//! round trips under load).
//!
//! A cached session is trusted for a few seconds at most. Sessions end by the bus's
//! `SessionsEnded`: this node's own endings are applied before their transaction's
//! caller hears it committed (`Work::commit`), other nodes' as they arrive; a cache
//! that falls behind the bus forgets everything. Should another node's ending be
//! lost on the way, the entry still runs out within `FRESH_MS`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use parta_domain::{SessionId, UserId};
use tokio::sync::broadcast;

use crate::bus::{Bus, Envelope};
use crate::store::sessions::LiveSession;

/// How long a looked-up session is used without reading it again.
pub const FRESH_MS: i64 = 5_000;
/// Entries at most; past it, stale ones go, and if that is not enough, all.
const MAX_ENTRIES: usize = 100_000;

#[derive(Default)]
pub struct SessionCache {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    by_digest: HashMap<String, Cached>,
    /// Counts endings: a lookup that raced one is not remembered.
    endings: u64,
}

struct Cached {
    live: LiveSession,
    read_at: i64,
}

/// Taken before reading a session from the database, handed back to `remember`.
#[derive(Clone, Copy)]
pub struct Ticket(u64);

impl SessionCache {
    pub fn start(bus: &dyn Bus) -> Arc<SessionCache> {
        let cache = Arc::new(SessionCache::default());
        tokio::spawn(Arc::clone(&cache).listen(bus.subscribe()));
        cache
    }

    fn inner(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The live session behind a token digest, if read lately and not ended since.
    pub fn get(&self, digest: &str, now: i64) -> Option<LiveSession> {
        let inner = self.inner();
        let cached = inner.by_digest.get(digest)?;
        (now - cached.read_at < FRESH_MS && cached.live.session.expires_at > now).then(|| cached.live.clone())
    }

    pub fn ticket(&self) -> Ticket {
        Ticket(self.inner().endings)
    }

    /// Keeps a session just read, unless a session ended while it was being read
    /// (the read may predate that ending).
    pub fn remember(&self, ticket: Ticket, digest: &str, live: LiveSession, now: i64) {
        let mut inner = self.inner();
        if inner.endings != ticket.0 {
            return;
        }
        if inner.by_digest.len() >= MAX_ENTRIES {
            inner.by_digest.retain(|_, cached| now - cached.read_at < FRESH_MS);
            if inner.by_digest.len() >= MAX_ENTRIES {
                inner.by_digest.clear();
            }
        }
        inner.by_digest.insert(digest.to_owned(), Cached { live, read_at: now });
    }

    /// The session's sliding expiry moved (`auth` writes it at most once a minute).
    pub fn touched(&self, digest: &str, last_seen_at: i64, expires_at: i64) {
        if let Some(cached) = self.inner().by_digest.get_mut(digest) {
            cached.live.session.last_seen_at = last_seen_at;
            cached.live.session.expires_at = expires_at;
        }
    }

    /// Forgets the ended sessions of `user`: `only` that one, or all but `keep`.
    pub fn end(&self, user: UserId, only: Option<SessionId>, keep: Option<SessionId>) {
        let mut inner = self.inner();
        inner.endings += 1;
        inner.by_digest.retain(|_, cached| {
            let session = &cached.live.session;
            let ends = session.user_id == user.0
                && only.is_none_or(|s| s.0 == session.id)
                && keep.is_none_or(|s| s.0 != session.id);
            !ends
        });
    }

    fn forget_all(&self) {
        let mut inner = self.inner();
        inner.endings += 1;
        inner.by_digest.clear();
    }

    async fn listen(self: Arc<SessionCache>, mut receiver: broadcast::Receiver<Envelope>) {
        loop {
            match receiver.recv().await {
                Ok(Envelope::SessionsEnded { user, only, keep }) => self.end(user, only, keep),
                Ok(_) => {}
                Err(broadcast::error::RecvError::Lagged(_)) => self.forget_all(),
                Err(broadcast::error::RecvError::Closed) => return,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::sessions::SessionRow;

    fn live(id: i64, user: i64, expires_at: i64) -> LiveSession {
        LiveSession {
            session: SessionRow {
                id,
                user_id: user,
                csrf_token: String::new(),
                user_agent: None,
                ip: None,
                created_at: 0,
                last_seen_at: 0,
                expires_at,
            },
            is_operator: 0,
        }
    }

    #[test]
    fn a_session_is_served_while_fresh_and_unexpired() {
        let cache = SessionCache::default();
        cache.remember(cache.ticket(), "a", live(1, 7, 10_000), 1_000);
        assert_eq!(cache.get("a", 1_000 + FRESH_MS - 1).map(|l| l.session.id), Some(1));
        assert!(cache.get("a", 1_000 + FRESH_MS).is_none(), "read again once stale");
        cache.remember(cache.ticket(), "b", live(2, 7, 3_000), 1_000);
        assert!(cache.get("b", 3_000).is_none(), "expired");
    }

    #[test]
    fn endings_drop_exactly_the_sessions_they_name() {
        let cache = SessionCache::default();
        for (digest, id, user) in [("a", 1, 7), ("b", 2, 7), ("c", 3, 7), ("d", 4, 8)] {
            cache.remember(cache.ticket(), digest, live(id, user, i64::MAX), 0);
        }
        cache.end(UserId(7), Some(SessionId(1)), None);
        assert!(cache.get("a", 0).is_none());
        assert!(cache.get("b", 0).is_some());
        cache.end(UserId(7), None, Some(SessionId(3)));
        assert!(cache.get("b", 0).is_none());
        assert!(cache.get("c", 0).is_some(), "the kept session stays");
        assert!(cache.get("d", 0).is_some(), "another person's session stays");
    }

    #[test]
    fn a_read_that_raced_an_ending_is_not_remembered() {
        let cache = SessionCache::default();
        let ticket = cache.ticket();
        cache.end(UserId(7), None, None);
        cache.remember(ticket, "a", live(1, 7, i64::MAX), 0);
        assert!(cache.get("a", 0).is_none());
    }
}
