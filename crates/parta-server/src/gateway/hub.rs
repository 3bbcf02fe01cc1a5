//! Who listens to what, on this node: the hub takes every envelope from the bus
//! and hands it to the connections subscribed to its chat or belonging to its
//! person. It remembers the latest position the bus brought per chat and person,
//! which the relay compares with the log.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use parta_domain::{ChatId, SessionId, UserId};
use tokio::sync::{broadcast, mpsc, watch};

use crate::bus::{Bus, Envelope};

struct ConnEntry {
    user: UserId,
    session: SessionId,
    queue: mpsc::Sender<Queued>,
}

/// An envelope in a connection's queue, with when the hub put it there (the
/// `fanout` stage runs from then to its frame written).
pub(super) struct Queued {
    pub envelope: Envelope,
    pub at: std::time::Instant,
}

#[derive(Default)]
struct Routes {
    next_id: u64,
    conns: HashMap<u64, ConnEntry>,
    by_chat: HashMap<ChatId, HashSet<u64>>,
    by_user: HashMap<UserId, HashSet<u64>>,
    /// The latest position the bus brought for each chat and person: the relay
    /// compares these with the log to find events committed but never published.
    seen_chat: HashMap<ChatId, i64>,
    seen_user: HashMap<UserId, i64>,
}

/// Who listens to what, on this node.
pub struct Hub {
    // A std mutex: held only for map updates, never across an await.
    routes: Mutex<Routes>,
    /// This node's name: frames addressed to one of its connections are its to deliver.
    node: String,
    /// Turns true when the server stops: every connection closes with 1001.
    stopping: watch::Sender<bool>,
}

/// Chats and people whose latest logged position this node's bus has not brought.
pub(super) type Behind = (Vec<(ChatId, i64)>, Vec<(UserId, i64)>);

impl Hub {
    pub fn start(bus: &dyn Bus, node: &str) -> Arc<Hub> {
        let hub = Arc::new(Hub {
            routes: Mutex::new(Routes::default()),
            node: node.to_owned(),
            stopping: watch::Sender::new(false),
        });
        let receiver = bus.subscribe();
        tokio::spawn(Arc::clone(&hub).route(receiver));
        hub
    }

