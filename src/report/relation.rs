//! How one point relates to another: its time per operation over the
//! other's, round by round when the two were measured in the same
//! interleaved rounds (`stats::ratio_estimate`), else from each point's own
//! samples; with a 95% interval where the data give one, and the drift the
//! machine showed meanwhile. Findings and answers both read it.

use crate::results::PointResult;
use crate::stats;

/// How far apart two points must be, at the near end of the 95% interval
/// of their ratio, for a finding to state the difference or an answer to
/// name a winner: 10%. Five quick runs in a row on a 2-vCPU VM moved
/// single queue points by 1.4-2.5x from run to run while each run's own
/// interval was a few percent wide (which thread lands where, whether a
/// consumer spins or sleeps, is drawn once per run), and differences of
/// 2-30% changed hands between runs (a worker pool 1.02x faster in four
/// runs was 2.02x slower in the fifth). A smaller difference is reported
/// with its figures but not stated. asv's regression detection uses the
/// same factor by default.
pub const CLEAR_LEAD: f64 = 1.10;

/// `3.2x`, or `198x` once the ratio is large.
pub(super) fn times(ratio: f64) -> String {
    if ratio >= 10.0 {
        format!("{ratio:.0}x")
    } else {
        format!("{ratio:.2}x")
    }
}

/// An interval's bounds as its ratio is written: whole numbers from 10 on
/// (as `times` writes them), else two decimals.
fn bounds(lo: f64, hi: f64) -> String {
    if lo >= 10.0 {
        format!("{lo:.0}–{hi:.0}")
    } else {
        format!("{lo:.2}–{hi:.2}")
    }
}

/// A point's median time per operation (0 without a summary).
pub(super) fn median(point: &PointResult) -> f64 {
    point.summary.as_ref().map_or(0.0, |s| s.ns_per_op.median)
}

/// How `other` relates to `reference`: its time per operation over the
/// reference's, with a 95% interval when the data give one.
pub(super) struct Relation {
    pub ratio: f64,
    /// The 95% interval of `ratio`; None when the rounds (fewer than 6) or
    /// the samples (fewer than 7 on either side, measured apart) are too
    /// few for one. Without it no difference is stated.
    pub interval: Option<(f64, f64)>,
    /// Rounds it was paired over; 0 when the two were measured apart.
    pub rounds: usize,
    /// When the two were measured in several fresh processes: how many,
    /// the unit of `interval` (0 otherwise).
    pub processes: usize,
    /// The most the machine's speed moved (drift monitor, in %) while
    /// either point's group was measured; None when neither group had
    /// probes enough to say.
    drift_pct: Option<f64>,
}

impl Relation {
    /// Whether the interval excludes "no difference".
    pub fn differs(&self) -> bool {
        self.interval.is_some_and(|(lo, hi)| lo > 1.0 || hi < 1.0)
    }

    /// Whether the interval clears a `CLEAR_LEAD` difference either way:
    /// what a finding states.
    pub fn clearly_differs(&self) -> bool {
        self.interval
            .is_some_and(|(lo, hi)| lo >= CLEAR_LEAD || hi <= 1.0 / CLEAR_LEAD)
    }

    /// The interval's bounds read through `shown` (e.g. the inverse, for a
    /// speedup), low first.
    pub fn shown_interval(&self, shown: impl Fn(f64) -> f64) -> Option<(f64, f64)> {
        self.interval.map(|(lo, hi)| {
            let (a, b) = (shown(lo), shown(hi));
            (a.min(b), a.max(b))
        })
    }

    /// How the interval was had, for the finding's text: `lo`-`hi` shown
    /// through `shown` (e.g. the inverse, for a speedup).
    pub fn basis(&self, shown: impl Fn(f64) -> f64) -> String {
        let within = if self.processes > 0 {
            format!(
                " in {} fresh processes (the interval is over the processes; {} needed)",
                self.processes,
                stats::MIN_FOR_INTERVAL
            )
        } else {
            String::new()
        };
        let basis = match (self.shown_interval(shown), self.rounds) {
            (Some((lo, hi)), 0) => format!(
                "not paired in time: measured apart, so the interval {} cannot see the machine's drift between them",
                bounds(lo, hi)
            ),
            (Some((lo, hi)), rounds) => {
                format!(
                    "paired over {rounds} interleaved rounds{within}, 95% interval {}",
                    bounds(lo, hi)
                )
            }
            (None, 0) => {
                "not paired in time, and too few samples for a 95% interval (7 each needed)"
                    .to_string()
            }
            (None, rounds) if self.processes > 0 => format!(
                "paired over {rounds} interleaved rounds{within}: too few processes for a 95% interval, so no difference is stated"
            ),
            (None, rounds) => format!(
                "paired over {rounds} interleaved rounds: too few for a 95% interval ({} needed), so no difference is stated",
                stats::MIN_FOR_INTERVAL
            ),
        };
        let effect_pct = 100.0 * (self.ratio.max(1.0 / self.ratio.max(f64::MIN_POSITIVE)) - 1.0);
        match self.drift_pct {
            Some(drift) if drift > effect_pct => format!(
                "{basis}; ⚠ the machine's speed moved {drift:.0}% while they were measured, more than this {effect_pct:.0}% difference"
            ),
            _ => basis,
        }
    }
}

/// `other` against `reference`: round by round when they shared rounds
/// (`stats::ratio_estimate`), else from each point's own samples, each
/// median's interval at 97.5% so that the two together hold at 95%.
pub(super) fn relate(reference: &PointResult, other: &PointResult) -> Relation {
    let drift = |p: &PointResult| p.metrics.get("machine_drift_pct").map(|d| d.abs());
    let drift_pct = match (drift(reference), drift(other)) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };
    if let Some(groups) = reference.paired_ratios_by_draw(other) {
        let e = stats::ratio_estimate_by_draw(&groups);
        return Relation {
            ratio: e.ratio,
            interval: e.interval,
            rounds: groups.iter().map(Vec::len).sum(),
            processes: e.rounds,
            drift_pct,
        };
    }
    if let Some(ratios) = reference.paired_ratios(other) {
        let e = stats::ratio_estimate(&ratios);
        return Relation {
            ratio: e.ratio,
            interval: e.interval,
            rounds: e.rounds,
            processes: 0,
            drift_pct,
        };
    }
    let tiny = f64::MIN_POSITIVE;
    let interval = apart_interval(reference)
        .zip(apart_interval(other))
        .map(|((lo0, hi0), (lo1, hi1))| (lo1 / hi0.max(tiny), hi1 / lo0.max(tiny)));
    Relation {
        ratio: median(other) / median(reference).max(tiny),
        interval,
        rounds: 0,
        processes: 0,
        drift_pct,
    }
}

/// A point's median ns/op interval at 97.5%, from its samples.
fn apart_interval(point: &PointResult) -> Option<(f64, f64)> {
    let mut per_op: Vec<f64> = point
        .samples
        .iter()
        .map(|s| s.ns as f64 / s.ops.max(1) as f64)
        .collect();
    per_op.sort_by(f64::total_cmp);
    stats::median_interval_at(&per_op, 0.975)
}
