//! Calls' media: a selective forwarding unit (SFU) on one UDP port, inside the
//! `parta` process. Each participant is one WebRTC peer connection (str0m, sans-IO)
//! to this unit; what one participant sends is forwarded, undecoded, to the others
//! of the same room. The server signals through this API (offer/answer text) and
//! decides who may be in which room; this crate knows no people, chats or
//! databases — a room and a peer are numbers the server gives.
//!
//! One thread owns the socket and every peer: it reads a datagram, hands it to the
//! peer whose ICE credentials it carries, forwards what that peer produced, and
//! drives the peers' timers. Commands (a peer added, removed, muted) reach it over a
//! channel and wake it with an empty datagram.

#[cfg(feature = "client")]
pub mod client;
mod io;
mod layers;
mod peer;
mod run;
mod voices;

/// Voices a room hears at once: the loudest, each forwarded to all the others.
pub const HEARD_VOICES: usize = voices::HEARD;

use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::AtomicU64;
use std::sync::mpsc;
use std::sync::{Arc, Once};
use std::time::Instant;

use str0m::change::SdpOffer;
use str0m::{Candidate, Rtc};

pub use str0m::media::MediaKind;

/// A call, as the server numbers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RoomId(pub u64);

/// One participant's connection in a call, as the server numbers it. Its tracks
/// reach the others under the stream id `p<peer>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PeerId(pub u64);

impl PeerId {
    /// The stream id (`a=msid`) under which this peer's tracks reach the others.
    pub fn stream_id(self) -> String {
        format!("p{}", self.0)
    }
}

/// Session description text exchanged with a peer after it joined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signal {
    Offer(String),
    Answer(String),
}

/// What the unit tells the server; called on the unit's thread, so it must not block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SfuEvent {
    /// Send this to the peer's client (a renegotiation offer, or the answer to one).
    Signal { peer: PeerId, signal: Signal },
    /// The peer's media path is up.
    Connected { peer: PeerId },
    /// The peer's connection failed or timed out; it is gone from its room.
    Gone { peer: PeerId },
    /// The loudest voice in a room changed.
    Speaking { room: RoomId, peer: PeerId },
}

/// Which of a sender's video layers a receiver is sent: a large tile the top layer, a
/// small one the lowest, a tile not shown none (the sender's audio always).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Layer {
    #[default]
    High,
    Low,
    Off,
}

/// How a peer takes part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JoinOptions {
    /// False for a viewer of a broadcast: whatever it sends is dropped.
    pub may_send: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum SfuError {
    #[error("the offer is not valid SDP: {0}")]
    BadOffer(String),
    #[error("the offer cannot be accepted: {0}")]
    Rejected(String),
    #[error("the media unit has stopped")]
    Stopped,
}

/// Where the unit listens and what it tells clients to reach.
#[derive(Debug, Clone)]
pub struct SfuConfig {
    /// The UDP address to bind (port 0: any free port).
    pub bind: SocketAddr,
    /// Addresses clients are told to send to (host candidates); empty: the bound
    /// address, which must then not be a wildcard.
    pub public: Vec<SocketAddr>,
}

/// Counters of the unit's work, read without stopping it.
#[derive(Debug, Default)]
pub struct Counters {
    /// Media frames received from peers.
    pub frames_in: AtomicU64,
    /// Media frames written to peers.
    pub frames_out: AtomicU64,
    /// Peers in all rooms.
    pub peers: AtomicU64,
}

enum Command {
    Add(Box<peer::Peer>),
    Remove(PeerId),
    EndRoom(RoomId),
    Signal(PeerId, Signal),
    Block { peer: PeerId, kind: MediaKind, blocked: bool },
    MaySend { peer: PeerId, may_send: bool },
    View { viewer: PeerId, origin: PeerId, layer: Layer },
    Stop,
}

/// The handle to a running unit. Cheap to clone; the unit stops when `stop` is
/// called or every handle is dropped.
#[derive(Clone)]
pub struct Sfu {
    inner: Arc<Inner>,
}

struct Inner {
    commands: mpsc::Sender<Command>,
    waker: UdpSocket,
    local: SocketAddr,
    candidates: Vec<SocketAddr>,
    counters: Arc<Counters>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        let _ = self.commands.send(Command::Stop);
        let _ = self.waker.send_to(&[], self.local);
    }
}

static CRYPTO: Once = Once::new();

/// The media socket's receive queue asked of the kernel: about 4 s of a 300-viewer
/// broadcast's feedback and a presenter's video.
const RECEIVE_BUFFER: usize = 8 * 1024 * 1024;

/// str0m's crypto provider, installed once per process.
fn install_crypto() {
    CRYPTO.call_once(|| str0m::crypto::from_feature_flags().install_process_default());
}

