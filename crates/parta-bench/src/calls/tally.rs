//! Counting a call's frames over a window of send instants: what each sender made in
//! the window times the receivers it had, against what reached them; and the delays
//! of those that did. Frames made before or after the window count on neither side,
//! so joins, renegotiations and the drain at the end cannot pass for losses.

use std::collections::HashSet;

use parta_sfu::MediaKind;
use parta_sfu::client::Arrival;
use serde::Serialize;

use crate::stats::{Latencies, Summary};

/// Send instants `[from_us, to_us)` on the frames' clock (`parta_sfu::client::now_us`).
#[derive(Debug, Clone, Copy)]
pub struct Window {
    pub from_us: u64,
    pub to_us: u64,
}

impl Window {
    pub fn holds(&self, sent_us: u64) -> bool {
        (self.from_us..self.to_us).contains(&sent_us)
    }
}

/// One participant as counted: what it sent, what reached it.
pub struct Counted<'a> {
    /// The id its frames arrive under (`Arrival::from`).
    pub id: u64,
    pub sent: &'a [(MediaKind, u64)],
    pub arrivals: &'a [Arrival],
}

/// Frames expected at receivers and received there.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq)]
pub struct Frames {
    /// Made in the window by the senders.
    pub sent: u64,
    /// Sent × the receivers of each sender.
    pub expected: u64,
    /// Arrived, of those made in the window (a duplicate counts again).
    pub received: u64,
    /// 1 − received / expected (0 when nothing was expected).
    pub loss: f64,
}

impl Frames {
    fn finish(mut self) -> Frames {
        self.loss = if self.expected == 0 { 0.0 } else { 1.0 - self.received as f64 / self.expected as f64 };
        self
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Tally {
    pub audio: Frames,
    pub video: Frames,
    pub all: Frames,
    /// Sender stamp → arrival at the receiver, every frame of the window.
    pub delay: Summary,
    pub delay_audio: Summary,
    pub delay_video: Summary,
    /// Arrivals from nobody counted as a sender, or made outside the window.
    pub ignored: u64,
}

/// Counts every participant against every other: each frame of a kind a participant
/// sends is expected once at each of its receivers (`receivers(id, kind)` of them).
pub fn tally(window: Window, participants: &[Counted<'_>], receivers: impl Fn(u64, MediaKind) -> u64) -> Tally {
    let kind_index = |kind: MediaKind| usize::from(kind == MediaKind::Video);
    let mut frames = [Frames::default(); 2];
    let mut senders = HashSet::new();
    for p in participants {
        let mut made = [0u64; 2];
        for &(kind, at) in p.sent {
            if window.holds(at) {
                made[kind_index(kind)] += 1;
            }
        }
        if made.iter().any(|&n| n > 0) {
            senders.insert(p.id);
        }
        for (k, kind) in [MediaKind::Audio, MediaKind::Video].into_iter().enumerate() {
            frames[k].sent += made[k];
            frames[k].expected += made[k] * receivers(p.id, kind);
        }
    }
    let mut delays = [Latencies::default(), Latencies::default()];
    let mut all_delays = Latencies::default();
    let mut ignored = 0;
    for p in participants {
        for arrival in p.arrivals {
            if !window.holds(arrival.sent_us) || !senders.contains(&arrival.from) {
                ignored += 1;
                continue;
            }
            let k = kind_index(arrival.kind);
            frames[k].received += 1;
            let us = u32::try_from(arrival.delay_us).unwrap_or(u32::MAX);
            delays[k].record_us(us);
            all_delays.record_us(us);
        }
    }
    let all = Frames {
        sent: frames[0].sent + frames[1].sent,
        expected: frames[0].expected + frames[1].expected,
        received: frames[0].received + frames[1].received,
        loss: 0.0,
    };
    Tally {
        audio: frames[0].finish(),
        video: frames[1].finish(),
        all: all.finish(),
        delay: all_delays.summary(),
        delay_audio: delays[0].summary(),
        delay_video: delays[1].summary(),
        ignored,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arrival(from: u64, kind: MediaKind, sent_us: u64, delay_us: u64) -> Arrival {
        Arrival { from, kind, sent_us, delay_us }
    }

    #[test]
    fn counts_only_frames_made_in_the_window_against_every_receiver() {
        let window = Window { from_us: 1_000, to_us: 2_000 };
        // The presenter made two video frames and one audio frame in the window, one before, one after.
        let sent = vec![
            (MediaKind::Video, 900),
            (MediaKind::Video, 1_000),
            (MediaKind::Audio, 1_500),
            (MediaKind::Video, 1_999),
            (MediaKind::Video, 2_000),
        ];
        // Viewer 2 got everything; viewer 3 lost the second video frame; both got the
        // frames outside the window, which count on neither side.
        let got_2 = vec![
            arrival(1, MediaKind::Video, 900, 5),
            arrival(1, MediaKind::Video, 1_000, 1_000),
            arrival(1, MediaKind::Audio, 1_500, 2_000),
            arrival(1, MediaKind::Video, 1_999, 3_000),
            arrival(1, MediaKind::Video, 2_000, 5),
        ];
        let got_3 = vec![arrival(1, MediaKind::Video, 1_000, 4_000), arrival(1, MediaKind::Audio, 1_500, 6_000)];
        let participants = [
            Counted { id: 1, sent: &sent, arrivals: &[] },
            Counted { id: 2, sent: &[], arrivals: &got_2 },
            Counted { id: 3, sent: &[], arrivals: &got_3 },
        ];
        let t = tally(window, &participants, |_, _| 2);
        assert_eq!((t.video.sent, t.video.expected, t.video.received), (2, 4, 3));
        assert_eq!((t.audio.sent, t.audio.expected, t.audio.received), (1, 2, 2));
        assert_eq!((t.all.expected, t.all.received), (6, 5));
        assert!((t.video.loss - 0.25).abs() < 1e-9);
        assert_eq!(t.audio.loss, 0.0);
        assert_eq!(t.ignored, 2);
        assert_eq!(t.delay.count, 5);
        assert_eq!(t.delay.max_ms, 6.0);
        assert_eq!(t.delay_video.p50_ms, 3.0);
    }

    #[test]
    fn everyone_sends_to_everyone_else() {
        // A class of three, all sending audio: each frame is expected at the two others.
        let window = Window { from_us: 0, to_us: 100 };
        let sent = vec![(MediaKind::Audio, 10)];
        let from = |id| vec![arrival(id, MediaKind::Audio, 10, 1)];
        let (to_1, to_2, to_3) = ([from(2), from(3)].concat(), [from(1), from(3)].concat(), from(1));
        let participants = [
            Counted { id: 1, sent: &sent, arrivals: &to_1 },
            Counted { id: 2, sent: &sent, arrivals: &to_2 },
            Counted { id: 3, sent: &sent, arrivals: &to_3 },
        ];
        let t = tally(window, &participants, |_, _| 2);
        assert_eq!((t.audio.sent, t.audio.expected, t.audio.received), (3, 6, 5));
        assert!((t.audio.loss - 1.0 / 6.0).abs() < 1e-9);
        // An arrival from a stranger is not a frame of the call.
        let stray = [arrival(9, MediaKind::Audio, 10, 1)];
        let t = tally(window, &[Counted { id: 1, sent: &sent, arrivals: &stray }], |_, _| 0);
        assert_eq!((t.audio.expected, t.audio.received, t.ignored), (0, 0, 1));
        assert_eq!(t.audio.loss, 0.0);
    }
}
