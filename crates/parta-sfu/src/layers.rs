//! Which of a sender's simulcast layers one receiver is written, and at what RTP
//! times. A browser sends each layer as an RTP stream of its own, with a clock that
//! starts at random, pauses its top layer when its path narrows, and encodes a
//! keyframe of a layer only when asked; a receiver is written one stream, so a switch
//! of layers has to look to it like one stream going on.

use std::time::{Duration, Instant};

use str0m::media::{MediaTime, Rid};

use crate::Layer;

/// A sender's layers as the offer names them, the highest first: browsers name them
/// h/m/l or f/h/q.
pub(crate) fn layers_of(simulcast: Option<&str0m::media::Simulcast>) -> Vec<Rid> {
    let Some(simulcast) = simulcast else { return Vec::new() };
    let mut rids: Vec<Rid> = simulcast.send.iter().chain(&simulcast.recv).map(|l| l.rid).collect();
    let rank = |rid: &Rid| ["f", "h", "m", "q", "l"].iter().position(|r| Rid::from(*r) == *rid).unwrap_or(2);
    rids.sort_by_key(rank);
    rids.dedup();
    rids
}

/// The layer of `rids` that `layer` asks for (`None`: the only one).
pub(crate) fn pick(rids: &[Rid], layer: Layer) -> Option<Rid> {
    match layer {
        Layer::Low => rids.last().copied(),
        _ => rids.first().copied(),
    }
}

/// How long a switch to another layer waits for that layer's keyframe before it asks
/// again. It never starts without one: the new layer's other frames would be decoded
/// against the old layer's pictures, at the old size and garbled, and a receiver that
/// decodes without error asks for no keyframe itself (a lost request kept a receiver
/// on the low layer for good).
const SWITCH_WAIT: Duration = Duration::from_secs(1);

/// A layer not seen for this long, while another is, is taken as paused by its sender.
const PAUSED_AFTER: Duration = Duration::from_millis(1500);

/// One receiver's choice among one sender's layers, and the times it was written at.
#[derive(Default)]
pub(crate) struct Written {
    /// The layer written now (`None`: none yet, or none since the tile was hidden).
    rid: Option<Rid>,
    /// The layer to write: the one the receiver shows, or the nearest still sent.
    target: Option<Rid>,
    /// Since the target's keyframe was last asked for, while it differs from the layer
    /// written: until the keyframe comes the layer before goes on, so the picture never
    /// breaks up.
    switching_since: Option<Instant>,
    /// When each layer last came.
    seen: Vec<(Rid, Instant)>,
    /// Added to the written layer's RTP times (wrapping, as the timestamp does).
    offset: u64,
    /// The last frame written: its time as written, and when it came.
    last: Option<(u64, Instant)>,
}

impl Written {
    /// The layer written now.
    pub fn rid(&self) -> Option<Rid> {
        self.rid
    }

    /// The receiver shows the track otherwise: hidden, it starts afresh when shown again.
    pub fn shown(&mut self, layer: Layer) {
        if layer == Layer::Off {
            self.rid = None;
            self.target = None;
            self.switching_since = None;
        }
    }

    /// A frame of layer `rid` came at `at`, the receiver showing the track as `layer`
    /// of `rids`. Returns whether it is written, and the layer to ask a keyframe of
    /// when the layer to write changed.
    pub fn admit(
        &mut self,
        rids: &[Rid],
        layer: Layer,
        rid: Option<Rid>,
        at: Instant,
        keyframe: bool,
    ) -> (bool, Option<Rid>) {
        let Some(rid) = rid else { return (true, None) };
        match self.seen.iter_mut().find(|(r, _)| *r == rid) {
            Some(seen) => seen.1 = at,
            None => self.seen.push((rid, at)),
        }
        let target = self.target_of(rids, layer, at);
        let mut ask = None;
        if target != self.target {
            self.target = target;
            if self.rid.is_some() && target != self.rid {
                self.switching_since = Some(at);
                ask = target;
            } else {
                self.switching_since = None;
            }
        }
        let written = if Some(rid) != target {
            // The layer before, while the target has not started.
            Some(rid) == self.rid && self.switching_since.is_some()
        } else if Some(rid) == self.rid || self.rid.is_none() || keyframe {
            true
        } else {
            // The target without its keyframe yet: asked for again after a while (the
            // request or the keyframe may have been lost on the way).
            if let Some(since) = self.switching_since
                && at.saturating_duration_since(since) >= SWITCH_WAIT
            {
                self.switching_since = Some(at);
                ask = target;
            }
            false
        };
        (written, ask)
    }

