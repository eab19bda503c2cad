//! What a run's drift probes say about the machine: each probe's speed
//! relative to the run's median, and how often the wide probe read slow.

use super::schema::{DriftProbe, HarnessInfo};

impl HarnessInfo {
    /// The machine's speed at each probe relative to its median over the
    /// run (above 1: faster than usual), with the probe's time.
    pub fn relative_speed(&self) -> Vec<(u64, f64)> {
        self.relative(|p| Some(p.ns_per_step))
    }

    /// The same for the wide probe, at the probes that timed it.
    pub fn relative_wide_speed(&self) -> Vec<(u64, f64)> {
        self.relative(|p| p.wide_ns_per_step)
    }

    fn relative(&self, time: impl Fn(&DriftProbe) -> Option<f64>) -> Vec<(u64, f64)> {
        let timed: Vec<(u64, f64)> = self
            .drift
            .iter()
            .filter_map(|p| Some((p.at_ms, time(p)?)))
            .collect();
        let mut sorted: Vec<f64> = timed.iter().map(|t| t.1).collect();
        sorted.sort_by(f64::total_cmp);
        let Some(&median) = sorted.get(sorted.len() / 2) else {
            return Vec::new();
        };
        timed
            .into_iter()
            .map(|(at_ms, ns)| (at_ms, median / ns.max(f64::MIN_POSITIVE)))
            .collect()
    }

    /// How often the wide probe read slow: of the probes that timed it,
    /// how many were at least `WIDE_SLOW` times its median over the run,
    /// the slowest such reading over that median, and how many timed it.
    /// None when no probe did.
    pub fn wide_slowdowns(&self) -> Option<(usize, f64, usize)> {
        let mut times: Vec<f64> = self
            .drift
            .iter()
            .filter_map(|p| p.wide_ns_per_step)
            .collect();
        times.sort_by(f64::total_cmp);
        let median = *times.get(times.len() / 2)?;
        let slow = times.iter().filter(|&&t| t >= WIDE_SLOW * median).count();
        let worst = times
            .last()
            .map_or(1.0, |&t| t / median.max(f64::MIN_POSITIVE));
        Some((slow, worst, times.len()))
    }
}

/// A wide probe this many times its run's median reads as slowed.
pub const WIDE_SLOW: f64 = 1.2;

/// From this share of its wide probes read slow, a run (or a group of
/// points, `machine_busy_pct`) had the machine busy.
pub const BUSY_SHARE: f64 = 0.10;
