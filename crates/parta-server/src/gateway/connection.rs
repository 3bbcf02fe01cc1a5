//! One socket: authentication, `welcome`, the wait for the client's `resume`, then
//! live delivery, pings and the close codes that tell a client what to do next.
//! How a connection fills gaps and replays a resume is in `catch_up.rs`.

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message as WsMessage, WebSocket};
use parta_domain::ChatId;
use parta_protocol::{ClientFrame, ServerFrame};
use tokio::sync::{mpsc, watch};

use super::frame_text;
use super::hub::Queued;
use crate::actions::calls;
use crate::auth::Actor;
use crate::bus::Envelope;
use crate::calls::ConnRef;
use crate::ephemeral;
use crate::stages;
use crate::state::AppState;
use crate::store;

/// Frames queued for one connection before it counts as a slow consumer.
pub const CONNECTION_QUEUE: usize = 1024;
const AUTH_TIMEOUT: Duration = Duration::from_secs(10);
/// How long after `welcome` live events wait for the client's `resume`.
const RESUME_GRACE: Duration = Duration::from_secs(2);
const PING_EVERY: Duration = Duration::from_secs(25);
/// Close codes (4000–4999 are the application's).
const CLOSE_SLOW: u16 = 4008;
const CLOSE_UNAUTHENTICATED: u16 = 4001;
const CLOSE_SESSION_ENDED: u16 = 4003;
pub(super) const CLOSE_RESYNC: u16 = 4009;
/// The server is stopping (a restart or an upgrade): reconnect and resume.
const CLOSE_GOING_AWAY: u16 = 1001;

pub(super) struct Connection {
    pub(super) state: AppState,
    pub(super) actor: Actor,
    /// This connection in the hub.
    pub(super) id: u64,
    /// Last position sent, per chat this connection may read.
    pub(super) chats: BTreeMap<ChatId, i64>,
    /// Chats taken at their head when the connection opened, of which nothing has
    /// been sent yet: a `chat_added` replayed or arriving for one of them starts it
    /// from the position the person joined at instead.
    pub(super) fresh: HashSet<ChatId>,
    pub(super) user_seq: i64,
    /// This connection signalled for a call on another node: that node is told when it closes.
    pub(super) calls_elsewhere: bool,
}

pub(super) async fn close(socket: &mut WebSocket, code: u16, reason: &'static str) {
    let _ = socket.send(WsMessage::Close(Some(CloseFrame { code, reason: reason.into() }))).await;
}

/// Authenticates a socket that came without a cookie: the first frame must carry the token.
async fn authenticate_by_frame(state: &AppState, socket: &mut WebSocket) -> Option<Actor> {
    let first = tokio::time::timeout(AUTH_TIMEOUT, socket.recv()).await.ok()??.ok()?;
    let WsMessage::Text(text) = first else { return None };
    let Ok(ClientFrame::Auth { token }) = serde_json::from_str::<ClientFrame>(&text) else { return None };
    crate::auth::actor_from_token(state, &token).await.ok().flatten()
}

pub(super) async fn serve(state: AppState, actor: Option<Actor>, mut socket: WebSocket) -> anyhow::Result<()> {
    let actor = match actor {
        Some(actor) => actor,
        None => match authenticate_by_frame(&state, &mut socket).await {
            Some(actor) => actor,
            None => {
                close(&mut socket, CLOSE_UNAUTHENTICATED, "unauthenticated").await;
                return Ok(());
            }
        },
    };
    let (queue, mut incoming) = mpsc::channel(CONNECTION_QUEUE);
    // Register first, then read the chats: a chat added in between arrives either
    // in the read or as a user event, never in neither.
    let id = state.hub.register(actor.user_id, actor.session_id, queue);
    let mut stopping = state.hub.stopping();
    let mut conn = Connection {
        state: state.clone(),
        actor,
        id,
        chats: BTreeMap::new(),
        fresh: HashSet::new(),
        user_seq: 0,
        calls_elsewhere: false,
    };
    let result = async {
        conn.load().await?;
        let welcome = ServerFrame::Welcome { user_id: conn.actor.user_id, user_seq: conn.user_seq };
        socket.send(WsMessage::Text(frame_text(&welcome).into())).await?;
        if !conn.await_resume(&mut socket, &mut incoming, &mut stopping).await? {
            return Ok(());
        }
        conn.run(&mut socket, &mut incoming, &mut stopping).await
    }
    .await;
    state.hub.unregister(id);
    // Media lives no longer than the socket that signals for it, here or on the node
    // of a call it joined there.
    calls::connection_closed(&state, &ConnRef { node: state.calls.settings.node.as_str().into(), id });
    if conn.calls_elsewhere {
        state.bus.publish(vec![Envelope::ConnectionClosed { node: state.calls.settings.node.clone(), conn: id }]);
    }
    result
}