    fn routes(&self) -> std::sync::MutexGuard<'_, Routes> {
        self.routes.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Closes every connection with 1001 («going away») so clients reconnect at once,
    /// and waits (up to `wait`) until they have been told.
    pub async fn close_all(&self, wait: Duration) {
        self.stopping.send_replace(true);
        let deadline = tokio::time::Instant::now() + wait;
        while !self.routes().conns.is_empty() && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Changes (to true) when the server stops.
    pub(super) fn stopping(&self) -> watch::Receiver<bool> {
        self.stopping.subscribe()
    }

    pub(super) fn register(&self, user: UserId, session: SessionId, queue: mpsc::Sender<Queued>) -> u64 {
        let mut routes = self.routes();
        routes.next_id += 1;
        let id = routes.next_id;
        routes.conns.insert(id, ConnEntry { user, session, queue });
        routes.by_user.entry(user).or_default().insert(id);
        id
    }

    pub(super) fn unregister(&self, id: u64) {
        let mut routes = self.routes();
        if let Some(entry) = routes.conns.remove(&id)
            && let Some(set) = routes.by_user.get_mut(&entry.user)
        {
            set.remove(&id);
            if set.is_empty() {
                routes.by_user.remove(&entry.user);
            }
        }
        routes.by_chat.retain(|_, set| {
            set.remove(&id);
            !set.is_empty()
        });
    }

    pub(super) fn subscribe(&self, id: u64, chat: ChatId) {
        self.routes().by_chat.entry(chat).or_default().insert(id);
    }

    pub(super) fn unsubscribe(&self, id: u64, chat: ChatId) {
        let mut routes = self.routes();
        if let Some(set) = routes.by_chat.get_mut(&chat) {
            set.remove(&id);
            if set.is_empty() {
                routes.by_chat.remove(&chat);
            }
        }
    }

    /// Hands a frame to one connection of this node; false when it is gone. A full
    /// queue drops the frame (the connection is being cut off as a slow consumer).
    pub fn send_to(&self, id: u64, frame: Arc<str>) -> bool {
        let routes = self.routes();
        let queued = Queued { envelope: Envelope::Direct { frame }, at: std::time::Instant::now() };
        routes.conns.get(&id).is_some_and(|entry| entry.queue.try_send(queued).is_ok())
    }

    /// Number of open connections on this node.
    pub fn connections(&self) -> usize {
        self.routes().conns.len()
    }

    async fn route(self: Arc<Hub>, mut receiver: broadcast::Receiver<Envelope>) {
        loop {
            let envelope = match receiver.recv().await {
                Ok(envelope) => envelope,
                Err(broadcast::error::RecvError::Lagged(missed)) => {
                    // Events were lost on the fast path: every client must resume from the log.
                    tracing::warn!(missed, "gateway lagged behind the bus; closing connections to resync");
                    let mut routes = self.routes();
                    routes.conns.clear();
                    routes.by_chat.clear();
                    routes.by_user.clear();
                    continue;
                }
                Err(broadcast::error::RecvError::Closed) => return,
            };
            self.dispatch(envelope);
        }
    }

    /// Hands an envelope to this node's connections that listen for it.
    pub(super) fn dispatch(&self, envelope: Envelope) {
        if let Envelope::ToConnection { node, conn, frame } = envelope {
            if node == self.node {
                self.send_to(conn, frame);
            }
            return;
        }
        let mut routes = self.routes();
        match &envelope {
            Envelope::Chat { chat, seq, .. } => {
                let seen = routes.seen_chat.entry(*chat).or_default();
                *seen = (*seen).max(*seq);
            }
            Envelope::User { user, seq, .. } => {
                let seen = routes.seen_user.entry(*user).or_default();
                *seen = (*seen).max(*seq);
            }
            _ => {}
        }
        let targets: Vec<u64> = match &envelope {
            Envelope::Chat { chat, .. } | Envelope::Ephemeral { chat, .. } => {
                routes.by_chat.get(chat).map(|s| s.iter().copied().collect()).unwrap_or_default()
            }
            Envelope::User { user, .. } | Envelope::SessionsEnded { user, .. } => {
                routes.by_user.get(user).map(|s| s.iter().copied().collect()).unwrap_or_default()
            }
            Envelope::Direct { .. }
            | Envelope::ToConnection { .. }
            | Envelope::CallFrame { .. }
            | Envelope::ConnectionClosed { .. } => Vec::new(),
        };
        let mut slow = Vec::new();
        let at = std::time::Instant::now();
        for id in targets {
            let Some(entry) = routes.conns.get(&id) else { continue };
            if let Envelope::SessionsEnded { only, keep, .. } = &envelope {
                let ends = only.is_none_or(|s| s == entry.session) && *keep != Some(entry.session);
                if !ends {
                    continue;
                }
            }
            if entry.queue.try_send(Queued { envelope: envelope.clone(), at }).is_err() {
                slow.push(id);
            }
        }
        // Dropping the sender is the signal: the connection closes and the client resumes later.
        for id in slow {
            routes.conns.remove(&id);
            for set in routes.by_chat.values_mut() {
                set.remove(&id);
            }
            for set in routes.by_user.values_mut() {
                set.remove(&id);
            }
        }
    }

    /// The chats and people among `heads` whose latest logged position is past what
    /// the bus brought to this node, for those with connections here.
    pub(super) fn behind(&self, chat_heads: &[(i64, i64)], user_heads: &[(i64, i64)]) -> Behind {
        let routes = self.routes();
        let chats = chat_heads
            .iter()
            .map(|&(chat, seq)| (ChatId(chat), seq))
            .filter(|(chat, seq)| {
                routes.by_chat.contains_key(chat) && routes.seen_chat.get(chat).is_none_or(|seen| seen < seq)
            })
            .collect();
        let users = user_heads
            .iter()
            .map(|&(user, seq)| (UserId(user), seq))
            .filter(|(user, seq)| {
                routes.by_user.contains_key(user) && routes.seen_user.get(user).is_none_or(|seen| seen < seq)
            })
            .collect();
        (chats, users)
    }
}
