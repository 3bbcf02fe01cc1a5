//! One participant's peer connection: the tracks it sends (in), the others' tracks
//! it is sent (out), and the renegotiations that add and stop those.

use std::time::{Duration, Instant};

use str0m::change::{SdpAnswer, SdpOffer, SdpPendingOffer};
use str0m::media::{Direction, KeyframeRequest, KeyframeRequestKind, MediaData, MediaKind, Mid, Rid};
use str0m::{Event, IceConnectionState, Input, Output, Rtc};

use crate::layers::{Written, layers_of, pick};
use crate::{JoinOptions, Layer, PeerId, RoomId, Signal};

/// A track this peer sends.
pub(crate) struct TrackIn {
    pub mid: Mid,
    pub kind: MediaKind,
    /// Its simulcast layers, the highest first (none: one layer).
    pub rids: Vec<Rid>,
    /// When a keyframe of each layer was last asked for: each layer's own, so asking
    /// for one layer never swallows a request for another (a receiver's switch).
    keyframes_asked: Vec<(Option<Rid>, Instant)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OutState {
    /// To be added at the next renegotiation.
    ToOpen,
    Negotiating(Mid),
    Open(Mid),
    /// Its source left: to be stopped at the next renegotiation.
    ToStop(Mid),
    NegotiatingStop(Mid),
}

impl OutState {
    fn mid(self) -> Option<Mid> {
        match self {
            OutState::ToOpen => None,
            OutState::Negotiating(m) | OutState::Open(m) | OutState::ToStop(m) | OutState::NegotiatingStop(m) => {
                Some(m)
            }
        }
    }
}

/// Another peer's track this peer is sent.
struct TrackOut {
    origin: PeerId,
    origin_mid: Mid,
    kind: MediaKind,
    state: OutState,
    /// The origin's layers, the highest first.
    rids: Vec<Rid>,
    /// What the receiver shows of it.
    layer: Layer,
    /// Which of the origin's layers is written here, and at what times.
    written: Written,
}

/// What writing another peer's frame here came to.
pub(crate) struct Forwarded {
    pub written: bool,
    /// A layer of the origin's line (its mid) this receiver now needs a keyframe of.
    pub keyframe: Option<(Mid, Option<Rid>)>,
}

/// What a peer's output asks of the others in its room. Frames are large and
/// short-lived: boxing them would cost an allocation per frame.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Propagated {
    TrackOpen {
        origin: PeerId,
        mid: Mid,
        kind: MediaKind,
        rids: Vec<Rid>,
    },
    Media {
        origin: PeerId,
        kind: MediaKind,
        data: MediaData,
    },
    /// A receiver asks the track's origin for a keyframe.
    Keyframe {
        origin: PeerId,
        mid: Mid,
        rid: Option<Rid>,
        kind: KeyframeRequestKind,
    },
}

/// What one poll of a peer produced.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Polled {
    Timeout(Instant),
    Transmit(std::net::SocketAddr, Vec<u8>),
    Propagate(Propagated),
    Connected,
    Signal(Signal),
    Nothing,
}

pub(crate) struct Peer {
    pub room: RoomId,
    pub id: PeerId,
    pub rtc: Rtc,
    options: JoinOptions,
    pending: Option<SdpPendingOffer>,
    connected: bool,
    pub tracks_in: Vec<TrackIn>,
    /// Tracks the client offers while it may not send (a broadcast's viewer): kept
    /// aside, forwarded once it is brought on stage.
    held_in: Vec<(Mid, MediaKind, Vec<Rid>)>,
    tracks_out: Vec<TrackOut>,
    /// Kinds the host stopped forwarding.
    pub blocked_audio: bool,
    pub blocked_video: bool,
    /// The voice's loudness as judged (`voices::follow`; dBov: 0 is loudest, -127 silence).
    pub level: f32,
    /// When its timers next need driving.
    pub due: Instant,
}

