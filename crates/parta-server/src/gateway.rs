//! The WebSocket gateway: one endpoint, `/api/v1/ws`, that delivers every event a
//! person may see, resumable from the positions the client last saw.
//!
//! The hub routes envelopes from the bus to the connections subscribed to a chat
//! (or belonging to a user). Each connection keeps the authoritative list of its
//! chats and the last position sent in each; an event past a gap is preceded by
//! the gap, read from the database log, so a client never sees N+1 before N, and
//! an event at or below the last position is dropped, so it never sees one twice.
//! A connection whose queue is full is cut off; it resumes later without loss.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::extract::ws::{CloseFrame, Message as WsMessage, WebSocket, WebSocketUpgrade};
use axum::http::HeaderMap;
use axum::response::Response;
use parta_domain::{ChatId, SessionId, UserId};
use parta_protocol::{ChatEvent, ChatPosition, ClientFrame, ServerFrame, UserEvent};
use tokio::sync::{broadcast, mpsc};

use crate::auth::Actor;
use crate::bus::{Bus, Envelope};
use crate::ephemeral;
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
const CLOSE_RESYNC: u16 = 4009;
/// The server is stopping (a restart or an upgrade): reconnect and resume.
const CLOSE_GOING_AWAY: u16 = 1001;

struct ConnEntry {
    user: UserId,
    session: SessionId,
    queue: mpsc::Sender<Envelope>,
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
    /// Turns true when the server stops: every connection closes with 1001.
    stopping: tokio::sync::watch::Sender<bool>,
}