    /// The layer `layer` asks for, or when the sender paused it, the nearest it still sends.
    fn target_of(&self, rids: &[Rid], layer: Layer, now: Instant) -> Option<Rid> {
        let wanted = pick(rids, layer);
        let live =
            |rid: &Rid| self.seen.iter().any(|(r, at)| r == rid && now.saturating_duration_since(*at) < PAUSED_AFTER);
        if wanted.as_ref().is_none_or(live) {
            return wanted;
        }
        let nearest =
            if layer == Layer::Low { rids.iter().rev().find(|r| live(r)) } else { rids.iter().find(|r| live(r)) };
        nearest.copied().or(wanted)
    }

    /// The time a written frame of `rid` (its own `time`, come at `at`) is written at:
    /// on a switch, on from the last time written by as much as passed since.
    pub fn time_of(&mut self, rid: Option<Rid>, time: MediaTime, at: Instant) -> MediaTime {
        let frequency = time.frequency();
        if rid != self.rid {
            self.rid = rid;
            self.switching_since = None;
            if let Some((last, last_at)) = self.last {
                let elapsed = at.saturating_duration_since(last_at).as_micros() as u64;
                let ticks = (elapsed * u64::from(frequency.get()) / 1_000_000).max(1);
                self.offset = last.wrapping_add(ticks).wrapping_sub(time.numer());
            }
        }
        let written = time.numer().wrapping_add(self.offset);
        if self.last.is_none_or(|(last, _)| written > last) {
            self.last = Some((written, at));
        }
        MediaTime::new(written, frequency)
    }
}

#[cfg(test)]
mod tests {
    use str0m::media::Frequency;

    use super::*;

    fn rids() -> Vec<Rid> {
        vec![Rid::from("h"), Rid::from("l")]
    }

    fn h() -> Option<Rid> {
        Some(Rid::from("h"))
    }

    fn l() -> Option<Rid> {
        Some(Rid::from("l"))
    }

    fn ms(base: Instant, n: u64) -> Instant {
        base + Duration::from_millis(n)
    }

    #[test]
    fn a_switch_waits_for_the_new_layers_keyframe_and_the_old_one_goes_on_meanwhile() {
        let t = Instant::now();
        let mut w = Written::default();
        assert_eq!(w.admit(&rids(), Layer::High, h(), t, false), (true, None));
        w.time_of(h(), MediaTime::from_90khz(1000), t);
        assert_eq!(w.admit(&rids(), Layer::High, l(), t, false), (false, None));
        // Shown small: the low layer's keyframe is asked for; until it comes, the top one.
        assert_eq!(w.admit(&rids(), Layer::Low, h(), ms(t, 33), false), (true, l()));
        assert_eq!(w.admit(&rids(), Layer::Low, l(), ms(t, 33), false), (false, None));
        assert_eq!(w.admit(&rids(), Layer::Low, l(), ms(t, 66), true), (true, None));
        w.time_of(l(), MediaTime::from_90khz(5_000_000), ms(t, 66));
        assert_eq!(w.admit(&rids(), Layer::Low, h(), ms(t, 70), false), (false, None));
        assert_eq!(w.rid(), l());
        // Large again, and no keyframe comes: the low layer goes on, and the top one's
        // keyframe is asked for again each second until it comes.
        assert_eq!(w.admit(&rids(), Layer::High, h(), ms(t, 100), false), (false, h()));
        assert_eq!(w.admit(&rids(), Layer::High, l(), ms(t, 100), false), (true, None));
        assert_eq!(w.admit(&rids(), Layer::High, h(), ms(t, 1099), false), (false, None));
        assert_eq!(w.admit(&rids(), Layer::High, h(), ms(t, 1100), false), (false, h()));
        assert_eq!(w.admit(&rids(), Layer::High, l(), ms(t, 1100), false), (true, None));
        assert_eq!(w.admit(&rids(), Layer::High, h(), ms(t, 1500), false), (false, None));
        assert_eq!(w.admit(&rids(), Layer::High, h(), ms(t, 2100), false), (false, h()));
        assert_eq!(w.admit(&rids(), Layer::High, h(), ms(t, 2133), true), (true, None));
        w.time_of(h(), MediaTime::from_90khz(6_000_000), ms(t, 2133));
        assert_eq!(w.admit(&rids(), Layer::High, l(), ms(t, 2140), false), (false, None));
        assert_eq!(w.admit(&rids(), Layer::High, h(), ms(t, 2166), false), (true, None));
    }

