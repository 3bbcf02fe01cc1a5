//! The floor for calls: a plain UDP relay with no WebRTC in it (no ICE, DTLS, SRTP,
//! RTP or RTCP): one socket, `recv_from` → `send_to` to every other member. Its
//! participants send datagrams of the sizes and at the rates the synthetic WebRTC
//! clients do, stamped on the same clock, and count frames as complete when every
//! datagram of one arrived — so the same tally measures both.

use std::collections::HashMap;
use std::io::{ErrorKind, Write};
use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use parta_sfu::MediaKind;
use parta_sfu::client::{Arrival, Sending, now_us};
use tokio::sync::watch;

/// The largest datagram, about what str0m's packetizer makes for video (the unit's and
/// the floor's datagram counts agree within a few per cent).
const DATAGRAM: usize = 1150;
/// 80 bytes of Opus in an SRTP packet with its header extensions.
const AUDIO_DATAGRAM: usize = 115;
/// kind, from, seq, index, count, stamp.
const HEADER: usize = 1 + 1 + 4 + 4 + 2 + 2 + 8;
/// The kind byte of audio from a voice the room does not hear (audio 0, video 1).
const QUIET: u8 = 2;

/// Serves the relay until killed: `J` joins (answered `A`), `D…` is relayed to every
/// other member. Prints the bound address on the first line of standard output.
pub fn serve(listen: SocketAddr) -> anyhow::Result<()> {
    let socket = UdpSocket::bind(listen)?;
    let mut out = std::io::stdout();
    writeln!(out, "{}", socket.local_addr()?)?;
    out.flush()?;
    let mut members: Vec<SocketAddr> = Vec::new();
    let mut buf = [0u8; 2048];
    loop {
        let (n, from) = match socket.recv_from(&mut buf) {
            Ok(read) => read,
            Err(error) if error.kind() == ErrorKind::ConnectionRefused => continue,
            Err(error) => return Err(error.into()),
        };
        match buf[0] {
            b'J' => {
                if !members.contains(&from) {
                    members.push(from);
                }
                let _ = socket.send_to(b"A", from);
            }
            // A voice the room does not hear goes nowhere (the unit's choice, made for it).
            b'D' if buf[1] != QUIET => {
                for member in &members {
                    if *member != from {
                        let _ = socket.send_to(&buf[..n], member);
                    }
                }
            }
            _ => {}
        }
    }
}

/// What one floor participant sent and received.
pub struct Outcome {
    pub id: u64,
    pub sent: Vec<(MediaKind, u64)>,
    pub arrivals: Vec<Arrival>,
}

/// The datagrams of one frame: `D`, kind, from, seq, index, count, stamp, then filler.
/// `heard`: whether the room hears this audio (`QUIET` when not).
fn datagrams(kind: MediaKind, heard: bool, from: u32, seq: u32, bytes: usize, stamp: u64) -> Vec<Vec<u8>> {
    let (per, total) = match kind {
        MediaKind::Audio => (AUDIO_DATAGRAM - HEADER, AUDIO_DATAGRAM - HEADER),
        MediaKind::Video => (DATAGRAM - HEADER, bytes.max(1)),
    };
    let count = total.div_ceil(per);
    (0..count)
        .map(|index| {
            let len = per.min(total - index * per);
            let mut d = Vec::with_capacity(HEADER + len);
            d.push(b'D');
            d.push(match kind {
                MediaKind::Video => 1,
                MediaKind::Audio if heard => 0,
                MediaKind::Audio => QUIET,
            });
            d.extend_from_slice(&from.to_le_bytes());
            d.extend_from_slice(&seq.to_le_bytes());
            d.extend_from_slice(&(index as u16).to_le_bytes());
            d.extend_from_slice(&(count as u16).to_le_bytes());
            d.extend_from_slice(&stamp.to_le_bytes());
            d.resize(HEADER + len, 0x5a);
            d
        })
        .collect()
}

/// Frames being put together, per sender and kind: (seq, datagrams so far).
#[derive(Default)]
struct Assembly {
    partial: HashMap<(u32, u8), (u32, u16)>,
}

impl Assembly {
    /// The arrival this datagram completes, if any.
    fn take(&mut self, d: &[u8], now: u64) -> Option<Arrival> {
        if d.len() < HEADER || d[0] != b'D' {
            return None;
        }
        let u32_at = |i: usize| u32::from_le_bytes([d[i], d[i + 1], d[i + 2], d[i + 3]]);
        let u16_at = |i: usize| u16::from_le_bytes([d[i], d[i + 1]]);
        let (kind, from, seq, count) = (d[1], u32_at(2), u32_at(6), u16_at(12));
        let stamp = u64::from_le_bytes(d[14..22].try_into().ok()?);
        let entry = self.partial.entry((from, kind)).or_insert((seq, 0));
        if entry.0 != seq {
            *entry = (seq, 0);
        }
        entry.1 += 1;
        if entry.1 != count {
            return None;
        }
        let kind = if kind == 1 { MediaKind::Video } else { MediaKind::Audio };
        Some(Arrival { from: u64::from(from), kind, sent_us: stamp, delay_us: now.saturating_sub(stamp) })
    }
}