/// A client is asked for at most one keyframe a second per layer of a track.
const KEYFRAME_EVERY: Duration = Duration::from_secs(1);

impl Peer {
    pub fn new(room: RoomId, id: PeerId, rtc: Rtc, options: JoinOptions) -> Peer {
        Peer {
            room,
            id,
            rtc,
            options,
            pending: None,
            connected: false,
            tracks_in: Vec::new(),
            held_in: Vec::new(),
            tracks_out: Vec::new(),
            blocked_audio: false,
            blocked_video: false,
            level: -127.0,
            due: Instant::now(),
        }
    }

    pub fn handle_input(&mut self, input: Input) {
        if self.rtc.is_alive()
            && let Err(error) = self.rtc.handle_input(input)
        {
            tracing::debug!(peer = self.id.0, %error, "peer dropped");
            self.rtc.disconnect();
        }
    }

    /// The next thing this peer has to say.
    pub fn poll(&mut self) -> Polled {
        if !self.rtc.is_alive() {
            return Polled::Timeout(Instant::now());
        }
        if let Some(offer) = self.negotiate_if_needed() {
            return Polled::Signal(Signal::Offer(offer.to_sdp_string()));
        }
        match self.rtc.poll_output() {
            Ok(Output::Timeout(at)) => Polled::Timeout(at),
            Ok(Output::Transmit(transmit)) => Polled::Transmit(transmit.destination, transmit.contents.into()),
            Ok(Output::Event(event)) => self.on_event(event),
            Err(error) => {
                tracing::debug!(peer = self.id.0, %error, "peer failed");
                self.rtc.disconnect();
                Polled::Nothing
            }
        }
    }

    fn on_event(&mut self, event: Event) -> Polled {
        match event {
            Event::Connected => {
                self.connected = true;
                Polled::Connected
            }
            Event::IceConnectionStateChange(IceConnectionState::Disconnected) => {
                self.rtc.disconnect();
                Polled::Nothing
            }
            // Only what the client sends is a track in; the unit's own sending lines
            // (added for the others' tracks) are announced too and are not.
            Event::MediaAdded(added) if added.direction.is_receiving() && self.options.may_send => {
                let rids = layers_of(added.simulcast.as_ref());
                self.tracks_in.push(TrackIn {
                    mid: added.mid,
                    kind: added.kind,
                    rids: rids.clone(),
                    keyframes_asked: Vec::new(),
                });
                Polled::Propagate(Propagated::TrackOpen { origin: self.id, mid: added.mid, kind: added.kind, rids })
            }
            Event::MediaAdded(added) if added.direction.is_receiving() => {
                self.held_in.push((added.mid, added.kind, layers_of(added.simulcast.as_ref())));
                Polled::Nothing
            }
            Event::MediaData(data) => self.on_media(data),
            Event::KeyframeRequest(request) => self.on_keyframe_request(request),
            _ => Polled::Nothing,
        }
    }

    fn on_media(&mut self, data: MediaData) -> Polled {
        let Some(track) = self.tracks_in.iter().find(|t| t.mid == data.mid) else { return Polled::Nothing };
        let kind = track.kind;
        if kind == MediaKind::Audio {
            // A client that sends no loudness counts as silent: it is heard when a place is free.
            let sample = data.ext_vals.audio_level.map_or(crate::voices::SILENT, f32::from);
            self.level = crate::voices::follow(self.level, sample);
        }
        if (kind == MediaKind::Audio && self.blocked_audio) || (kind == MediaKind::Video && self.blocked_video) {
            return Polled::Nothing;
        }
        if !data.contiguous {
            self.request_keyframe(data.mid, data.rid, KeyframeRequestKind::Fir);
        }
        Polled::Propagate(Propagated::Media { origin: self.id, kind, data })
    }

