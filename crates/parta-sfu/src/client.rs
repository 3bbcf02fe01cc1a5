//! A synthetic call participant for tests and load: a WebRTC peer that sends
//! made-up Opus and VP8 frames at real rates and counts what it receives, decoding
//! nothing. It speaks to the unit exactly as a browser does (offer, answer, the
//! unit's renegotiation offers, ICE and DTLS over UDP).
//!
//! A test drives each client on a thread of its own (`drive`); a load generator
//! drives hundreds from a few threads, waiting on their sockets with a poller of its
//! own (`socket`, `receive`, `step`) and recording what is sent and what arrives
//! (`record`) to count losses and delays over a window of send instants.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

use str0m::change::{SdpAnswer, SdpOffer, SdpPendingOffer};
use str0m::format::Codec;
use str0m::media::{Direction, Frequency, MediaKind, MediaTime, Mid, Simulcast, SimulcastLayer};
use str0m::net::{Protocol, Receive};
use str0m::{Candidate, Event, Input, Output, Rtc};

use crate::SfuError;

/// What the client sends.
#[derive(Debug, Clone, Copy)]
pub struct Sending {
    pub audio: bool,
    /// The voice's loudness each audio packet carries (RFC 6464, dBov: 0 the loudest,
    /// -127 silence), by which the unit chooses the voices a room hears.
    pub loudness: i8,
    pub video: bool,
    /// Bytes of one video frame (a 720p frame at 1.5 Mbit/s and 30 fps is ~6 KB).
    pub video_frame_bytes: usize,
    /// Video in two simulcast layers: `h` at full size, `l` at a quarter, each with an
    /// RTP clock of its own as a browser's are (`l`'s runs `LOW_LAYER_CLOCK_AHEAD` on).
    pub simulcast: bool,
}

/// One frame that arrived, as recorded for load measurements (`Client::record`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arrival {
    /// The sending peer: the number of its stream id `p<peer>` (0 when unknown).
    pub from: u64,
    pub kind: MediaKind,
    /// When the sender made it, on the process's clock (`now_us`).
    pub sent_us: u64,
    /// From then to its arrival here, µs.
    pub delay_us: u64,
}

/// What arrived from one sender's stream (`p<peer>`), per kind.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Received {
    pub audio_frames: u64,
    pub video_frames: u64,
    pub bytes: u64,
    pub video_bytes: u64,
    /// The RTP time (90 kHz) of the last video frame, and the largest step between
    /// two frames in a row, either way: a steady 30 fps stream steps 3000.
    pub last_video_time: Option<u64>,
    pub largest_video_step: u64,
}

/// How far the low layer's RTP clock runs ahead of the top one's (ticks of 90 kHz):
/// a hundred seconds, as unlike as a browser's two random starts.
pub const LOW_LAYER_CLOCK_AHEAD: u64 = 9_000_000;

pub struct Client {
    rtc: Rtc,
    socket: UdpSocket,
    sending: Sending,
    pending: Option<SdpPendingOffer>,
    audio_mid: Option<Mid>,
    video_mid: Option<Mid>,
    /// Which sender's stream each receiving line carries, read from the unit's offers.
    streams: HashMap<Mid, String>,
    kinds: HashMap<Mid, MediaKind>,
    pub received: HashMap<String, Received>,
    connected: bool,
    next_audio: Instant,
    next_video: Instant,
    started: Instant,
    buf: Vec<u8>,
    /// Delays (send instant written in the frame → arrival), for frames this
    /// process sent, in microseconds.
    pub delays_us: Vec<u64>,
    /// Whether the frames below are recorded.
    recording: bool,
    /// Frames made here: their kind and send instant (`now_us`), when recording.
    pub sent: Vec<(MediaKind, u64)>,
    /// Frames that arrived, when recording.
    pub arrivals: Vec<Arrival>,
    /// Datagrams that reached this client through `receive`.
    pub datagrams_in: u64,
    /// When the datagram being handled reached the socket (`now_us` clock), as the
    /// kernel stamped it; `None`: now.
    arrived_us: Option<u64>,
    /// Whether the socket stamps datagrams as they arrive (`receive_waiting` asks once).
    timestamps_on: bool,
    /// The top layer is not sent (as a browser pauses it when its path narrows).
    top_paused: bool,
}