/// Who a floor participant is: its id, what it sends, and whether its voice is one
/// the room hears (as the unit would choose).
pub struct Member {
    pub id: u32,
    pub sending: Sending,
    pub heard: bool,
}

/// One participant of the floor: joins the relay, sends what `sending` says at the
/// synthetic client's rates (20 ms of audio, 30 fps video), counts what arrives.
pub async fn participant(
    relay: SocketAddr,
    Member { id, sending, heard }: Member,
    joined: Arc<AtomicUsize>,
    datagrams_in: Arc<AtomicU64>,
    ports: Arc<Mutex<Vec<u16>>>,
    mut stop: watch::Receiver<bool>,
) -> anyhow::Result<Outcome> {
    let socket = tokio::net::UdpSocket::bind("127.0.0.1:0").await?;
    ports.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(socket.local_addr()?.port());
    let mut buf = vec![0u8; 2048];
    loop {
        socket.send_to(b"J", relay).await?;
        if let Ok(Ok((1, _))) = tokio::time::timeout(Duration::from_millis(200), socket.recv_from(&mut buf)).await
            && buf[0] == b'A'
        {
            break;
        }
    }
    joined.fetch_add(1, Ordering::Relaxed);
    parta_sfu::client::stamp_arrivals(&socket)?;
    let far = Duration::from_secs(3600);
    let start = tokio::time::Instant::now();
    let (mut next_audio, mut next_video) = (start, start);
    let (mut audio_seq, mut video_seq) = (0u32, 0u32);
    let mut outcome = Outcome { id: u64::from(id), sent: Vec::new(), arrivals: Vec::new() };
    let mut assembly = Assembly::default();
    loop {
        let next = match (sending.audio, sending.video) {
            (true, true) => next_audio.min(next_video),
            (true, false) => next_audio,
            (false, true) => next_video,
            (false, false) => start + far,
        };
        tokio::select! {
            biased;
            _ = stop.changed() => break,
            ready = socket.readable() => {
                ready?;
                // Each datagram as arrived when the kernel took it in, as on the unit's side.
                let _: std::io::Result<()> = socket.try_io(tokio::io::Interest::READABLE, || loop {
                    let (n, _, arrived_us) = parta_sfu::client::recv_stamped(&socket, &mut buf)?;
                    datagrams_in.fetch_add(1, Ordering::Relaxed);
                    if let Some(arrival) = assembly.take(&buf[..n], arrived_us) {
                        outcome.arrivals.push(arrival);
                    }
                });
            }
            _ = tokio::time::sleep_until(next) => {
                let now = tokio::time::Instant::now();
                if sending.audio && now >= next_audio {
                    let stamp = now_us();
                    for d in datagrams(MediaKind::Audio, heard, id, audio_seq, 0, stamp) {
                        let _ = socket.send_to(&d, relay).await;
                    }
                    outcome.sent.push((MediaKind::Audio, stamp));
                    audio_seq += 1;
                    next_audio = now + Duration::from_millis(20);
                }
                if sending.video && now >= next_video {
                    let stamp = now_us();
                    for d in datagrams(MediaKind::Video, true, id, video_seq, sending.video_frame_bytes, stamp) {
                        let _ = socket.send_to(&d, relay).await;
                    }
                    outcome.sent.push((MediaKind::Video, stamp));
                    video_seq += 1;
                    next_video = now + Duration::from_millis(33);
                }
            }
        }
    }
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frame_is_complete_when_all_its_datagrams_arrived() {
        let video = datagrams(MediaKind::Video, true, 7, 3, 6000, 1_000);
        assert_eq!(video.len(), 6);
        assert!(video.iter().all(|d| d.len() <= DATAGRAM));
        assert_eq!(video.iter().map(|d| d.len() - HEADER).sum::<usize>(), 6000);
        let mut assembly = Assembly::default();
        for d in &video[..5] {
            assert_eq!(assembly.take(d, 1_500), None);
        }
        let done = assembly.take(&video[5], 1_500).expect("complete");
        assert_eq!((done.from, done.kind, done.sent_us, done.delay_us), (7, MediaKind::Video, 1_000, 500));
        // A frame that lost a datagram is never complete, and the next one starts afresh.
        let next = datagrams(MediaKind::Video, true, 7, 4, 6000, 2_000);
        for d in &next[1..] {
            assert_eq!(assembly.take(d, 2_100), None);
        }
        let after = datagrams(MediaKind::Video, true, 7, 5, 6000, 3_000);
        let completed = after.iter().filter_map(|d| assembly.take(d, 3_100)).count();
        assert_eq!(completed, 1);
        let audio = datagrams(MediaKind::Audio, true, 7, 0, 0, 10);
        assert_eq!((audio.len(), audio[0].len()), (1, AUDIO_DATAGRAM));
        assert_eq!(assembly.take(&audio[0], 20).map(|a| a.kind), Some(MediaKind::Audio));
    }
}