    fn on_keyframe_request(&self, request: KeyframeRequest) -> Polled {
        let Some(out) = self.tracks_out.iter().find(|t| t.state.mid() == Some(request.mid)) else {
            return Polled::Nothing;
        };
        Polled::Propagate(Propagated::Keyframe {
            origin: out.origin,
            mid: out.origin_mid,
            // The layer this receiver is written, which may not be the one it chose.
            rid: out.written.rid().or_else(|| pick(&out.rids, out.layer)),
            kind: request.kind,
        })
    }

    /// Lets the peer send (its held tracks open for the others), or stops it: its
    /// tracks are held again. Returns the tracks that open.
    pub fn set_may_send(&mut self, may_send: bool) -> Vec<(Mid, MediaKind, Vec<Rid>)> {
        self.options.may_send = may_send;
        if may_send {
            let opened = std::mem::take(&mut self.held_in);
            for (mid, kind, rids) in &opened {
                self.tracks_in.push(TrackIn {
                    mid: *mid,
                    kind: *kind,
                    rids: rids.clone(),
                    keyframes_asked: Vec::new(),
                });
            }
            opened
        } else {
            self.held_in.extend(self.tracks_in.drain(..).map(|t| (t.mid, t.kind, t.rids)));
            Vec::new()
        }
    }

    /// Asks this peer's client for a keyframe of one layer of its tracks, at most once a
    /// second per layer.
    pub fn request_keyframe(&mut self, mid: Mid, rid: Option<Rid>, kind: KeyframeRequestKind) {
        let Some(track) = self.tracks_in.iter_mut().find(|t| t.mid == mid) else { return };
        let now = Instant::now();
        match track.keyframes_asked.iter_mut().find(|(r, _)| *r == rid) {
            Some((_, at)) if now.saturating_duration_since(*at) < KEYFRAME_EVERY => return,
            Some((_, at)) => *at = now,
            None => track.keyframes_asked.push((rid, now)),
        }
        if let Some(mut writer) = self.rtc.writer(mid) {
            let _ = writer.request_keyframe(rid, kind);
        }
    }

    /// Another peer of the room opened a track: this peer is to receive it.
    pub fn add_track_out(&mut self, origin: PeerId, origin_mid: Mid, kind: MediaKind, rids: Vec<Rid>) {
        self.tracks_out.push(TrackOut {
            origin,
            origin_mid,
            kind,
            state: OutState::ToOpen,
            rids,
            layer: Layer::High,
            written: Written::default(),
        });
    }

    /// Chooses which layer of `origin`'s video this peer is sent; the layers that
    /// newly need a keyframe, as (origin's line, layer).
    pub fn view(&mut self, origin: PeerId, layer: Layer) -> Vec<(Mid, Option<Rid>)> {
        let mut fresh = Vec::new();
        for track in self.tracks_out.iter_mut().filter(|t| t.origin == origin && t.kind == MediaKind::Video) {
            if track.layer != layer {
                track.layer = layer;
                track.written.shown(layer);
                if layer != Layer::Off {
                    fresh.push((track.origin_mid, pick(&track.rids, layer)));
                }
            }
        }
        fresh
    }

    /// A peer of the room left: its tracks stop here at the next renegotiation.
    pub fn drop_tracks_of(&mut self, origin: PeerId) {
        self.tracks_out.retain_mut(|track| {
            if track.origin != origin {
                return true;
            }
            match track.state {
                OutState::ToOpen => false,
                OutState::Open(mid) | OutState::Negotiating(mid) => {
                    track.state = OutState::ToStop(mid);
                    true
                }
                _ => true,
            }
        });
    }

