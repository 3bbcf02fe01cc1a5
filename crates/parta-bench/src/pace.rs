//! Open-loop pacing: message `i` is due at `i / rate` seconds after the start,
//! whether or not earlier sends have been answered, and it carries that due time,
//! so a server that falls behind shows as latency instead of a slower generator
//! (no coordinated omission). Which chat each message goes to is a fixed mix.

/// Nanoseconds after the start at which message `i` of a run at `rate`/s is due.
pub fn due_ns(i: u64, rate: f64) -> u64 {
    (i as f64 * 1e9 / rate) as u64
}

/// Messages in a run of `secs` seconds at `rate`/s.
pub fn total(rate: f64, secs: f64) -> u64 {
    (rate * secs).round().max(0.0) as u64
}

/// Spreads messages over chats: `channel_rate` of every second's messages go to the
/// channel (evenly spaced), the others round-robin over the regular chats.
#[derive(Debug, Clone)]
pub struct Mix {
    regular: usize,
    /// Every `channel_every`-th message goes to the channel; 0: none do.
    channel_every: u64,
}

/// Where one message goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pick {
    Regular(usize),
    Channel,
}

impl Mix {
    pub fn new(regular: usize, rate: f64, channel_rate: f64) -> Mix {
        let channel_every = if channel_rate > 0.0 {
            if regular == 0 { 1 } else { (rate / channel_rate).round().max(1.0) as u64 }
        } else {
            0
        };
        Mix { regular, channel_every }
    }

    pub fn pick(&self, i: u64) -> Pick {
        if self.channel_every > 0 && (i + 1).is_multiple_of(self.channel_every) {
            return Pick::Channel;
        }
        // The index among regular messages only, so every chat gets its turn.
        let before = (i + 1).checked_div(self.channel_every).unwrap_or(0);
        let regular_index = i - before;
        Pick::Regular((regular_index % self.regular.max(1) as u64) as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_due_evenly() {
        assert_eq!(due_ns(0, 1000.0), 0);
        assert_eq!(due_ns(1, 1000.0), 1_000_000);
        assert_eq!(due_ns(1000, 1000.0), 1_000_000_000);
        assert_eq!(due_ns(3, 4.0), 750_000_000);
        assert_eq!(total(1000.0, 60.0), 60_000);
        assert_eq!(total(0.5, 3.0), 2);
        let dues: Vec<u64> = (0..100).map(|i| due_ns(i, 333.0)).collect();
        assert!(dues.windows(2).all(|w| w[1] > w[0]));
    }

    #[test]
    fn the_channel_gets_its_rate_and_the_rest_round_robin() {
        let mix = Mix::new(3, 10.0, 1.0);
        let picks: Vec<Pick> = (0..20).map(|i| mix.pick(i)).collect();
        let channel = picks.iter().filter(|p| **p == Pick::Channel).count();
        assert_eq!(channel, 2);
        assert_eq!(picks[9], Pick::Channel);
        assert_eq!(picks[19], Pick::Channel);
        let regular: Vec<usize> = picks
            .iter()
            .filter_map(|p| match p {
                Pick::Regular(r) => Some(*r),
                Pick::Channel => None,
            })
            .collect();
        assert_eq!(regular, [0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2]);
    }

    #[test]
    fn without_a_channel_rate_all_messages_are_regular_and_without_chats_all_go_to_the_channel() {
        let mix = Mix::new(2, 100.0, 0.0);
        assert!((0..50).all(|i| mix.pick(i) != Pick::Channel));
        let only_channel = Mix::new(0, 1.0, 1.0);
        assert!((0..5).all(|i| only_channel.pick(i) == Pick::Channel));
    }
}