impl Hub {
    pub fn start(bus: &dyn Bus) -> Arc<Hub> {
        let hub =
            Arc::new(Hub { routes: Mutex::new(Routes::default()), stopping: tokio::sync::watch::Sender::new(false) });
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

    fn register(&self, user: UserId, session: SessionId, queue: mpsc::Sender<Envelope>) -> u64 {
        let mut routes = self.routes();
        routes.next_id += 1;
        let id = routes.next_id;
        routes.conns.insert(id, ConnEntry { user, session, queue });
        routes.by_user.entry(user).or_default().insert(id);
        id
    }

    fn unregister(&self, id: u64) {
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

    fn subscribe(&self, id: u64, chat: ChatId) {
        self.routes().by_chat.entry(chat).or_default().insert(id);
    }

    fn unsubscribe(&self, id: u64, chat: ChatId) {
        let mut routes = self.routes();
        if let Some(set) = routes.by_chat.get_mut(&chat) {
            set.remove(&id);
            if set.is_empty() {
                routes.by_chat.remove(&chat);
            }
        }
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
    fn dispatch(&self, envelope: Envelope) {
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
        };
        let mut slow = Vec::new();
        for id in targets {
            let Some(entry) = routes.conns.get(&id) else { continue };
            if let Envelope::SessionsEnded { only, keep, .. } = &envelope {
                let ends = only.is_none_or(|s| s == entry.session) && *keep != Some(entry.session);
                if !ends {
                    continue;
                }
            }
            if entry.queue.try_send(envelope.clone()).is_err() {
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
    fn behind(&self, chat_heads: &[(i64, i64)], user_heads: &[(i64, i64)]) -> Behind {
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

/// Chats and people whose latest logged position this node's bus has not brought.
type Behind = (Vec<(ChatId, i64)>, Vec<(UserId, i64)>);

/// How old a logged event must be before the relay treats it as never published.
pub const RELAY_MIN_AGE_MS: i64 = 1_000;
/// How far back the relay looks; a node down longer than this has no clients anyway.
pub const RELAY_WINDOW_MS: i64 = 60_000;

/// The relay: events committed on some node that died before publishing them would
/// otherwise reach this node's live clients only with the chat's next event. Every
/// node looks at the recent log now and then and hands its own connections the
/// latest position of any chat (or person) the bus has not brought; each connection
/// fills the gap from the log and drops what it already has. Returns how many
/// chats and people were relayed.
pub async fn relay_unpublished(state: &AppState, now_ms: i64) -> anyhow::Result<usize> {
    relay_logged_between(state, now_ms - RELAY_WINDOW_MS, now_ms - RELAY_MIN_AGE_MS).await
}

/// How much of the last look the relay looks at again: an event logged before the
/// last look but committed after it is still found.
pub const RELAY_OVERLAP_MS: i64 = 10_000;

/// Runs the relay every second for as long as the node runs. Each look starts where
/// the one before ended (less the overlap), so a busy log is read about once, not
/// its whole window every second.
pub async fn relay_forever(state: AppState) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    let mut looked_to = None;
    loop {
        tick.tick().await;
        let (from, to) = relay_window(looked_to, crate::clock::now_ms());
        match relay_logged_between(&state, from, to).await {
            Ok(_) => looked_to = Some(to),
            Err(error) => tracing::warn!(%error, "relaying unpublished events failed"),
        }
    }
}

/// The stretch of the log a look at `now` reads: from the last look's end (less the
/// overlap), never more than the whole window, up to events old enough to count.
fn relay_window(looked_to: Option<i64>, now: i64) -> (i64, i64) {
    let oldest = now - RELAY_WINDOW_MS;
    let from = looked_to.map_or(oldest, |last| (last - RELAY_OVERLAP_MS).max(oldest));
    (from, now - RELAY_MIN_AGE_MS)
}

async fn relay_logged_between(state: &AppState, from: i64, to: i64) -> anyhow::Result<usize> {
    let (chat_heads, user_heads) = {
        let mut db = state.db.reads().acquire().await?;
        (
            store::events::chat_heads_between(&mut db, from, to).await?,
            store::events::user_heads_between(&mut db, from, to).await?,
        )
    };
    let (chats, users) = state.hub.behind(&chat_heads, &user_heads);
    let mut db = state.db.reads().acquire().await?;
    for &(chat, seq) in &chats {
        let Some((_, payload)) = store::events::chat_events_between(&mut db, chat, seq - 1, seq).await?.pop() else {
            continue;
        };
        let event: ChatEvent = serde_json::from_str(&payload)?;
        let left = match &event {
            ChatEvent::MemberLeft { user_id } => Some(*user_id),
            _ => None,
        };
        let frame = frame_text(&ServerFrame::ChatEvent { chat_id: chat, seq, event: Box::new(event) });
        state.hub.dispatch(Envelope::Chat { chat, seq, frame: frame.into(), left });
    }
    for &(user, seq) in &users {
        let Some((_, payload)) = store::events::user_events_between(&mut db, user, seq - 1, seq).await?.pop() else {
            continue;
        };
        let event: UserEvent = serde_json::from_str(&payload)?;
        let frame = frame_text(&ServerFrame::UserEvent { seq, event: event.clone() });
        state.hub.dispatch(Envelope::User { user, seq, event, frame: frame.into() });
    }
    if !chats.is_empty() || !users.is_empty() {
        tracing::info!(
            chats = chats.len(),
            people = users.len(),
            "relayed events that were committed but not published"
        );
    }
    Ok(chats.len() + users.len())
}

/// # `GET /api/v1/ws`
/// The realtime endpoint. Authenticated by the session cookie, or by a first frame
/// `{"type":"auth","token":"…"}` (never a token in the URL).
pub async fn ws_connect(
    State(state): State<AppState>,
    maybe_actor: Result<Actor, crate::error::Error>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    // A page on another site may open a socket here and the browser would attach
    // our cookie: accept the cookie only from our own origin.
    let same_origin = match (headers.get(axum::http::header::ORIGIN), headers.get(axum::http::header::HOST)) {
        (Some(origin), Some(host)) => origin
            .to_str()
            .ok()
            .and_then(|o| o.split("://").nth(1))
            .zip(host.to_str().ok())
            .is_some_and(|(origin_host, host)| origin_host == host),
        (None, _) => true,
        (Some(_), None) => false,
    };
    let actor = maybe_actor.ok().filter(|_| same_origin);
    // tungstenite's default 128 KiB read buffer is zero-filled on every poll and held
    // by every idle socket; client frames are small (64 KiB at most, and rare).
    upgrade.max_message_size(64 * 1024).read_buffer_size(4 * 1024).on_upgrade(move |socket| async move {
        if let Err(error) = serve(state, actor, socket).await {
            tracing::debug!(%error, "websocket closed with an error");
        }
    })
}

fn frame_text(frame: &ServerFrame) -> String {
    serde_json::to_string(frame).unwrap_or_default()
}

async fn close(socket: &mut WebSocket, code: u16, reason: &'static str) {
    let _ = socket.send(WsMessage::Close(Some(CloseFrame { code, reason: reason.into() }))).await;
}

/// Authenticates a socket that came without a cookie: the first frame must carry the token.
async fn authenticate_by_frame(state: &AppState, socket: &mut WebSocket) -> Option<Actor> {
    let first = tokio::time::timeout(AUTH_TIMEOUT, socket.recv()).await.ok()??.ok()?;
    let WsMessage::Text(text) = first else { return None };
    let Ok(ClientFrame::Auth { token }) = serde_json::from_str::<ClientFrame>(&text) else { return None };
    crate::auth::actor_from_token(state, &token).await.ok().flatten()
}

struct Connection {
    state: AppState,
    actor: Actor,
    id: u64,
    /// Last position sent, per chat this connection may read.
    chats: BTreeMap<ChatId, i64>,
    /// Chats taken at their head when the connection opened, of which nothing has
    /// been sent yet: a `chat_added` replayed or arriving for one of them starts it
    /// from the position the person joined at instead.
    fresh: HashSet<ChatId>,
    user_seq: i64,
}

async fn serve(state: AppState, actor: Option<Actor>, mut socket: WebSocket) -> anyhow::Result<()> {
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
    let mut stopping = state.hub.stopping.subscribe();
    let result = async {
        let mut conn =
            Connection { state: state.clone(), actor, id, chats: BTreeMap::new(), fresh: HashSet::new(), user_seq: 0 };
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
        incoming: &mut mpsc::Receiver<Envelope>,
        stopping: &mut tokio::sync::watch::Receiver<bool>,
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
                envelope = incoming.recv() => match envelope {
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
        incoming: &mut mpsc::Receiver<Envelope>,
        stopping: &mut tokio::sync::watch::Receiver<bool>,
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
                envelope = incoming.recv() => {
                    let Some(envelope) = envelope else {
                        close(socket, CLOSE_SLOW, "slow consumer: reconnect and resume").await;
                        return Ok(());
                    };
                    if !self.deliver(socket, envelope).await? {
                        return Ok(());
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

    async fn send(&self, socket: &mut WebSocket, text: &str) -> anyhow::Result<()> {
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
            Envelope::SessionsEnded { .. } => {
                close(socket, CLOSE_SESSION_ENDED, "session ended").await;
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Sends every event of `chat` after the last one sent, up to `until`, from the log.
    async fn catch_up_chat(&mut self, socket: &mut WebSocket, chat: ChatId, until: i64) -> anyhow::Result<()> {
        let Some(&sent) = self.chats.get(&chat) else { return Ok(()) };
        if until <= sent {
            return Ok(());
        }
        let events = {
            let mut db = self.state.db.reads().acquire().await?;
            store::events::chat_events_between(&mut db, chat, sent, until).await?
        };
        for (seq, payload) in events {
            let event: ChatEvent = serde_json::from_str(&payload)?;
            let removed = matches!(&event, ChatEvent::MemberLeft { user_id } if *user_id == self.actor.user_id);
            let frame = ServerFrame::ChatEvent { chat_id: chat, seq, event: Box::new(event) };
            self.send(socket, &frame_text(&frame)).await?;
            self.chats.insert(chat, seq);
            self.fresh.remove(&chat);
            if removed {
                self.leave(chat);
                break;
            }
        }
        Ok(())
    }

    /// Nothing said in a chat after someone's removal reaches them, whatever the
    /// timing of their personal stream.
    fn leave(&mut self, chat: ChatId) {
        self.chats.remove(&chat);
        self.fresh.remove(&chat);
        self.state.hub.unsubscribe(self.id, chat);
    }

    async fn catch_up_user(&mut self, socket: &mut WebSocket, until: i64) -> anyhow::Result<()> {
        if until <= self.user_seq {
            return Ok(());
        }
        let events = {
            let mut db = self.state.db.reads().acquire().await?;
            store::events::user_events_between(&mut db, self.actor.user_id, self.user_seq, until).await?
        };
        for (seq, payload) in events {
            let event: UserEvent = serde_json::from_str(&payload)?;
            let frame = ServerFrame::UserEvent { seq, event: event.clone() };
            self.send(socket, &frame_text(&frame)).await?;
            self.user_seq = seq;
            self.apply_user_event(socket, event).await?;
        }
        Ok(())
    }

    /// A chat added to the person's list is subscribed and caught up; a removed one is left.
    async fn apply_user_event(&mut self, socket: &mut WebSocket, event: UserEvent) -> anyhow::Result<()> {
        match event {
            UserEvent::ChatAdded { chat_id, from_seq, .. } => {
                let start = match self.chats.get(&chat_id) {
                    None => {
                        self.state.hub.subscribe(self.id, chat_id);
                        Some(from_seq)
                    }
                    // Taken at its head on opening, but the person joined earlier than that:
                    // what happened since the join has not been sent.
                    Some(&current) if self.fresh.remove(&chat_id) && from_seq < current => Some(from_seq),
                    Some(_) => None,
                };
                if let Some(start) = start {
                    self.chats.insert(chat_id, start);
                    let head = {
                        let mut db = self.state.db.reads().acquire().await?;
                        store::chats::get(&mut db, chat_id).await?.map_or(0, |c| c.last_seq)
                    };
                    self.catch_up_chat(socket, chat_id, head).await?;
                }
            }
            UserEvent::ChatRemoved { chat_id } => self.leave(chat_id),
        }
        Ok(())
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
        }
        Ok(true)
    }

    /// Replays what the client missed: its personal events first (chats added and
    /// removed), then each chat it names from its position; `resync` where the log
    /// no longer reaches back that far; then `ready`.
    async fn resume(
        &mut self,
        socket: &mut WebSocket,
        user_seq: i64,
        positions: Vec<ChatPosition>,
    ) -> anyhow::Result<bool> {
        let head = {
            let mut db = self.state.db.reads().acquire().await?;
            store::events::user_seq(&mut db, self.actor.user_id).await?
        };
        if user_seq > head {
            close(socket, CLOSE_RESYNC, "unknown position").await;
            return Ok(false);
        }
        // The client's own positions first, so replaying its personal stream does not
        // start a chat it already knows over again.
        let mut resumed = Vec::new();
        for ChatPosition { chat_id: chat, seq: position } in positions {
            if !self.chats.contains_key(&chat) {
                continue;
            }
            let (head, oldest) = {
                let mut db = self.state.db.reads().acquire().await?;
                let head = store::chats::get(&mut db, chat).await?.map_or(0, |c| c.last_seq);
                (head, store::events::oldest_chat_event(&mut db, chat).await?)
            };
            if position > head || oldest.is_some_and(|oldest| position + 1 < oldest) {
                self.fresh.remove(&chat);
                self.send(socket, &frame_text(&ServerFrame::Resync { chat_id: chat })).await?;
                continue;
            }
            self.chats.insert(chat, position);
            self.fresh.remove(&chat);
            resumed.push(chat);
        }
        self.user_seq = user_seq;
        self.catch_up_user(socket, head).await?;
        for chat in resumed {
            let head = {
                let mut db = self.state.db.reads().acquire().await?;
                store::chats::get(&mut db, chat).await?.map_or(0, |c| c.last_seq)
            };
            self.catch_up_chat(socket, chat, head).await?;
        }
        self.send(socket, &frame_text(&ServerFrame::Ready)).await?;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::{RELAY_MIN_AGE_MS, RELAY_OVERLAP_MS, RELAY_WINDOW_MS, relay_window};

    #[test]
    fn the_relay_reads_on_from_its_last_look() {
        let now = 1_000_000;
        // The first look reads the whole window.
        assert_eq!(relay_window(None, now), (now - RELAY_WINDOW_MS, now - RELAY_MIN_AGE_MS));
        // A look a second later starts where the last ended, less the overlap.
        let last = now - RELAY_MIN_AGE_MS;
        assert_eq!(relay_window(Some(last), now + 1_000), (last - RELAY_OVERLAP_MS, now + 1_000 - RELAY_MIN_AGE_MS));
        // After a long pause (failing looks), never more than the window.
        let later = now + 10 * RELAY_WINDOW_MS;
        assert_eq!(relay_window(Some(last), later).0, later - RELAY_WINDOW_MS);
    }
}