    /// Writes another peer's frame on the line that carries its track here: of its
    /// video, only the layer the receiver shows (or the nearest its sender still sends).
    pub fn forward(&mut self, origin: PeerId, data: &MediaData) -> Forwarded {
        let mut out = Forwarded { written: false, keyframe: None };
        let Some(track) = self.tracks_out.iter_mut().find(|t| t.origin == origin && t.origin_mid == data.mid) else {
            return out;
        };
        let OutState::Open(mid) = track.state else { return out };
        let mut time = data.time;
        if track.kind == MediaKind::Video {
            if track.layer == Layer::Off {
                return out;
            }
            let (write, keyframe) =
                track.written.admit(&track.rids, track.layer, data.rid, data.network_time, data.is_keyframe());
            out.keyframe = keyframe.map(|rid| (track.origin_mid, Some(rid)));
            if !write {
                return out;
            }
            time = track.written.time_of(data.rid, data.time, data.network_time);
        }
        let Some(writer) = self.rtc.writer(mid) else { return out };
        let Some(pt) = writer.match_params(data.params) else { return out };
        if let Err(error) = writer.write(pt, data.network_time, time, data.data.clone()) {
            tracing::debug!(peer = self.id.0, %error, "write failed");
            self.rtc.disconnect();
            return out;
        }
        out.written = true;
        out
    }

    /// Offers the lines that tracks opened or stopped since the last agreement need.
    fn negotiate_if_needed(&mut self) -> Option<SdpOffer> {
        if !self.connected || self.pending.is_some() {
            return None;
        }
        let mut change = self.rtc.sdp_api();
        for track in &mut self.tracks_out {
            match track.state {
                OutState::ToOpen => {
                    let mid =
                        change.add_media(track.kind, Direction::SendOnly, Some(track.origin.stream_id()), None, None);
                    track.state = OutState::Negotiating(mid);
                }
                OutState::ToStop(mid) => {
                    change.stop_media(mid);
                    track.state = OutState::NegotiatingStop(mid);
                }
                _ => {}
            }
        }
        if !change.has_changes() {
            return None;
        }
        let (offer, pending) = change.apply()?;
        self.pending = Some(pending);
        Some(offer)
    }

    /// The client's answer to our offer, or an offer of its own (answered here).
    pub fn on_signal(&mut self, signal: Signal) -> Option<Signal> {
        match signal {
            Signal::Answer(text) => {
                let pending = self.pending.take()?;
                let answer = match SdpAnswer::from_sdp_string(&text) {
                    Ok(answer) => answer,
                    Err(error) => {
                        tracing::debug!(peer = self.id.0, %error, "bad answer");
                        self.rtc.disconnect();
                        return None;
                    }
                };
                if let Err(error) = self.rtc.sdp_api().accept_answer(pending, answer) {
                    tracing::debug!(peer = self.id.0, %error, "answer refused");
                    self.rtc.disconnect();
                    return None;
                }
                for track in &mut self.tracks_out {
                    if let OutState::Negotiating(mid) = track.state {
                        track.state = OutState::Open(mid);
                    }
                }
                self.tracks_out.retain(|t| !matches!(t.state, OutState::NegotiatingStop(_)));
                None
            }
            Signal::Offer(text) => {
                let offer = match SdpOffer::from_sdp_string(&text) {
                    Ok(offer) => offer,
                    Err(error) => {
                        tracing::debug!(peer = self.id.0, %error, "bad offer");
                        self.rtc.disconnect();
                        return None;
                    }
                };
                // Accepting an offer drops ours: what it was adding is offered again later.
                self.pending = None;
                for track in &mut self.tracks_out {
                    match track.state {
                        OutState::Negotiating(_) => track.state = OutState::ToOpen,
                        OutState::NegotiatingStop(mid) => track.state = OutState::ToStop(mid),
                        _ => {}
                    }
                }
                match self.rtc.sdp_api().accept_offer(offer) {
                    Ok(answer) => Some(Signal::Answer(answer.to_sdp_string())),
                    Err(error) => {
                        tracing::debug!(peer = self.id.0, %error, "offer refused");
                        self.rtc.disconnect();
                        None
                    }
                }
            }
        }
    }
}
