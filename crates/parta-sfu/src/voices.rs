//! Which voices a room hears. The unit forwards the few loudest voices of a room, not
//! all of them (Google Meet forwards three): a phone in a class of 30 receives three
//! audio streams instead of 29, and 27 open microphones' room noise stays out of the
//! call. A voice keeps its place while it speaks; a louder one takes the place of the
//! quietest, and a voice that stopped sending gives its place up.

use std::time::{Duration, Instant};

use crate::PeerId;

/// Voices forwarded in a room at once.
pub(crate) const HEARD: usize = 3;
/// A voice with no packet for this long counts as silent (muted, or gone quiet in a
/// way its client does not send).
const STALE: Duration = Duration::from_millis(300);
/// How much louder (dB) a voice must be than the quietest heard one to take its place,
/// so two voices of about the same loudness do not swap places on every packet.
const MARGIN: f32 = 3.0;
/// Silence, in dBov.
pub(crate) const SILENT: f32 = -127.0;

/// A voice's loudness as it is judged: rises at once with speech (so the first words
/// are heard) and falls slowly in the pauses between words (so a speaker keeps their
/// place while breathing). `level` and `sample` in dBov, 0 the loudest.
pub(crate) fn follow(level: f32, sample: f32) -> f32 {
    let keep = if sample > level { 0.5 } else { 0.95 };
    level * keep + sample * (1.0 - keep)
}

struct Voice {
    peer: PeerId,
    level: f32,
    at: Instant,
}

impl Voice {
    fn level_at(&self, now: Instant) -> f32 {
        if now.saturating_duration_since(self.at) > STALE { SILENT } else { self.level }
    }
}

/// The voices one room hears now.
#[derive(Default)]
pub(crate) struct Voices {
    heard: Vec<Voice>,
}

impl Voices {
    /// Whether a packet of `peer`'s voice, now as loud as `level`, is forwarded.
    pub fn admit(&mut self, peer: PeerId, level: f32, now: Instant) -> bool {
        if let Some(voice) = self.heard.iter_mut().find(|v| v.peer == peer) {
            voice.level = level;
            voice.at = now;
            return true;
        }
        let voice = Voice { peer, level, at: now };
        if self.heard.len() < HEARD {
            self.heard.push(voice);
            return true;
        }
        let quietest = (0..self.heard.len())
            .min_by(|&a, &b| self.heard[a].level_at(now).total_cmp(&self.heard[b].level_at(now)))
            .expect("heard is full");
        if level > self.heard[quietest].level_at(now) + MARGIN {
            self.heard[quietest] = voice;
            return true;
        }
        false
    }

    /// A peer left: its place is free.
    pub fn forget(&mut self, peer: PeerId) {
        self.heard.retain(|v| v.peer != peer);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn the_first_three_voices_are_heard_and_a_fourth_as_quiet_is_not() {
        let mut voices = Voices::default();
        let now = Instant::now();
        for peer in 1..=3 {
            assert!(voices.admit(PeerId(peer), -40.0, now));
        }
        assert!(!voices.admit(PeerId(4), -40.0, now), "no louder than those heard");
        assert!(!voices.admit(PeerId(4), -38.0, now), "louder, but within the margin");
        assert!(voices.admit(PeerId(1), -60.0, now), "a heard voice stays heard when it quietens");
    }

    #[test]
    fn a_louder_voice_takes_the_quietest_place() {
        let mut voices = Voices::default();
        let now = Instant::now();
        voices.admit(PeerId(1), -20.0, now);
        voices.admit(PeerId(2), -65.0, now);
        voices.admit(PeerId(3), -30.0, now);
        assert!(voices.admit(PeerId(4), -35.0, now), "louder than the room noise of 2 by more than the margin");
        assert!(!voices.admit(PeerId(2), -65.0, now), "2 lost its place");
        for peer in [1, 3, 4] {
            assert!(voices.admit(PeerId(peer), -40.0, now), "{peer} is heard");
        }
    }

    #[test]
    fn a_voice_that_stopped_sending_gives_its_place_up() {
        let mut voices = Voices::default();
        let start = Instant::now();
        for peer in 1..=3 {
            voices.admit(PeerId(peer), -10.0, start);
        }
        assert!(!voices.admit(PeerId(4), -60.0, start + ms(200)));
        // 1 and 2 keep speaking; 3 was muted and sends nothing.
        let later = start + ms(400);
        voices.admit(PeerId(1), -10.0, later);
        voices.admit(PeerId(2), -10.0, later);
        assert!(voices.admit(PeerId(4), -60.0, later), "3's place is free");
        assert!(!voices.admit(PeerId(3), -58.0, later), "3 comes back to a full room, not loud enough");
    }

    #[test]
    fn a_peer_that_left_frees_its_place() {
        let mut voices = Voices::default();
        let now = Instant::now();
        for peer in 1..=3 {
            voices.admit(PeerId(peer), -10.0, now);
        }
        voices.forget(PeerId(2));
        assert!(voices.admit(PeerId(4), SILENT, now));
    }

    #[test]
    fn loudness_rises_at_once_and_falls_slowly() {
        let mut level = -70.0;
        for _ in 0..3 {
            level = follow(level, -30.0);
        }
        assert!(level > -36.0, "three packets of speech: {level}");
        let speaking = level;
        level = follow(level, -70.0);
        assert!(level > speaking - 3.0, "one quiet packet barely lowers it: {level}");
    }
}
