//! Per-operation latency percentiles for scenarios that time single
//! operations (a request, a hand-off, an acquire): an HDR histogram that
//! records nanoseconds with 3 significant digits, turned into the results'
//! `Latency` at the end of a point.

use hdrhistogram::Histogram;

use crate::results::Latency;

/// Records latencies in nanoseconds, from 1 ns to an hour.
#[derive(Debug, Clone)]
pub struct Recorder {
    histogram: Histogram<u64>,
}

impl Default for Recorder {
    fn default() -> Self {
        Self::new()
    }
}

impl Recorder {
    pub fn new() -> Self {
        // 1 ns .. 1 hour at 3 significant digits: fixed bounds, so creation
        // cannot fail.
        let histogram = Histogram::new_with_bounds(1, 3_600_000_000_000, 3)
            .unwrap_or_else(|_| unreachable!("constant, valid histogram bounds"));
        Recorder { histogram }
    }

    /// Record one operation that took `ns` nanoseconds (clamped into range).
    pub fn record(&mut self, ns: u64) {
        self.histogram.saturating_record(ns.max(1));
    }

    /// Add everything another recorder saw (one per thread, merged at the end).
    pub fn merge(&mut self, other: &Recorder) {
        // Both have the same bounds, so adding cannot fail.
        let _ = self.histogram.add(&other.histogram);
    }

    /// Forget what was recorded (warm-up).
    pub fn clear(&mut self) {
        self.histogram.reset();
    }

    pub fn count(&self) -> u64 {
        self.histogram.len()
    }

    /// The percentiles, or `None` if nothing was recorded.
    pub fn latency(&self) -> Option<Latency> {
        if self.histogram.is_empty() {
            return None;
        }
        let at = |q: f64| self.histogram.value_at_quantile(q);
        Some(Latency {
            p50: at(0.50),
            p90: at(0.90),
            p99: at(0.99),
            p999: at(0.999),
            max: self.histogram.max(),
            count: self.histogram.len(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_follow_the_recorded_values() {
        let mut recorder = Recorder::new();
        assert!(recorder.latency().is_none());
        for ns in 1..=1000u64 {
            recorder.record(ns * 1000);
        }
        let latency = recorder.latency().expect("values were recorded");
        assert_eq!(latency.count, 1000);
        // 3 significant digits: within 0.1%.
        assert!(
            (latency.p50 as f64 - 500_000.0).abs() < 1_000.0,
            "{latency:?}"
        );
        assert!(
            (latency.p99 as f64 - 990_000.0).abs() < 1_000.0,
            "{latency:?}"
        );
        assert!(latency.max >= 999_000);
    }

    #[test]
    fn merging_adds_counts_and_clear_forgets() {
        let (mut a, mut b) = (Recorder::new(), Recorder::new());
        a.record(10);
        b.record(20);
        b.record(0);
        a.merge(&b);
        assert_eq!(a.count(), 3);
        a.clear();
        assert!(a.latency().is_none());
    }
}
