//! Latency percentiles over a sorted vector (exact, no binning): a run records a few
//! million values at most, which sort in well under a second.

use serde::Serialize;

/// Latencies in microseconds.
#[derive(Debug, Default, Clone)]
pub struct Latencies {
    values: Vec<u32>,
}

impl Latencies {
    pub fn record_ns(&mut self, ns: u64) {
        self.values.push(u32::try_from(ns / 1_000).unwrap_or(u32::MAX));
    }

    pub fn record_us(&mut self, us: u32) {
        self.values.push(us);
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn summary(&self) -> Summary {
        let mut sorted = self.values.clone();
        sorted.sort_unstable();
        Summary::of_sorted(&sorted)
    }
}

/// The value at quantile `q` (0 < q ≤ 1) by nearest rank: the smallest value with at
/// least `q` of all values at or below it. 0 for no values.
pub fn percentile(sorted: &[u32], q: f64) -> u32 {
    if sorted.is_empty() {
        return 0;
    }
    let n = sorted.len();
    let rank = ((q * n as f64).ceil() as usize).clamp(1, n);
    sorted[rank - 1]
}

/// Percentiles in milliseconds.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq)]
pub struct Summary {
    pub count: usize,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub p999_ms: f64,
    pub max_ms: f64,
    pub mean_ms: f64,
}

impl Summary {
    pub fn of_sorted(sorted: &[u32]) -> Summary {
        let ms = |us: u32| f64::from(us) / 1_000.0;
        let mean = if sorted.is_empty() {
            0.0
        } else {
            sorted.iter().map(|&v| f64::from(v)).sum::<f64>() / sorted.len() as f64 / 1_000.0
        };
        Summary {
            count: sorted.len(),
            p50_ms: ms(percentile(sorted, 0.50)),
            p90_ms: ms(percentile(sorted, 0.90)),
            p99_ms: ms(percentile(sorted, 0.99)),
            p999_ms: ms(percentile(sorted, 0.999)),
            max_ms: ms(sorted.last().copied().unwrap_or(0)),
            mean_ms: mean,
        }
    }

    pub fn line(&self) -> String {
        format!(
            "n={} p50={:.2} p99={:.2} p99.9={:.2} max={:.2} ms",
            self.count, self.p50_ms, self.p99_ms, self.p999_ms, self.max_ms
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let values: Vec<u32> = (1..=1000).collect();
        assert_eq!(percentile(&values, 0.5), 500);
        assert_eq!(percentile(&values, 0.99), 990);
        assert_eq!(percentile(&values, 0.999), 999);
        assert_eq!(percentile(&values, 1.0), 1000);
        assert_eq!(percentile(&values, 0.0001), 1);
    }

    #[test]
    fn small_and_empty_sets() {
        assert_eq!(percentile(&[], 0.99), 0);
        assert_eq!(percentile(&[7], 0.5), 7);
        assert_eq!(percentile(&[7], 0.999), 7);
        // Of ten values the 99th percentile is the largest: one in ten is above p90.
        let ten: Vec<u32> = (1..=10).collect();
        assert_eq!(percentile(&ten, 0.9), 9);
        assert_eq!(percentile(&ten, 0.99), 10);
        assert_eq!(Summary::of_sorted(&[]), Summary::default());
    }

    #[test]
    fn latencies_are_kept_in_microseconds_and_summarised_in_milliseconds() {
        let mut latencies = Latencies::default();
        for ms in [3_u64, 1, 2, 4] {
            latencies.record_ns(ms * 1_000_000);
        }
        latencies.record_ns(u64::MAX);
        let summary = latencies.summary();
        assert_eq!(summary.count, 5);
        assert_eq!(summary.p50_ms, 3.0);
        assert_eq!(summary.max_ms, f64::from(u32::MAX) / 1_000.0);
        latencies.record_us(1);
        assert_eq!(latencies.len(), 6);
    }
}
