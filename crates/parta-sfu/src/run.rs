//! The unit's thread: one socket, every peer, one loop.

use std::collections::{HashMap, VecDeque};
use std::io::ErrorKind;
use std::net::{SocketAddr, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::sync::mpsc::{Receiver, TryRecvError};
use std::time::{Duration, Instant};

use str0m::Input;
use str0m::media::MediaKind;
use str0m::net::{Protocol, Receive};

use crate::io::Outbox;
use crate::peer::{Peer, Polled, Propagated};
use crate::voices::Voices;
use crate::{Command, Counters, PeerId, RoomId, SfuEvent};

/// The longest the loop sleeps when nothing is due.
const IDLE: Duration = Duration::from_millis(100);
/// How often each room's loudest voice is judged.
const SPEAKER_EVERY: Duration = Duration::from_millis(400);
/// Quieter than this (dBov, smoothed) is nobody speaking.
const SPEAKING_ABOVE: f32 = -50.0;

pub(crate) fn run(
    socket: UdpSocket,
    commands: Receiver<Command>,
    events: Box<dyn Fn(SfuEvent) + Send>,
    counters: Arc<Counters>,
) {
    let Ok(local) = socket.local_addr() else { return };
    let mut unit = Unit {
        peers: Vec::new(),
        by_source: HashMap::new(),
        queue: VecDeque::new(),
        outbox: Outbox::default(),
        socket,
        events,
        counters,
        speakers: HashMap::new(),
        voices: HashMap::new(),
    };
    let mut buf = vec![0u8; 2000];
    let mut next_speakers = Instant::now() + SPEAKER_EVERY;
    // The socket's read timeout as last set: a system call only when it changes.
    let mut read_timeout = None;
    loop {
        let mut touched = Vec::new();
        loop {
            match commands.try_recv() {
                Ok(Command::Stop) | Err(TryRecvError::Disconnected) => return,
                Ok(command) => touched.extend(unit.command(command)),
                Err(TryRecvError::Empty) => break,
            }
        }
        if !touched.is_empty() {
            // Only the peers a command concerns may have something to say now (an
            // offer, a keyframe request): a flood of commands costs no pass over the rest.
            touched.sort_unstable();
            touched.dedup();
            for id in touched {
                if let Some(index) = unit.peers.iter().position(|p| p.id == id) {
                    unit.drain(index);
                }
            }
            unit.propagate_all();
        }
        unit.sweep();

        // Only peers whose timers are due are driven; the rest wait for their turn.
        let now = Instant::now();
        for index in 0..unit.peers.len() {
            if unit.peers[index].due <= now {
                unit.peers[index].handle_input(Input::Timeout(now));
                unit.drain(index);
            }
        }
        unit.propagate_all();
        if Instant::now() >= next_speakers {
            unit.judge_speakers();
            next_speakers = Instant::now() + SPEAKER_EVERY;
        }

        let now = Instant::now();
        let next = unit.peers.iter().map(|p| p.due).min().unwrap_or(now + IDLE).min(now + IDLE);
        // Whole milliseconds: a busy unit waits 1 ms at most and sets it once.
        let wait = Duration::from_millis(next.saturating_duration_since(now).as_millis().clamp(1, 100) as u64);
        if read_timeout != Some(wait) {
            let _ = unit.socket.set_read_timeout(Some(wait));
            read_timeout = Some(wait);
        }
        unit.outbox.flush(&unit.socket);
        match unit.socket.recv_from(&mut buf) {
            Ok((0, _)) => {} // the waker: a command is waiting
            Ok((n, source)) => {
                if let Ok(contents) = buf[..n].try_into() {
                    let input = Input::Receive(
                        Instant::now(),
                        Receive { proto: Protocol::Udp, source, destination: local, contents },
                    );
                    if let Some(index) = unit.peer_for(source, &input) {
                        unit.peers[index].handle_input(input);
                        unit.drain(index);
                        unit.propagate_all();
                        unit.outbox.flush(&unit.socket);
                    }
                }
            }
            Err(error) if matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            // An ICMP "unreachable" from a client gone away surfaces here on Linux.
            Err(error) if error.kind() == ErrorKind::ConnectionRefused => {}
            Err(error) => tracing::warn!(%error, "media socket read failed"),
        }
    }
}

struct Unit {
    peers: Vec<Peer>,
    /// Which peer a client's address belongs to, learnt from the datagrams it accepted.
    by_source: HashMap<SocketAddr, PeerId>,
    /// What peers' output asks of the others, by the peer it came from (not its
    /// place in `peers`, which a sweep changes).
    queue: VecDeque<(PeerId, Propagated)>,
    /// Datagrams made in this pass, sent at its end.
    outbox: Outbox,
    socket: UdpSocket,
    events: Box<dyn Fn(SfuEvent) + Send>,
    counters: Arc<Counters>,
    /// The loudest voice last told, per room.
    speakers: HashMap<RoomId, PeerId>,
    /// The voices each room hears.
    voices: HashMap<RoomId, Voices>,
}

impl Unit {
    /// Carries out a command; returns the peers it gave something to say.
    fn command(&mut self, command: Command) -> Vec<PeerId> {
        match command {
            Command::Add(peer) => {
                let mut peer = *peer;
                let room = peer.room;
                // Whatever the room already sends, the newcomer is to receive.
                for other in self.peers.iter().filter(|p| p.room == room && p.rtc.is_alive()) {
                    for track in &other.tracks_in {
                        peer.add_track_out(other.id, track.mid, track.kind, track.rids.clone());
                    }
                }
                let id = peer.id;
                self.peers.push(peer);
                self.counters.peers.store(self.peers.len() as u64, Ordering::Relaxed);
                vec![id]
            }
            Command::Remove(id) => {
                if let Some(peer) = self.peers.iter_mut().find(|p| p.id == id) {
                    peer.rtc.disconnect();
                }
                Vec::new()
            }
            Command::EndRoom(room) => {
                for peer in self.peers.iter_mut().filter(|p| p.room == room) {
                    peer.rtc.disconnect();
                }
                Vec::new()
            }
            Command::Signal(id, signal) => {
                let Some(peer) = self.peers.iter_mut().find(|p| p.id == id) else { return Vec::new() };
                if let Some(reply) = peer.on_signal(signal) {
                    (self.events)(SfuEvent::Signal { peer: id, signal: reply });
                }
                vec![id]
            }
            Command::Block { peer, kind, blocked } => {
                if let Some(peer) = self.peers.iter_mut().find(|p| p.id == peer) {
                    match kind {
                        MediaKind::Audio => peer.blocked_audio = blocked,
                        MediaKind::Video => peer.blocked_video = blocked,
                    }
                }
                Vec::new()
            }
            Command::MaySend { peer, may_send } => {
                let Some(index) = self.peers.iter().position(|p| p.id == peer) else { return Vec::new() };
                let room = self.peers[index].room;
                let opened = self.peers[index].set_may_send(may_send);
                let mut touched = vec![peer];
                for other in self.peers.iter_mut().filter(|p| p.room == room && p.id != peer) {
                    if may_send {
                        for (mid, kind, rids) in &opened {
                            other.add_track_out(peer, *mid, *kind, rids.clone());
                        }
                    } else {
                        other.drop_tracks_of(peer);
                    }
                    touched.push(other.id);
                }
                if may_send && let Some((mid, _, rids)) = opened.iter().find(|(_, k, _)| *k == MediaKind::Video) {
                    // Its first frames reach the others as a keyframe.
                    let rid = crate::layers::pick(rids, crate::Layer::High);
                    self.peers[index].request_keyframe(*mid, rid, str0m::media::KeyframeRequestKind::Pli);
                }
                touched
            }
            Command::View { viewer, origin, layer } => {
                let Some(viewer) = self.peers.iter_mut().find(|p| p.id == viewer) else { return Vec::new() };
                let room = viewer.room;
                let fresh = viewer.view(origin, layer);
                if fresh.is_empty() {
                    return Vec::new();
                }
                // The newly chosen layer starts at a keyframe.
                if let Some(origin) = self.peers.iter_mut().find(|p| p.id == origin && p.room == room) {
                    for (mid, rid) in fresh {
                        origin.request_keyframe(mid, rid, str0m::media::KeyframeRequestKind::Pli);
                    }
                    return vec![origin.id];
                }
                Vec::new()
            }
            Command::Stop => Vec::new(),
        }
    }

    /// Drops peers whose connection ended, and their tracks from everyone else.
    fn sweep(&mut self) {
        if self.peers.iter().all(|p| p.rtc.is_alive()) {
            return;
        }
        let (gone, alive): (Vec<Peer>, Vec<Peer>) =
            std::mem::take(&mut self.peers).into_iter().partition(|p| !p.rtc.is_alive());
        self.peers = alive;
        self.by_source.retain(|_, id| !gone.iter().any(|p| p.id == *id));
        let mut touched = Vec::new();
        for peer in gone {
            for (index, other) in self.peers.iter_mut().enumerate() {
                if other.room == peer.room {
                    other.drop_tracks_of(peer.id);
                    touched.push(index);
                }
            }
            if self.speakers.get(&peer.room) == Some(&peer.id) {
                self.speakers.remove(&peer.room);
            }
            if self.peers.iter().any(|p| p.room == peer.room) {
                self.voices.entry(peer.room).or_default().forget(peer.id);
            } else {
                self.voices.remove(&peer.room);
            }
            (self.events)(SfuEvent::Gone { peer: peer.id });
        }
        self.counters.peers.store(self.peers.len() as u64, Ordering::Relaxed);
        // Those who received the gone ones' tracks offer to stop them now.
        touched.sort_unstable();
        touched.dedup();
        for index in touched {
            self.drain(index);
        }
        self.propagate_all();
    }

    /// The peer a datagram is for: by its source address once known, else the one
    /// whose ICE credentials it carries (a new client's first binding request).
    fn peer_for(&mut self, source: SocketAddr, input: &Input) -> Option<usize> {
        if let Some(id) = self.by_source.get(&source)
            && let Some(index) = self.peers.iter().position(|p| p.id == *id)
            && self.peers[index].rtc.accepts(input)
        {
            return Some(index);
        }
        let index = self.peers.iter().position(|p| p.rtc.accepts(input))?;
        self.by_source.insert(source, self.peers[index].id);
        Some(index)
    }

    /// Takes everything a peer has to say until it waits for time to pass: sends its
    /// datagrams, queues what the others are to get, and notes when it is due again.
    fn drain(&mut self, index: usize) {
        loop {
            let peer = &mut self.peers[index];
            match peer.poll() {
                Polled::Timeout(at) => {
                    peer.due = at;
                    return;
                }
                Polled::Transmit(to, bytes) => self.outbox.push(&self.socket, to, bytes),
                Polled::Propagate(propagated) => {
                    if matches!(propagated, Propagated::Media { .. }) {
                        self.counters.frames_in.fetch_add(1, Ordering::Relaxed);
                    }
                    self.queue.push_back((peer.id, propagated));
                }
                Polled::Connected => (self.events)(SfuEvent::Connected { peer: peer.id }),
                Polled::Signal(signal) => (self.events)(SfuEvent::Signal { peer: peer.id, signal }),
                Polled::Nothing => {}
            }
        }
    }

    /// Hands queued output to the peers it concerns, and drains those peers at once so
    /// a forwarded frame leaves without waiting for the next turn.
    fn propagate_all(&mut self) {
        while let Some((origin, propagated)) = self.queue.pop_front() {
            // Its peer may have gone meanwhile: then what it asked goes nowhere.
            let Some(origin) = self.peers.iter().position(|p| p.id == origin) else { continue };
            for index in self.propagate(origin, propagated) {
                self.drain(index);
            }
        }
    }

    /// Applies one peer's output to the others of its room; returns the indices of
    /// the peers that now have something to send.
    fn propagate(&mut self, origin_index: usize, propagated: Propagated) -> Vec<usize> {
        let room = self.peers[origin_index].room;
        let mut touched = Vec::new();
        match propagated {
            Propagated::TrackOpen { origin, mid, kind, rids } => {
                for (index, peer) in self.peers.iter_mut().enumerate() {
                    if peer.room == room && peer.id != origin {
                        peer.add_track_out(origin, mid, kind, rids.clone());
                        touched.push(index);
                    }
                }
            }
            Propagated::Media { origin, kind, data } => {
                if kind == MediaKind::Audio {
                    let level = self.peers[origin_index].level;
                    if !self.voices.entry(room).or_default().admit(origin, level, Instant::now()) {
                        return touched;
                    }
                }
                let mut keyframes = Vec::new();
                for (index, peer) in self.peers.iter_mut().enumerate() {
                    if peer.room != room || peer.id == origin {
                        continue;
                    }
                    let forwarded = peer.forward(origin, &data);
                    if forwarded.written {
                        touched.push(index);
                    }
                    keyframes.extend(forwarded.keyframe);
                }
                self.counters.frames_out.fetch_add(touched.len() as u64, Ordering::Relaxed);
                // A receiver's layer changed (its sender paused or resumed one): it starts at a keyframe.
                if !keyframes.is_empty() {
                    for (mid, rid) in keyframes {
                        self.peers[origin_index].request_keyframe(mid, rid, str0m::media::KeyframeRequestKind::Pli);
                    }
                    touched.push(origin_index);
                }
            }
            Propagated::Keyframe { origin, mid, rid, kind } => {
                if let Some(index) = self.peers.iter().position(|p| p.id == origin && p.room == room) {
                    self.peers[index].request_keyframe(mid, rid, kind);
                    touched.push(index);
                }
            }
        }
        touched
    }

    /// Tells each room whose voice is now the loudest, when that changed.
    fn judge_speakers(&mut self) {
        let mut loudest: HashMap<RoomId, (PeerId, f32)> = HashMap::new();
        for peer in self.peers.iter().filter(|p| p.level > SPEAKING_ABOVE && !p.blocked_audio) {
            let entry = loudest.entry(peer.room).or_insert((peer.id, peer.level));
            if peer.level > entry.1 {
                *entry = (peer.id, peer.level);
            }
        }
        for (room, (peer, _)) in loudest {
            if self.speakers.insert(room, peer) != Some(peer) {
                (self.events)(SfuEvent::Speaking { room, peer });
            }
        }
    }
}
