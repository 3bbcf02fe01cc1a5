//! Calls on this node: the media unit (`parta-sfu`, started at the first join) and
//! who is in which call now, each device as a peer bound to its WebSocket
//! connection. A peer lives no longer than its connection: the socket closing, its
//! session ending or its person leaving the chat ends the peer's media at once.
//! What is stored (calls, presence) and who may do what is `actions::calls`.

use std::collections::{BTreeSet, HashMap};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

use parta_domain::{CallId, ChatId, SessionId, UserId};
use parta_protocol::{CallParticipant, IceServer, IceTransportPolicy, PersonRef};
use parta_sfu::{Sfu, SfuConfig, SfuEvent};
use tokio::sync::mpsc;

/// Where the media unit listens and what clients are told.
#[derive(Debug, Clone)]
pub struct CallSettings {
    /// The UDP address of the media unit (port 0: any free port).
    pub udp: SocketAddr,
    /// Addresses clients send media to; empty: the bound one (not a wildcard).
    pub public: Vec<SocketAddr>,
    /// This node's name: a call runs on the node that started it.
    pub node: String,
    /// A TURN relay for networks that block UDP (coturn with `--use-auth-secret`).
    pub turn: Option<Turn>,
}

/// A TURN relay sharing a secret with this server: each joiner gets a credential of
/// its own that expires (the TURN REST API scheme coturn implements).
#[derive(Debug, Clone)]
pub struct Turn {
    /// `turn:host:3478?transport=udp`, `turn:host:3478?transport=tcp`, `turns:…`.
    pub urls: Vec<String>,
    pub secret: String,
    /// All media goes through the relay: browsers are told to use no other path
    /// (the unit sits on an internal network, or pupils' devices send no direct UDP).
    pub only: bool,
}

/// How long a TURN credential is valid: longer than any lesson or meeting.
const TURN_CREDENTIAL_S: i64 = 12 * 3600;

impl CallSettings {
    /// The ICE servers a person's browser is given as it joins at `now_s`.
    pub fn ice_servers_for(&self, user: UserId, now_s: i64) -> Vec<IceServer> {
        let Some(turn) = &self.turn else { return Vec::new() };
        let (username, credential) = turn_credential(&turn.secret, user, now_s + TURN_CREDENTIAL_S);
        vec![IceServer { urls: turn.urls.clone(), username: Some(username), credential: Some(credential) }]
    }

    /// Whether browsers may reach the unit directly or only through the relay.
    pub fn ice_transport_policy(&self) -> IceTransportPolicy {
        match &self.turn {
            Some(turn) if turn.only => IceTransportPolicy::Relay,
            _ => IceTransportPolicy::All,
        }
    }
}

/// `<expiry>:<user>` and base64(HMAC-SHA1(secret, username)).
fn turn_credential(secret: &str, user: UserId, expires_s: i64) -> (String, String) {
    use base64::Engine;
    use hmac::{KeyInit, Mac};
    let username = format!("{expires_s}:{}", user.0);
    let mut mac = hmac::Hmac::<sha1::Sha1>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(username.as_bytes());
    let credential = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    (username, credential)
}

impl Default for CallSettings {
    fn default() -> CallSettings {
        CallSettings {
            udp: SocketAddr::from(([127, 0, 0, 1], 0)),
            public: Vec::new(),
            node: "local".into(),
            turn: None,
        }
    }
}

/// A WebSocket connection, on this node or another (a device joined through another
/// node of a cluster is answered through the bus).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnRef {
    pub node: Arc<str>,
    pub id: u64,
}

/// One device in a call.
#[derive(Debug, Clone)]
pub struct LivePeer {
    pub peer: u64,
    pub call: CallId,
    pub chat: ChatId,
    pub user: UserId,
    /// The session it signs in with: ending the session ends its media.
    pub session: SessionId,
    /// The WebSocket connection that signals for it.
    pub conn: ConnRef,
    pub person: PersonRef,
    pub audio: bool,
    pub video: bool,
    pub hand_raised: bool,
    /// May send media (everyone but a broadcast's viewers).
    pub on_stage: bool,
    /// Leads the call: told who waits to be admitted.
    pub leads: bool,
    /// The `call_presence` row of this stay.
    pub presence: i64,
}

