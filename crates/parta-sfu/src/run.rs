//! The unit's thread: one socket, every peer, one loop.

use std::collections::{HashMap, VecDeque};
use std::io::ErrorKind;
use std::net::UdpSocket;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::sync::mpsc::{Receiver, TryRecvError};
use std::time::{Duration, Instant};

use str0m::Input;
use str0m::media::MediaKind;
use str0m::net::{Protocol, Receive};

use crate::peer::{Peer, Polled, Propagated};
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
    let mut unit = Unit { peers: Vec::new(), events, counters, speakers: HashMap::new() };
    let mut buf = vec![0u8; 2000];
    let mut queue = VecDeque::new();
    let mut next_speakers = Instant::now() + SPEAKER_EVERY;
    loop {
        loop {
            match commands.try_recv() {
                Ok(Command::Stop) | Err(TryRecvError::Disconnected) => return,
                Ok(command) => unit.command(command),
                Err(TryRecvError::Empty) => break,
            }
        }
        unit.sweep();

        let mut timeout = Instant::now() + IDLE;
        for index in 0..unit.peers.len() {
            let at = unit.poll_peer(index, &socket, &mut queue);
            timeout = timeout.min(at);
        }
        if let Some((origin_index, propagated)) = queue.pop_front() {
            unit.propagate(origin_index, propagated);
            continue;
        }
        if Instant::now() >= next_speakers {
            unit.judge_speakers();
            next_speakers = Instant::now() + SPEAKER_EVERY;
        }

        let wait = timeout.saturating_duration_since(Instant::now()).max(Duration::from_millis(1));
        let _ = socket.set_read_timeout(Some(wait));
        match socket.recv_from(&mut buf) {
            Ok((0, _)) => {} // the waker: a command is waiting
            Ok((n, source)) => {
                if let Ok(contents) = buf[..n].try_into() {
                    let input = Input::Receive(
                        Instant::now(),
                        Receive { proto: Protocol::Udp, source, destination: local, contents },
                    );
                    // The peer whose ICE credentials (or address) the datagram carries.
                    if let Some(peer) = unit.peers.iter_mut().find(|p| p.rtc.accepts(&input)) {
                        peer.handle_input(input);
                    }
                }
            }
            Err(error) if matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            // An ICMP "unreachable" from a client gone away surfaces here on Linux.
            Err(error) if error.kind() == ErrorKind::ConnectionRefused => {}
            Err(error) => tracing::warn!(%error, "media socket read failed"),
        }
        let now = Instant::now();
        for peer in &mut unit.peers {
            peer.handle_input(Input::Timeout(now));
        }
    }
}

struct Unit {
    peers: Vec<Peer>,
    events: Box<dyn Fn(SfuEvent) + Send>,
    counters: Arc<Counters>,
    /// The loudest voice last told, per room.
    speakers: HashMap<RoomId, PeerId>,
}