/// One clock for every client of the process, so a receiver can read a sender's stamp.
fn epoch() -> Instant {
    static EPOCH: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

/// The process's clock that frames are stamped with, µs.
pub fn now_us() -> u64 {
    epoch().elapsed().as_micros() as u64
}

/// Has the kernel stamp each datagram as it reaches `socket` (`SO_TIMESTAMPNS`), for
/// `recv_stamped`.
pub fn stamp_arrivals(socket: &impl std::os::fd::AsFd) -> std::io::Result<()> {
    nix::sys::socket::setsockopt(socket, nix::sys::socket::sockopt::ReceiveTimestampns, &true)?;
    Ok(())
}

/// One datagram from a non-blocking socket (`WouldBlock` when none is waiting): its
/// length, its source and when it arrived on the `now_us` clock — the kernel's stamp
/// where `stamp_arrivals` asked for one, else now. The stamp is wall-clock time: only
/// its age is used, so the two clocks need not agree.
pub fn recv_stamped(socket: &impl std::os::fd::AsRawFd, buf: &mut [u8]) -> std::io::Result<(usize, SocketAddr, u64)> {
    use nix::errno::Errno;
    use nix::sys::socket::{ControlMessageOwned, MsgFlags, SockaddrLike, SockaddrStorage, recvmsg};

    loop {
        let mut space = nix::cmsg_space!(nix::sys::time::TimeSpec);
        let mut iov = [std::io::IoSliceMut::new(buf)];
        let message =
            match recvmsg::<SockaddrStorage>(socket.as_raw_fd(), &mut iov, Some(&mut space), MsgFlags::MSG_DONTWAIT) {
                Ok(message) => message,
                // An ICMP "unreachable" of an earlier send surfaces on a read on Linux.
                Err(Errno::ECONNREFUSED | Errno::EINTR) => continue,
                Err(error) => return Err(error.into()),
            };
        let stamp = message.cmsgs().ok().and_then(|mut c| {
            c.find_map(|m| match m {
                ControlMessageOwned::ScmTimestampns(ts) => Some(ts),
                _ => None,
            })
        });
        let source = message.address.and_then(|a| match a.family() {
            Some(nix::sys::socket::AddressFamily::Inet) => {
                a.as_sockaddr_in().map(|v4| SocketAddr::from(std::net::SocketAddrV4::from(*v4)))
            }
            Some(nix::sys::socket::AddressFamily::Inet6) => {
                a.as_sockaddr_in6().map(|v6| SocketAddr::from(std::net::SocketAddrV6::from(*v6)))
            }
            _ => None,
        });
        let Some(source) = source else { continue };
        let now = now_us();
        let arrived = match stamp {
            Some(ts) => {
                let stamped = Duration::new(ts.tv_sec() as u64, ts.tv_nsec() as u32);
                let wall = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
                now.saturating_sub(wall.saturating_sub(stamped).as_micros() as u64)
            }
            None => now,
        };
        return Ok((message.bytes, source, arrived));
    }
}

/// A made-up frame starts with the instant it was made (µs since the process's epoch).
fn stamp(size: usize) -> (Vec<u8>, u64) {
    let mut frame = vec![0x5a; size.max(16)];
    let us = now_us();
    frame[..8].copy_from_slice(&us.to_be_bytes());
    (frame, us)
}

impl Client {
    /// A client on `ip` (any free port) and its first offer.
    pub fn offer(ip: IpAddr, sending: Sending) -> Result<(Client, String), SfuError> {
        crate::install_crypto();
        let socket = UdpSocket::bind(SocketAddr::new(ip, 0)).map_err(|e| SfuError::Rejected(e.to_string()))?;
        let local = socket.local_addr().map_err(|e| SfuError::Rejected(e.to_string()))?;
        let now = Instant::now();
        let mut rtc = Rtc::builder().build(now);
        let candidate = Candidate::host(local, "udp").map_err(|e| SfuError::Rejected(e.to_string()))?;
        rtc.add_local_candidate(candidate);
        let mut change = rtc.sdp_api();
        // A viewer still offers both lines, receive-only, as a browser would.
        let direction = |on: bool| if on { Direction::SendOnly } else { Direction::Inactive };
        let audio_mid = change.add_media(MediaKind::Audio, direction(sending.audio), None, None, None);
        let layers = sending
            .simulcast
            .then(|| Simulcast { send: vec![SimulcastLayer::new("h"), SimulcastLayer::new("l")], recv: Vec::new() });
        let video_mid = change.add_media(MediaKind::Video, direction(sending.video), None, None, layers);
        let (offer, pending) = change.apply().ok_or_else(|| SfuError::Rejected("nothing to offer".into()))?;
        let client = Client {
            rtc,
            socket,
            sending,
            pending: Some(pending),
            audio_mid: sending.audio.then_some(audio_mid),
            video_mid: sending.video.then_some(video_mid),
            streams: HashMap::new(),
            kinds: HashMap::new(),
            received: HashMap::new(),
            connected: false,
            next_audio: now,
            next_video: now,
            started: now,
            buf: vec![0; 2000],
            arrived_us: None,
            timestamps_on: false,
            delays_us: Vec::new(),
            recording: false,
            sent: Vec::new(),
            arrivals: Vec::new(),
            datagrams_in: 0,
            top_paused: false,
        };
        Ok((client, offer.to_sdp_string()))
    }

    /// The unit's answer to the first offer.
    pub fn accept_answer(&mut self, sdp: &str) -> Result<(), SfuError> {
        let answer = SdpAnswer::from_sdp_string(sdp).map_err(|e| SfuError::BadOffer(e.to_string()))?;
        let pending = self.pending.take().ok_or_else(|| SfuError::Rejected("no offer pending".into()))?;
        self.rtc.sdp_api().accept_answer(pending, answer).map_err(|e| SfuError::Rejected(e.to_string()))
    }

    /// A renegotiation offer from the unit; returns the answer to send back.
    pub fn accept_offer(&mut self, sdp: &str) -> Result<String, SfuError> {
        // Which sender each line carries: `a=mid:` then `a=msid:<stream> <track>`.
        let mut mid: Option<String> = None;
        for line in sdp.lines() {
            if let Some(value) = line.strip_prefix("a=mid:") {
                mid = Some(value.trim().to_owned());
            } else if let (Some(value), Some(current)) = (line.strip_prefix("a=msid:"), &mid) {
                let stream = value.split_whitespace().next().unwrap_or_default().to_owned();
                self.streams.insert(Mid::from(current.as_str()), stream);
            }
        }
        let offer = SdpOffer::from_sdp_string(sdp).map_err(|e| SfuError::BadOffer(e.to_string()))?;
        let answer = self.rtc.sdp_api().accept_offer(offer).map_err(|e| SfuError::Rejected(e.to_string()))?;
        Ok(answer.to_sdp_string())
    }

    pub fn is_connected(&self) -> bool {
        self.connected
    }

    pub fn is_alive(&self) -> bool {
        self.rtc.is_alive()
    }

    /// Records every frame sent and received from now on (`sent`, `arrivals`).
    pub fn record(&mut self, on: bool) {
        self.recording = on;
    }

    /// The client's socket, for a caller that waits on many clients' sockets with a
    /// poller of its own; it reads what is ready and hands each datagram to `receive`.
    pub fn socket(&self) -> &UdpSocket {
        &self.socket
    }

    /// One datagram read from `socket`, handled at once (frames it completes are
    /// counted with this instant).
    pub fn receive(&mut self, source: SocketAddr, contents: &[u8]) {
        self.datagrams_in += 1;
        let Ok(destination) = self.socket.local_addr() else { return };
        let Ok(contents) = contents.try_into() else { return };
        let input = Input::Receive(Instant::now(), Receive { proto: Protocol::Udp, source, destination, contents });
        if self.rtc.handle_input(input).is_err() {
            self.rtc.disconnect();
        }
        self.poll();
    }

    /// Reads every datagram waiting on the (non-blocking) socket and handles each as
    /// arrived when the kernel took it in (`recv_stamped`), not when this process got
    /// round to it: a busy load generator's own backlog stays out of the delays it
    /// records. Returns how many were read.
    pub fn receive_waiting(&mut self) -> std::io::Result<usize> {
        if !self.timestamps_on {
            stamp_arrivals(&self.socket)?;
            self.timestamps_on = true;
        }
        let mut buf = std::mem::take(&mut self.buf);
        let mut read = 0;
        let result = loop {
            match recv_stamped(&self.socket, &mut buf) {
                Ok((n, source, arrived_us)) => {
                    read += 1;
                    self.arrived_us = Some(arrived_us);
                    self.receive(source, &buf[..n]);
                    self.arrived_us = None;
                }
                Err(error) if error.kind() == std::io::ErrorKind::WouldBlock => break Ok(read),
                Err(error) => break Err(error),
            }
        };
        self.buf = buf;
        result
    }

    /// Drives timers and sends the frames now due, without reading the socket;
    /// returns when it next has something to do.
    pub fn step(&mut self, now: Instant) -> Instant {
        if self.rtc.handle_input(Input::Timeout(now)).is_err() {
            self.rtc.disconnect();
        }
        let mut next = self.poll();
        if self.connected && self.rtc.is_alive() {
            self.send_due(now);
            next = next.min(self.poll());
            if self.audio_mid.is_some() {
                next = next.min(self.next_audio);
            }
            if self.video_mid.is_some() {
                next = next.min(self.next_video);
            }
        }
        next
    }

    /// Runs the peer until `until`: sends frames when due, reads what arrives.
    pub fn drive(&mut self, until: Instant) {
        loop {
            let timeout = self.poll();
            let now = Instant::now();
            if now >= until || !self.rtc.is_alive() {
                return;
            }
            self.send_due(now);
            let next = timeout.min(self.next_audio).min(self.next_video).min(until);
            let wait = next.saturating_duration_since(Instant::now()).max(Duration::from_millis(1));
            let _ = self.socket.set_read_timeout(Some(wait));
            match self.socket.recv_from(&mut self.buf) {
                Ok((n, source)) => {
                    let Ok(destination) = self.socket.local_addr() else { return };
                    if let Ok(contents) = self.buf[..n].try_into() {
                        let input = Input::Receive(
                            Instant::now(),
                            Receive { proto: Protocol::Udp, source, destination, contents },
                        );
                        if self.rtc.handle_input(input).is_err() {
                            self.rtc.disconnect();
                        }
                    }
                }
                Err(_) => {
                    if self.rtc.handle_input(Input::Timeout(Instant::now())).is_err() {
                        self.rtc.disconnect();
                    }
                }
            }
        }
    }

    fn poll(&mut self) -> Instant {
        let mut driven = 0;
        loop {
            match self.rtc.poll_output() {
                // str0m asks to be driven at once after media is written (that lets it
                // out): done here, as a browser would, not after a trip through the
                // caller's timer, whose millisecond ticks would delay every frame.
                Ok(Output::Timeout(at)) if at <= Instant::now() && driven < 4 => {
                    driven += 1;
                    if self.rtc.handle_input(Input::Timeout(Instant::now())).is_err() {
                        self.rtc.disconnect();
                    }
                }
                Ok(Output::Timeout(at)) => return at,
                Ok(Output::Transmit(t)) => {
                    let _ = self.socket.send_to(&t.contents, t.destination);
                }
                Ok(Output::Event(event)) => self.on_event(event),
                Err(_) => {
                    self.rtc.disconnect();
                    return Instant::now();
                }
            }
        }
    }

    fn on_event(&mut self, event: Event) {
        match event {
            Event::Connected => self.connected = true,
            Event::MediaAdded(added) => {
                self.kinds.insert(added.mid, added.kind);
            }
            Event::MediaData(data) => {
                let stream = self.streams.get(&data.mid).cloned().unwrap_or_default();
                let entry = self.received.entry(stream).or_default();
                entry.bytes += data.data.len() as u64;
                match self.kinds.get(&data.mid) {
                    Some(MediaKind::Audio) => entry.audio_frames += 1,
                    Some(MediaKind::Video) => {
                        entry.video_frames += 1;
                        entry.video_bytes += data.data.len() as u64;
                        let time = data.time.numer();
                        if let Some(last) = entry.last_video_time {
                            entry.largest_video_step = entry.largest_video_step.max(time.abs_diff(last));
                        }
                        entry.last_video_time = Some(time);
                    }
                    None => {}
                }
                if data.data.len() >= 8 {
                    let mut sent = [0u8; 8];
                    sent.copy_from_slice(&data.data[..8]);
                    let sent_us = u64::from_be_bytes(sent);
                    let delay_us = self.arrived_us.unwrap_or_else(now_us).saturating_sub(sent_us);
                    self.delays_us.push(delay_us);
                    if self.recording
                        && let Some(kind) = self.kinds.get(&data.mid)
                    {
                        let from = self
                            .streams
                            .get(&data.mid)
                            .and_then(|s| s.strip_prefix('p'))
                            .and_then(|n| n.parse().ok())
                            .unwrap_or(0);
                        self.arrivals.push(Arrival { from, kind: *kind, sent_us, delay_us });
                    }
                }
            }
            _ => {}
        }
    }

    /// Sends the frames now due: 20 ms of Opus, a 30 fps VP8 frame.
    fn send_due(&mut self, now: Instant) {
        if !self.connected {
            return;
        }
        let elapsed = now.duration_since(self.started);
        if let Some(mid) = self.audio_mid
            && now >= self.next_audio
        {
            let (frame, at) = stamp(80);
            if self.recording {
                self.sent.push((MediaKind::Audio, at));
            }
            self.write_audio(mid, MediaTime::new(elapsed.as_millis() as u64 * 48, Frequency::FORTY_EIGHT_KHZ), frame);
            self.next_audio = now + Duration::from_millis(20);
        }
        if let Some(mid) = self.video_mid
            && now >= self.next_video
        {
            let time = MediaTime::new(elapsed.as_millis() as u64 * 90, Frequency::NINETY_KHZ);
            let size = self.sending.video_frame_bytes;
            let (frame, at) = stamp(size);
            if self.recording {
                self.sent.push((MediaKind::Video, at));
            }
            if self.sending.simulcast {
                if !self.top_paused {
                    self.write_layer(mid, Some("h"), time, frame);
                }
                let low = MediaTime::new(time.numer() + LOW_LAYER_CLOCK_AHEAD, time.frequency());
                self.write_layer(mid, Some("l"), low, stamp(size / 4).0);
            } else {
                self.write_layer(mid, None, time, frame);
            }
            self.next_video = now + Duration::from_millis(33);
        }
    }

    fn write_audio(&mut self, mid: Mid, time: MediaTime, frame: Vec<u8>) {
        let loudness = self.sending.loudness;
        let Some(writer) = self.rtc.writer(mid) else { return };
        let Some(pt) = writer.payload_params().find(|p| p.spec().codec == Codec::Opus).map(|p| p.pt()) else { return };
        let _ = writer.audio_level(loudness, loudness > -50).write(pt, Instant::now(), time, frame);
    }

    fn write_layer(&mut self, mid: Mid, rid: Option<&str>, time: MediaTime, frame: Vec<u8>) {
        let Some(mut writer) = self.rtc.writer(mid) else { return };
        let Some(pt) = writer.payload_params().find(|p| p.spec().codec == Codec::Vp8).map(|p| p.pt()) else { return };
        if let Some(rid) = rid {
            writer = writer.rid(rid.into());
        }
        let _ = writer.write(pt, Instant::now(), time, frame);
    }

    /// Stops sending the top simulcast layer, or sends it again.
    pub fn pause_top_layer(&mut self, paused: bool) {
        self.top_paused = paused;
    }

    /// Ends the peer connection.
    pub fn close(&mut self) {
        self.rtc.disconnect();
    }
}