impl Connection {
    async fn load(&mut self) -> anyhow::Result<()> {
        let mut db = self.state.db.reads().acquire().await?;
        self.user_seq = store::events::user_seq(&mut db, self.actor.user_id).await?;
        for seat in store::seats::seats_of(&mut db, self.actor.user_id, None).await? {
            let chat = ChatId(seat.chat_id);
            let head = store::chats::get(&mut db, chat).await?.map_or(0, |c| c.last_seq);
            self.chats.insert(chat, head);
            self.fresh.insert(chat);
            self.state.hub.subscribe(self.id, chat);
        }
        Ok(())
    }

    /// A client that resumes does so at once: live events wait (briefly) until its first
    /// frame is answered, so that replay and live events arrive in one order. An ended
    /// session still closes the socket at once. False: the connection is closed.
    async fn await_resume(
        &mut self,
        socket: &mut WebSocket,
        incoming: &mut mpsc::Receiver<Queued>,
        stopping: &mut watch::Receiver<bool>,
    ) -> anyhow::Result<bool> {
        let deadline = tokio::time::Instant::now() + RESUME_GRACE;
        let mut waiting = Vec::new();
        loop {
            tokio::select! {
                // Only ever turns true: a change is the stop.
                Ok(()) = stopping.changed() => {
                    close(socket, CLOSE_GOING_AWAY, "server restarting: reconnect and resume").await;
                    return Ok(false);
                }
                message = socket.recv() => match message {
                    Some(Ok(WsMessage::Text(text))) => {
                        if !self.on_client_frame(socket, &text).await? {
                            return Ok(false);
                        }
                        break;
                    }
                    Some(Ok(WsMessage::Close(_)) | Err(_)) | None => return Ok(false),
                    Some(Ok(_)) => {}
                },
                queued = incoming.recv() => match queued.map(|queued| queued.envelope) {
                    None => {
                        close(socket, CLOSE_SLOW, "slow consumer: reconnect and resume").await;
                        return Ok(false);
                    }
                    Some(envelope @ Envelope::SessionsEnded { .. }) => return self.deliver(socket, envelope).await,
                    Some(envelope) => waiting.push(envelope),
                },
                () = tokio::time::sleep_until(deadline) => break,
            }
        }
        for envelope in waiting {
            if !self.deliver(socket, envelope).await? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    async fn run(
        &mut self,
        socket: &mut WebSocket,
        incoming: &mut mpsc::Receiver<Queued>,
        stopping: &mut watch::Receiver<bool>,
    ) -> anyhow::Result<()> {
        let mut ping = tokio::time::interval(PING_EVERY);
        ping.tick().await;
        loop {
            tokio::select! {
                // Only ever turns true: a change is the stop.
                Ok(()) = stopping.changed() => {
                    close(socket, CLOSE_GOING_AWAY, "server restarting: reconnect and resume").await;
                    return Ok(());
                }
                queued = incoming.recv() => {
                    // The hub dropped our queue: it was full.
                    let Some(Queued { envelope, at }) = queued else {
                        close(socket, CLOSE_SLOW, "slow consumer: reconnect and resume").await;
                        return Ok(());
                    };
                    let chat_event = matches!(envelope, Envelope::Chat { .. });
                    if !self.deliver(socket, envelope).await? {
                        return Ok(());
                    }
                    if chat_event {
                        stages::record(stages::FANOUT, at.elapsed(), 1);
                    }
                }
                message = socket.recv() => {
                    let Some(Ok(message)) = message else { return Ok(()) };
                    match message {
                        WsMessage::Text(text)
                            if !self.on_client_frame(socket, &text).await? => {
                                return Ok(());
                            }
                        WsMessage::Close(_) => return Ok(()),
                        _ => {}
                    }
                }
                _ = ping.tick() => {
                    socket.send(WsMessage::Ping(Vec::new().into())).await?;
                }
            }
        }
    }

    pub(super) async fn send(&self, socket: &mut WebSocket, text: &str) -> anyhow::Result<()> {
        socket.send(WsMessage::Text(text.to_owned().into())).await?;
        Ok(())
    }

    /// Sends what an envelope announces, with any gap before it. False: close now.
    async fn deliver(&mut self, socket: &mut WebSocket, envelope: Envelope) -> anyhow::Result<bool> {
        match envelope {
            // The next position: send the envelope's own frame; past a gap: read the gap from the log.
            Envelope::Chat { chat, seq, frame, left } if self.chats.get(&chat) == Some(&(seq - 1)) => {
                self.send(socket, &frame).await?;
                self.chats.insert(chat, seq);
                self.fresh.remove(&chat);
                if left == Some(self.actor.user_id) {
                    self.leave(chat);
                }
            }
            Envelope::Chat { chat, seq, .. } => self.catch_up_chat(socket, chat, seq).await?,
            Envelope::User { seq, event, frame, .. } if seq == self.user_seq + 1 => {
                self.send(socket, &frame).await?;
                self.user_seq = seq;
                self.apply_user_event(socket, event).await?;
            }
            Envelope::User { seq, .. } => self.catch_up_user(socket, seq).await?,
            Envelope::Ephemeral { chat, user, frame } => {
                if user != self.actor.user_id && self.chats.contains_key(&chat) {
                    self.send(socket, &frame).await?;
                }
            }
            Envelope::Direct { frame } => self.send(socket, &frame).await?,
            // Between nodes only; the hub never queues them for a connection.
            Envelope::CallFrame { .. } | Envelope::ToConnection { .. } | Envelope::ConnectionClosed { .. } => {}
            Envelope::SessionsEnded { .. } => {
                close(socket, CLOSE_SESSION_ENDED, "session ended").await;
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Handles one frame from the client. False: the connection is to close.
    async fn on_client_frame(&mut self, socket: &mut WebSocket, text: &str) -> anyhow::Result<bool> {
        let frame = match serde_json::from_str::<ClientFrame>(text) {
            Ok(frame) => frame,
            Err(_) => {
                let error =
                    ServerFrame::Error { code: "bad_frame".into(), detail: "Неизвестный кадр.".into() };
                self.send(socket, &frame_text(&error)).await?;
                return Ok(true);
            }
        };
        match frame {
            ClientFrame::Auth { .. } => {}
            ClientFrame::Resume { user_seq, chats } => return self.resume(socket, user_seq, chats).await,
            ClientFrame::Typing { chat_id } => {
                let user = self.actor.user_id;
                if self.chats.contains_key(&chat_id)
                    && ephemeral::admit(&self.state, user, chat_id, ephemeral::Kind::Typing).await.is_ok()
                {
                    let frame = ServerFrame::Typing { chat_id, user_id: user };
                    self.state.bus.publish(vec![Envelope::Ephemeral {
                        chat: chat_id,
                        user,
                        frame: frame_text(&frame).into(),
                    }]);
                }
            }
            frame @ (ClientFrame::CallJoin { .. }
            | ClientFrame::CallSignal { .. }
            | ClientFrame::CallMedia { .. }
            | ClientFrame::CallHand { .. }
            | ClientFrame::CallView { .. }
            | ClientFrame::CallLeave { .. }) => {
                // The answer to a join comes as a frame through the hub, like every call frame.
                self.calls_elsewhere |= calls::from_device(&self.state, &self.actor, self.id, frame).await;
            }
        }
        Ok(true)
    }
}