impl Unit {
    fn command(&mut self, command: Command) {
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
                self.peers.push(peer);
                self.counters.peers.store(self.peers.len() as u64, Ordering::Relaxed);
            }
            Command::Remove(id) => {
                if let Some(peer) = self.peers.iter_mut().find(|p| p.id == id) {
                    peer.rtc.disconnect();
                }
            }
            Command::EndRoom(room) => {
                for peer in self.peers.iter_mut().filter(|p| p.room == room) {
                    peer.rtc.disconnect();
                }
            }
            Command::Signal(id, signal) => {
                let Some(peer) = self.peers.iter_mut().find(|p| p.id == id) else { return };
                if let Some(reply) = peer.on_signal(signal) {
                    (self.events)(SfuEvent::Signal { peer: id, signal: reply });
                }
            }
            Command::Block { peer, kind, blocked } => {
                let Some(peer) = self.peers.iter_mut().find(|p| p.id == peer) else { return };
                match kind {
                    MediaKind::Audio => peer.blocked_audio = blocked,
                    MediaKind::Video => peer.blocked_video = blocked,
                }
            }
            Command::MaySend { peer, may_send } => {
                let Some(index) = self.peers.iter().position(|p| p.id == peer) else { return };
                let room = self.peers[index].room;
                let opened = self.peers[index].set_may_send(may_send);
                for other in self.peers.iter_mut().filter(|p| p.room == room && p.id != peer) {
                    if may_send {
                        for (mid, kind, rids) in &opened {
                            other.add_track_out(peer, *mid, *kind, rids.clone());
                        }
                    } else {
                        other.drop_tracks_of(peer);
                    }
                }
                if may_send && let Some((mid, _, rids)) = opened.iter().find(|(_, k, _)| *k == MediaKind::Video) {
                    // Its first frames reach the others as a keyframe.
                    let rid = crate::peer::pick(rids, crate::Layer::High);
                    self.peers[index].request_keyframe(*mid, rid, str0m::media::KeyframeRequestKind::Pli);
                }
            }
            Command::View { viewer, origin, layer } => {
                let Some(viewer) = self.peers.iter_mut().find(|p| p.id == viewer) else { return };
                let room = viewer.room;
                let fresh = viewer.view(origin, layer);
                // The newly chosen layer starts at a keyframe.
                if let Some(origin) = self.peers.iter_mut().find(|p| p.id == origin && p.room == room) {
                    for (mid, rid) in fresh {
                        origin.request_keyframe(mid, rid, str0m::media::KeyframeRequestKind::Pli);
                    }
                }
            }
            Command::Stop => {}
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
        for peer in gone {
            for other in self.peers.iter_mut().filter(|p| p.room == peer.room) {
                other.drop_tracks_of(peer.id);
            }
            if self.speakers.get(&peer.room) == Some(&peer.id) {
                self.speakers.remove(&peer.room);
            }
            (self.events)(SfuEvent::Gone { peer: peer.id });
        }
        self.counters.peers.store(self.peers.len() as u64, Ordering::Relaxed);
    }

    /// Polls one peer until it waits for time to pass; returns when.
    fn poll_peer(&mut self, index: usize, socket: &UdpSocket, queue: &mut VecDeque<(usize, Propagated)>) -> Instant {
        loop {
            let peer = &mut self.peers[index];
            match peer.poll() {
                Polled::Timeout(at) => return at,
                Polled::Transmit(to, bytes) => {
                    let _ = socket.send_to(&bytes, to);
                }
                Polled::Propagate(propagated) => {
                    if matches!(propagated, Propagated::Media { .. }) {
                        self.counters.frames_in.fetch_add(1, Ordering::Relaxed);
                    }
                    queue.push_back((index, propagated));
                }
                Polled::Connected => (self.events)(SfuEvent::Connected { peer: peer.id }),
                Polled::Signal(signal) => (self.events)(SfuEvent::Signal { peer: peer.id, signal }),
                Polled::Nothing => {}
            }
        }
    }

    fn propagate(&mut self, origin_index: usize, propagated: Propagated) {
        let room = self.peers[origin_index].room;
        match propagated {
            Propagated::TrackOpen { origin, mid, kind, rids } => {
                for peer in self.peers.iter_mut().filter(|p| p.room == room && p.id != origin) {
                    peer.add_track_out(origin, mid, kind, rids.clone());
                }
            }
            Propagated::Media { origin, data } => {
                let mut written = 0;
                for peer in self.peers.iter_mut().filter(|p| p.room == room && p.id != origin) {
                    written += u64::from(peer.forward(origin, &data));
                }
                self.counters.frames_out.fetch_add(written, Ordering::Relaxed);
            }
            Propagated::Keyframe { origin, mid, rid, kind } => {
                if let Some(peer) = self.peers.iter_mut().find(|p| p.id == origin && p.room == room) {
                    peer.request_keyframe(mid, rid, kind);
                }
            }
        }
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
