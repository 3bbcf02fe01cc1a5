//! The event bus: the fast path that carries committed events to the WebSocket
//! gateway of every node. The database log (`chat_events`, `user_events`) is the
//! truth that clients resume from; the bus only says "there is something new".
//! In-process (tokio broadcast) now; a NATS implementation plugs in behind `Bus`.

use std::sync::Arc;

use parta_domain::{ChatId, SessionId, UserId};
use parta_protocol::UserEvent;
use tokio::sync::broadcast;

/// One committed event, already serialized as the frame clients receive.
#[derive(Debug, Clone)]
pub enum Envelope {
    Chat {
        chat: ChatId,
        seq: i64,
        frame: Arc<str>,
        left: Option<UserId>,
    },
    User {
        user: UserId,
        seq: i64,
        event: UserEvent,
        frame: Arc<str>,
    },
    /// Not persisted: someone is typing.
    Typing {
        chat: ChatId,
        user: UserId,
        frame: Arc<str>,
    },
    /// Not persisted: sessions ended (logout, password change, account deletion);
    /// their sockets close. `keep` survives.
    SessionsEnded {
        user: UserId,
        only: Option<SessionId>,
        keep: Option<SessionId>,
    },
}

pub trait Bus: Send + Sync {
    fn publish(&self, envelopes: Vec<Envelope>);
    fn subscribe(&self) -> broadcast::Receiver<Envelope>;
}

pub struct LocalBus {
    sender: broadcast::Sender<Envelope>,
}

impl LocalBus {
    /// A subscriber more than `capacity` envelopes behind is told it lagged and
    /// must resynchronise its clients; nobody else waits for it.
    pub fn new(capacity: usize) -> LocalBus {
        LocalBus { sender: broadcast::channel(capacity).0 }
    }
}

impl Bus for LocalBus {
    fn publish(&self, envelopes: Vec<Envelope>) {
        for envelope in envelopes {
            // No subscriber yet (a node without sockets) is not an error.
            let _ = self.sender.send(envelope);
        }
    }

    fn subscribe(&self) -> broadcast::Receiver<Envelope> {
        self.sender.subscribe()
    }
}