impl Sfu {
    /// Binds the socket and starts the unit's thread. `events` is called on that thread.
    pub fn start(config: SfuConfig, events: impl Fn(SfuEvent) + Send + 'static) -> std::io::Result<Sfu> {
        install_crypto();
        let socket = UdpSocket::bind(config.bind)?;
        // A deep receive queue rides out the moments the unit's thread waits for a
        // core; the kernel caps it at net.core.rmem_max (see the README).
        let _ = socket2::SockRef::from(&socket).set_recv_buffer_size(RECEIVE_BUFFER);
        let local = socket.local_addr()?;
        let candidates = if config.public.is_empty() {
            if local.ip().is_unspecified() {
                return Err(std::io::Error::other("a wildcard bind address needs a public address for clients"));
            }
            vec![local]
        } else {
            // A public address without a port takes the bound one.
            config
                .public
                .iter()
                .map(|a| SocketAddr::new(a.ip(), if a.port() == 0 { local.port() } else { a.port() }))
                .collect()
        };
        // The waker reaches the socket on loopback even when it is bound to a wildcard.
        let wake_to = if local.ip().is_unspecified() {
            SocketAddr::new(
                if local.is_ipv4() { [127, 0, 0, 1].into() } else { std::net::Ipv6Addr::LOCALHOST.into() },
                local.port(),
            )
        } else {
            local
        };
        let waker = UdpSocket::bind(SocketAddr::new(wake_to.ip(), 0))?;
        let (commands, receiver) = mpsc::channel();
        let counters = Arc::new(Counters::default());
        let loop_counters = counters.clone();
        std::thread::Builder::new()
            .name("parta-sfu".into())
            .spawn(move || run::run(socket, receiver, Box::new(events), loop_counters))?;
        Ok(Sfu { inner: Arc::new(Inner { commands, waker, local: wake_to, candidates, counters }) })
    }

    /// The address the socket is bound to.
    pub fn local_addr(&self) -> SocketAddr {
        self.inner.local
    }

    /// Adds `peer` to `room` from its first offer; returns the answer to send it.
    /// The peer then receives the room's tracks through renegotiation offers
    /// (`SfuEvent::Signal`).
    pub fn join(&self, room: RoomId, peer: PeerId, offer: &str, options: JoinOptions) -> Result<String, SfuError> {
        let offer = SdpOffer::from_sdp_string(offer).map_err(|e| SfuError::BadOffer(e.to_string()))?;
        let mut rtc = Rtc::builder().set_ice_lite(true).build(Instant::now());
        for address in &self.inner.candidates {
            let candidate = Candidate::host(*address, "udp").map_err(|e| SfuError::Rejected(e.to_string()))?;
            rtc.add_local_candidate(candidate);
        }
        let answer = rtc.sdp_api().accept_offer(offer).map_err(|e| SfuError::Rejected(e.to_string()))?;
        self.command(Command::Add(Box::new(peer::Peer::new(room, peer, rtc, options))))?;
        Ok(answer.to_sdp_string())
    }

    /// Passes on a peer's answer to a renegotiation offer, or a new offer of its own
    /// (a screen shared, a camera turned on); an offer is answered by a `Signal` event.
    pub fn signal(&self, peer: PeerId, signal: Signal) -> Result<(), SfuError> {
        self.command(Command::Signal(peer, signal))
    }

    /// Ends a peer's media at once; the others stop receiving its tracks.
    pub fn remove(&self, peer: PeerId) -> Result<(), SfuError> {
        self.command(Command::Remove(peer))
    }

    /// Ends every peer of a room.
    pub fn end_room(&self, room: RoomId) -> Result<(), SfuError> {
        self.command(Command::EndRoom(room))
    }

    /// Stops (or resumes) forwarding a peer's audio or video to the others: the
    /// host's mute, which holds whatever the peer's own client does.
    pub fn block(&self, peer: PeerId, kind: MediaKind, blocked: bool) -> Result<(), SfuError> {
        self.command(Command::Block { peer, kind, blocked })
    }

    /// Brings a peer on stage (its tracks reach the others) or takes it off: a
    /// broadcast's viewer who may speak, and back.
    pub fn set_may_send(&self, peer: PeerId, may_send: bool) -> Result<(), SfuError> {
        self.command(Command::MaySend { peer, may_send })
    }

    /// Which layer of `origin`'s video `viewer` is sent (forward only what is shown).
    pub fn view(&self, viewer: PeerId, origin: PeerId, layer: Layer) -> Result<(), SfuError> {
        self.command(Command::View { viewer, origin, layer })
    }

    pub fn counters(&self) -> &Counters {
        &self.inner.counters
    }

    fn command(&self, command: Command) -> Result<(), SfuError> {
        self.inner.commands.send(command).map_err(|_| SfuError::Stopped)?;
        // Any datagram wakes the unit's read; an empty one carries nothing else.
        let _ = self.inner.waker.send_to(&[], self.inner.local);
        Ok(())
    }
}