    #[test]
    fn a_paused_top_layer_gives_way_to_the_one_still_sent_until_it_comes_back() {
        let t = Instant::now();
        let mut w = Written::default();
        w.admit(&rids(), Layer::High, h(), t, true);
        w.time_of(h(), MediaTime::from_90khz(0), t);
        w.admit(&rids(), Layer::High, l(), t, true);
        // Only the low layer comes for a while: it is written, from its keyframe.
        assert_eq!(w.admit(&rids(), Layer::High, l(), ms(t, 1000), false), (false, None));
        assert_eq!(w.admit(&rids(), Layer::High, l(), ms(t, 1600), false), (false, l()));
        assert_eq!(w.admit(&rids(), Layer::High, l(), ms(t, 1633), true), (true, None));
        w.time_of(l(), MediaTime::from_90khz(77), ms(t, 1633));
        // The top layer is back: the receiver goes back to it at its keyframe.
        assert_eq!(w.admit(&rids(), Layer::High, h(), ms(t, 3000), false), (false, h()));
        assert_eq!(w.admit(&rids(), Layer::High, l(), ms(t, 3000), false), (true, None));
        assert_eq!(w.admit(&rids(), Layer::High, h(), ms(t, 3033), true), (true, None));
    }

    #[test]
    fn one_layer_is_written_as_it_comes_and_a_hidden_tile_starts_afresh() {
        let t = Instant::now();
        let mut w = Written::default();
        assert_eq!(w.admit(&[], Layer::High, None, t, false), (true, None));
        w.admit(&rids(), Layer::High, h(), t, false);
        w.time_of(h(), MediaTime::from_90khz(10), t);
        w.shown(Layer::Off);
        assert_eq!(w.rid(), None);
        assert_eq!(w.admit(&rids(), Layer::Low, l(), ms(t, 5000), false), (true, None));
    }

    #[test]
    fn the_written_clock_runs_on_across_a_switch_as_long_as_passed() {
        let t = Instant::now();
        let mut w = Written::default();
        let at = |n| MediaTime::new(n, Frequency::NINETY_KHZ);
        assert_eq!(w.time_of(h(), at(1_000), t).numer(), 1_000);
        assert_eq!(w.time_of(h(), at(4_000), ms(t, 33)).numer(), 4_000);
        // The low layer's clock is far behind: written on from 4000, 100 ms (9000 ticks) later.
        assert_eq!(w.time_of(l(), at(20), ms(t, 133)).numer(), 13_000);
        assert_eq!(w.time_of(l(), at(3_020), ms(t, 166)).numer(), 16_000);
        // And back to one far ahead.
        assert_eq!(w.time_of(h(), at(u64::from(u32::MAX) + 5), ms(t, 200)).numer(), 16_000 + 3_060);
        assert_eq!(w.time_of(h(), at(u64::from(u32::MAX) + 3_005), ms(t, 233)).numer(), 16_000 + 3_060 + 3_000);
    }
}
