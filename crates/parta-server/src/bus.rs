//! The event bus: the fast path that carries committed events to the WebSocket
//! gateway of every node. The database log (`chat_events`, `user_events`) is the
//! truth that clients resume from; the bus only says "there is something new".
//! In-process (tokio broadcast) now; a NATS implementation plugs in behind `Bus`.

use std::sync::Arc;

use parta_domain::{ChatId, SessionId, UserId};
use parta_protocol::UserEvent;
use serde::{Deserialize, Serialize};
use tokio::sync::{broadcast, mpsc};

/// One committed event, already serialized as the frame clients receive.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
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
    /// Not persisted, not positioned: a frame of the ephemeral lane (`ephemeral.rs`),
    /// such as someone typing, for the chat's live sockets but its sender's.
    Ephemeral {
        chat: ChatId,
        user: UserId,
        frame: Arc<str>,
    },
    /// Never published: a frame for one connection of this node (call signalling),
    /// handed to it by `Hub::send_to`.
    Direct {
        frame: Arc<str>,
    },
    /// A call's client frame from a connection on `from` to the node its call runs
    /// on (`node`): the call is answered there, its frames come back as `ToConnection`.
    CallFrame {
        node: String,
        from: String,
        conn: u64,
        user: UserId,
        session: SessionId,
        frame: String,
    },
    /// A frame for connection `conn` of node `node` (a call's node answering a device
    /// connected elsewhere).
    ToConnection {
        node: String,
        conn: u64,
        frame: Arc<str>,
    },
    /// A connection of `node` that sent call frames elsewhere closed: its devices leave.
    ConnectionClosed {
        node: String,
        conn: u64,
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

/// The bus across nodes: every node publishes to one NATS subject and hears
/// everything on it, its own envelopes included, so local and remote sockets get
/// events in the same order. Publishing is queued to one task to keep that order.
pub struct NatsBus {
    outgoing: mpsc::UnboundedSender<Vec<Envelope>>,
    local: broadcast::Sender<Envelope>,
}

impl NatsBus {
    pub async fn connect(url: &str, subject: &str, capacity: usize) -> anyhow::Result<NatsBus> {
        use anyhow::Context;
        let client = async_nats::connect(url).await.with_context(|| format!("connecting to NATS at {url}"))?;
        let mut subscriber = client.subscribe(subject.to_owned()).await.context("subscribing to the event subject")?;
        // The subscription is live before we return: nothing published after this is missed.
        client.flush().await.context("flushing the NATS subscription")?;
        let (local, _) = broadcast::channel(capacity);
        let forward = local.clone();
        tokio::spawn(async move {
            use futures_util::StreamExt;
            while let Some(message) = subscriber.next().await {
                match serde_json::from_slice::<Vec<Envelope>>(&message.payload) {
                    Ok(envelopes) => {
                        for envelope in envelopes {
                            let _ = forward.send(envelope);
                        }
                    }
                    Err(error) => tracing::warn!(%error, "unreadable envelope on the bus"),
                }
            }
            tracing::warn!("NATS subscription ended");
        });
        let (outgoing, mut queue) = mpsc::unbounded_channel::<Vec<Envelope>>();
        let subject = subject.to_owned();
        tokio::spawn(async move {
            while let Some(batch) = queue.recv().await {
                let Ok(payload) = serde_json::to_vec(&batch) else { continue };
                if let Err(error) = client.publish(subject.clone(), payload.into()).await {
                    // Clients still get the event: they resume from the database log.
                    tracing::warn!(%error, "publishing to NATS failed");
                }
            }
        });
        Ok(NatsBus { outgoing, local })
    }
}

impl Bus for NatsBus {
    fn publish(&self, envelopes: Vec<Envelope>) {
        let _ = self.outgoing.send(envelopes);
    }

    fn subscribe(&self) -> broadcast::Receiver<Envelope> {
        self.local.subscribe()
    }
}