impl LivePeer {
    pub fn participant(&self) -> CallParticipant {
        CallParticipant {
            peer_id: self.peer as i64,
            person: self.person.clone(),
            audio: self.audio,
            video: self.video,
            hand_raised: self.hand_raised,
            on_stage: self.on_stage,
        }
    }
}

/// A device in a call's waiting room.
#[derive(Debug, Clone)]
pub struct Waiting {
    pub conn: ConnRef,
    pub person: PersonRef,
}

#[derive(Default)]
struct Live {
    peers: HashMap<u64, LivePeer>,
    by_call: HashMap<CallId, BTreeSet<u64>>,
    /// Calls of this node with nobody in them, since when.
    empty_since: HashMap<CallId, Instant>,
    waiting: HashMap<CallId, Vec<Waiting>>,
    /// People a leader admitted past the waiting room, per call.
    admitted: HashMap<CallId, BTreeSet<UserId>>,
}

pub struct Calls {
    pub settings: CallSettings,
    sfu: OnceLock<Result<Sfu, String>>,
    live: Mutex<Live>,
    next_peer: AtomicU64,
    events: mpsc::UnboundedSender<SfuEvent>,
}

impl Calls {
    /// The registry, and the receiver of the media unit's events that the node follows.
    pub fn new(settings: CallSettings) -> (Calls, mpsc::UnboundedReceiver<SfuEvent>) {
        let (events, receiver) = mpsc::unbounded_channel();
        // Peer numbers differ between runs, so a client's stale frames never reach a newcomer.
        let first = (crate::clock::now_ms() as u64 % 1_000_000) * 1000;
        let calls =
            Calls { settings, sfu: OnceLock::new(), live: Mutex::default(), next_peer: AtomicU64::new(first), events };
        (calls, receiver)
    }

    fn live(&self) -> std::sync::MutexGuard<'_, Live> {
        self.live.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The media unit, started at the first call of the node; an error when its
    /// socket cannot be bound (then calls are off, and say why).
    pub fn sfu(&self) -> Result<&Sfu, &str> {
        self.sfu
            .get_or_init(|| {
                let events = self.events.clone();
                let config = SfuConfig { bind: self.settings.udp, public: self.settings.public.clone() };
                Sfu::start(config, move |event| {
                    let _ = events.send(event);
                })
                .inspect(|sfu| tracing::info!(address = %sfu.local_addr(), "media unit listening"))
                .map_err(|error| {
                    tracing::error!(%error, udp = %self.settings.udp, "media unit cannot start: calls are off");
                    error.to_string()
                })
            })
            .as_ref()
            .map_err(String::as_str)
    }

    /// The media unit if it runs.
    pub fn running_sfu(&self) -> Option<&Sfu> {
        self.sfu.get().and_then(|r| r.as_ref().ok())
    }

    pub fn next_peer(&self) -> u64 {
        self.next_peer.fetch_add(1, Ordering::Relaxed)
    }

    pub fn add(&self, peer: LivePeer) {
        let mut live = self.live();
        live.by_call.entry(peer.call).or_default().insert(peer.peer);
        live.empty_since.remove(&peer.call);
        live.peers.insert(peer.peer, peer);
    }

    pub fn peer(&self, peer: u64) -> Option<LivePeer> {
        self.live().peers.get(&peer).cloned()
    }

    /// Takes out the peers `which` selects; their calls may become empty.
    pub fn take(&self, which: impl Fn(&LivePeer) -> bool) -> Vec<LivePeer> {
        let mut live = self.live();
        let ids: Vec<u64> = live.peers.values().filter(|p| which(p)).map(|p| p.peer).collect();
        let mut taken = Vec::with_capacity(ids.len());
        for id in ids {
            let Some(peer) = live.peers.remove(&id) else { continue };
            if let Some(set) = live.by_call.get_mut(&peer.call) {
                set.remove(&id);
                if set.is_empty() {
                    live.by_call.remove(&peer.call);
                    live.empty_since.insert(peer.call, Instant::now());
                }
            }
            taken.push(peer);
        }
        taken
    }

