//! What a run's drift probes say about the machine: each probe's speed
//! relative to the run's median, and how often the wide probe read slow
//! against its fastest reading.

use super::schema::{DriftProbe, HarnessInfo};

impl HarnessInfo {
    /// The machine's speed at each probe relative to its median over the
    /// run (above 1: faster than usual), with the probe's time.
    pub fn relative_speed(&self) -> Vec<(u64, f64)> {
        self.relative(|p| Some(p.ns_per_step))
    }

    /// The wide probe's speed at each probe that timed it, relative to its
    /// fastest reading of the run (1: undisturbed, 0.5: twice as slow):
    /// the reference its slow count uses (`slow_wide`).
    pub fn relative_wide_speed(&self) -> Vec<(u64, f64)> {
        let timed = self.timed(|p| p.wide_ns_per_step);
        let times: Vec<f64> = timed.iter().map(|t| t.1).collect();
        let Some(fastest) = fastest(&times) else {
            return Vec::new();
        };
        relative_to(timed, fastest)
    }

    fn relative(&self, time: impl Fn(&DriftProbe) -> Option<f64>) -> Vec<(u64, f64)> {
        let timed = self.timed(time);
        let mut sorted: Vec<f64> = timed.iter().map(|t| t.1).collect();
        sorted.sort_by(f64::total_cmp);
        let Some(&median) = sorted.get(sorted.len() / 2) else {
            return Vec::new();
        };
        relative_to(timed, median)
    }

    /// (ms since the run began, its time) of each probe that has one.
    fn timed(&self, time: impl Fn(&DriftProbe) -> Option<f64>) -> Vec<(u64, f64)> {
        self.drift
            .iter()
            .filter_map(|p| Some((p.at_ms, time(p)?)))
            .collect()
    }

    /// How often the wide probe read slow: of the probes that timed it,
    /// how many were at least `WIDE_SLOW` times its fastest reading of the
    /// run (`slow_wide`), the slowest over that fastest, and how many
    /// timed it. None when no probe did.
    pub fn wide_slowdowns(&self) -> Option<(usize, f64, usize)> {
        let times: Vec<f64> = self
            .timed(|p| p.wide_ns_per_step)
            .into_iter()
            .map(|t| t.1)
            .collect();
        let (slow, fastest) = slow_wide(&times, &times)?;
        let worst = times.iter().copied().fold(fastest, f64::max) / fastest;
        Some((slow, worst, times.len()))
    }
}

/// Each (ms, time) as `reference` over the time: its speed relative to it.
fn relative_to(timed: Vec<(u64, f64)>, reference: f64) -> Vec<(u64, f64)> {
    timed
        .into_iter()
        .map(|(at_ms, ns)| (at_ms, reference / ns.max(f64::MIN_POSITIVE)))
        .collect()
}

/// A wide probe this many times its run's fastest reading reads as
/// slowed.
pub const WIDE_SLOW: f64 = 1.2;

/// Of `readings` (the wide probe's ns per step), how many are at least
/// `WIDE_SLOW` times the fastest of `reference` (the run's readings so
/// far, `readings` among them), with that fastest; None when `reference`
/// has none. The fastest, not the median: the wide work has one
/// undisturbed speed (1.005 ns a step on this VM in 14 of 15 runs) and a
/// busy neighbour only slows it, so where most of a run's probes were
/// slowed, its median was a slowed reading too, and a run with 72% of its
/// probes 1.2x its fastest or slower counted 1% of them slow against its
/// median.
pub fn slow_wide(readings: &[f64], reference: &[f64]) -> Option<(usize, f64)> {
    let fastest = fastest(reference)?;
    let slow = readings
        .iter()
        .filter(|&&t| t >= WIDE_SLOW * fastest)
        .count();
    Some((slow, fastest))
}

/// The fastest (smallest, positive) of `readings`; None when none is.
fn fastest(readings: &[f64]) -> Option<f64> {
    let fastest = readings
        .iter()
        .copied()
        .filter(|t| *t > 0.0)
        .fold(f64::INFINITY, f64::min);
    fastest.is_finite().then_some(fastest)
}

/// From this share of its wide probes read slow, a run (or a group of
/// points, `machine_busy_pct`) had the machine busy.
pub const BUSY_SHARE: f64 = 0.10;