    /// Changes one peer's switches; false when it is gone.
    pub fn update(&self, peer: u64, change: impl FnOnce(&mut LivePeer)) -> bool {
        self.live().peers.get_mut(&peer).map(change).is_some()
    }

    /// Everyone in a call now, in the order they joined.
    pub fn in_call(&self, call: CallId) -> Vec<LivePeer> {
        let live = self.live();
        live.by_call
            .get(&call)
            .map(|set| set.iter().filter_map(|id| live.peers.get(id).cloned()).collect())
            .unwrap_or_default()
    }

    /// A call was started here: empty until someone joins.
    pub fn started(&self, call: CallId) {
        self.live().empty_since.insert(call, Instant::now());
    }

    /// Forgets a call that ended; returns who still waited to be let in.
    pub fn forget(&self, call: CallId) -> Vec<Waiting> {
        let mut live = self.live();
        live.empty_since.remove(&call);
        live.admitted.remove(&call);
        live.waiting.remove(&call).unwrap_or_default()
    }

    /// A device waits to be admitted; false when it waits already.
    pub fn wait(&self, call: CallId, waiting: Waiting) -> bool {
        let mut live = self.live();
        let room = live.waiting.entry(call).or_default();
        if room.iter().any(|w| w.conn == waiting.conn) {
            return false;
        }
        room.push(waiting);
        true
    }

    /// Who waits to be admitted to a call.
    pub fn waiting(&self, call: CallId) -> Vec<Waiting> {
        self.live().waiting.get(&call).cloned().unwrap_or_default()
    }

    /// Takes devices out of waiting rooms: `which` selects by call and device.
    pub fn stop_waiting(&self, which: impl Fn(CallId, &Waiting) -> bool) -> Vec<(CallId, Waiting)> {
        let mut live = self.live();
        let mut taken = Vec::new();
        for (call, room) in live.waiting.iter_mut() {
            room.retain(|w| {
                let out = which(*call, w);
                if out {
                    taken.push((*call, w.clone()));
                }
                !out
            });
        }
        live.waiting.retain(|_, room| !room.is_empty());
        taken
    }

    /// A leader admits someone: their devices stop waiting.
    pub fn admit(&self, call: CallId, user: UserId) -> Vec<Waiting> {
        self.live().admitted.entry(call).or_default().insert(user);
        self.stop_waiting(|c, w| c == call && w.person.id == user).into_iter().map(|(_, w)| w).collect()
    }

    pub fn is_admitted(&self, call: CallId, user: UserId) -> bool {
        self.live().admitted.get(&call).is_some_and(|set| set.contains(&user))
    }

    /// Calls of this node empty for longer than `idle`.
    pub fn idle_calls(&self, idle: std::time::Duration) -> Vec<CallId> {
        self.live().empty_since.iter().filter(|(_, since)| since.elapsed() >= idle).map(|(call, _)| *call).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_turn_credential_is_the_hmac_of_its_expiry_and_user() {
        // Computed independently: base64(HMAC-SHA1("turn-secret", "1767225600:42")).
        let (username, credential) = turn_credential("turn-secret", UserId(42), 1_767_225_600);
        assert_eq!((username.as_str(), credential.as_str()), ("1767225600:42", "cVQy85c5HY1bRk0ZMbTuw8I8dOA="));
        let settings = CallSettings {
            turn: Some(Turn { urls: vec!["turn:turn.school.test:3478".into()], secret: "s".into(), only: false }),
            ..CallSettings::default()
        };
        let servers = settings.ice_servers_for(UserId(7), 1000);
        assert_eq!(servers[0].username.as_deref(), Some("44200:7"));
        assert_eq!(settings.ice_transport_policy(), IceTransportPolicy::All);
        assert!(CallSettings::default().ice_servers_for(UserId(7), 1000).is_empty());
        assert_eq!(CallSettings::default().ice_transport_policy(), IceTransportPolicy::All);
        let only = CallSettings { turn: settings.turn.map(|t| Turn { only: true, ..t }), ..CallSettings::default() };
        assert_eq!(only.ice_transport_policy(), IceTransportPolicy::Relay);
    }
}
