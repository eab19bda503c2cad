//! The CI regression gate. Pairs the points of base and new runs (one or
//! several invocations per side) by id, puts a bootstrap interval on each
//! ratio new/base, and gives each a verdict against its threshold. The
//! `concbench compare` command around it is `command`.

pub mod bootstrap;
pub mod command;
pub mod duet;
pub mod interleaved;
pub mod output;
pub mod paired;
pub mod side;
mod signed_rank;
pub mod thresholds;
pub mod verdict;

use serde::{Deserialize, Serialize};

use crate::results::RunResults;
use side::Side;
use thresholds::Thresholds;
use verdict::Verdict;

/// v2: `p_value` is the confirmation's test against the threshold, intervals
/// may be absent (under 6 blocks or samples), `pairs_set_aside` is new.
pub const SCHEMA: &str = "concbench.gate/2";

/// The verdict on one point.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PointVerdict {
    pub id: String,
    pub verdict: Verdict,
    pub threshold_pct: f64,
    /// new/base of ns per operation, with its 95% interval (absent when a
    /// side did not measure; the interval also when fewer than 6 blocks
    /// were measured). In the interleaved gate the medians beside it come
    /// from the same blocks (the confirmation's, for a confirmed suspect).
    pub ratio: Option<f64>,
    pub ratio_lo: Option<f64>,
    pub ratio_hi: Option<f64>,
    pub base_ns_per_op: Option<f64>,
    pub new_ns_per_op: Option<f64>,
    pub base_samples: usize,
    pub new_samples: usize,
    /// For uncertain points: roughly how many more samples per side (or
    /// invocations per side) would settle the verdict.
    pub more_samples: Option<u64>,
    pub more_invocations: Option<u64>,
    pub note: Option<String>,
    /// Interleaved gate only: blocks and sample pairs measured, and for a
    /// confirmed suspect the confirmation's one-sided signed-rank p-value
    /// against the threshold ("no more than threshold slower", or faster);
    /// absent when no confirmation ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blocks: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pairs: Option<u64>,
    /// Interleaved gate only: of those pairs, how many were left out of
    /// their blocks' ratios because the two builds' samples ran in
    /// different placements (one on a CPU, the other spread).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pairs_set_aside: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p_value: Option<f64>,
    /// Interleaved gate only: seconds spent on the point, and each block's
    /// ln(new/base), screening blocks first (their spread is the point's
    /// noise on this machine, from which the power a budget buys follows).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spent_s: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub screening_log_ratios: Option<Vec<f64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmation_log_ratios: Option<Vec<f64>>,
    /// Interleaved gate only: for each block, in the order of the log
    /// ratios above, which of the builds' private copies it ran (both
    /// builds take the same index; 0 to `--copies` - 1), and whether the new
    /// build's worker was started first. A point whose ratio differs by copy
    /// or by start order shows it here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_copies: Option<Vec<u64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_new_first: Option<Vec<bool>>,
}

/// Everything `compare` found.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct GateOutcome {
    pub schema: String,
    pub base_runs: Vec<String>,
    pub new_runs: Vec<String>,
    /// Set when the two sides ran on different machines.
    pub host_warning: Option<String>,
    pub points: Vec<PointVerdict>,
    pub only_in_base: Vec<String>,
    pub only_in_new: Vec<String>,
    /// How the verdicts were reached, when not from results files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
}

impl GateOutcome {
    pub fn count(&self, verdict: Verdict) -> usize {
        self.points.iter().filter(|p| p.verdict == verdict).count()
    }

    pub fn failed(&self) -> bool {
        self.points.iter().any(|p| p.verdict.fails())
    }
}

/// Compare `new` against `base`; each side is one or more runs of the same build.
pub fn compare(base: &[RunResults], new: &[RunResults], thresholds: &Thresholds) -> GateOutcome {
    let mut ids: Vec<&str> = Vec::new();
    for point in new.iter().chain(base).flat_map(|r| &r.results) {
        if !ids.contains(&point.id.as_str()) {
            ids.push(&point.id);
        }
    }
    let present =
        |side: &[RunResults], id: &str| side.iter().any(|r| r.results.iter().any(|p| p.id == id));
    let mut outcome = GateOutcome {
        schema: SCHEMA.to_string(),
        base_runs: base.iter().map(|r| r.run.id.clone()).collect(),
        new_runs: new.iter().map(|r| r.run.id.clone()).collect(),
        host_warning: host_warning(base, new),
        points: Vec::new(),
        only_in_base: Vec::new(),
        only_in_new: Vec::new(),
        method: None,
    };
    for (index, id) in ids.into_iter().enumerate() {
        match (present(base, id), present(new, id)) {
            (true, true) => {
                outcome
                    .points
                    .push(judge_point(id, base, new, thresholds, index as u64))
            }
            (true, false) => outcome.only_in_base.push(id.to_string()),
            _ => outcome.only_in_new.push(id.to_string()),
        }
    }
    outcome
}

impl PointVerdict {
    /// A point with no figures yet: not comparable, no note.
    fn blank(id: &str, threshold: f64) -> PointVerdict {
        PointVerdict {
            id: id.to_string(),
            verdict: Verdict::NotComparable,
            threshold_pct: threshold * 100.0,
            ratio: None,
            ratio_lo: None,
            ratio_hi: None,
            base_ns_per_op: None,
            new_ns_per_op: None,
            base_samples: 0,
            new_samples: 0,
            more_samples: None,
            more_invocations: None,
            note: None,
            blocks: None,
            pairs: None,
            pairs_set_aside: None,
            p_value: None,
            spent_s: None,
            screening_log_ratios: None,
            confirmation_log_ratios: None,
            block_copies: None,
            block_new_first: None,
        }
    }

    /// Add `text` to the note, after what it already says.
    fn add_note(&mut self, text: String) {
        self.note = Some(match self.note.take() {
            Some(note) => format!("{note}; {text}"),
            None => text,
        });
    }
}

/// Each side's runs of `id`: per-sample ns/op of those that measured it,
/// and those that skipped it, failed, or deadlocked as meant.
fn invocations<'a>(side: &'a [RunResults], id: &str) -> Side<'a> {
    Side::of(side, id)
}

fn judge_point(
    id: &str,
    base: &[RunResults],
    new: &[RunResults],
    thresholds: &Thresholds,
    seed: u64,
) -> PointVerdict {
    let (base_side, new_side) = (invocations(base, id), invocations(new, id));
    let (family, scenario) = new_side
        .first
        .or(base_side.first)
        .map_or(("", ""), |p| (p.family.name(), p.scenario.as_str()));
    let threshold = thresholds.for_point(family, scenario, id);
    let mut verdict = PointVerdict::blank(id, threshold);
    (verdict.base_samples, verdict.new_samples) = (base_side.samples(), new_side.samples());
    if let Some((decided, note)) = side::unjudgeable(&base_side, &new_side) {
        verdict.verdict = decided;
        verdict.note = Some(note);
        return verdict;
    }
    if !base_side.failed.is_empty() {
        let note = base_side.failure_note("base");
        verdict.add_note(format!("{note}; judged on the others"));
    }
    let (base_runs, new_runs) = (&base_side.measured, &new_side.measured);
    verdict.base_ns_per_op = Some(bootstrap::side_estimate(base_runs));
    verdict.new_ns_per_op = Some(bootstrap::side_estimate(new_runs));
    let Some(r) = bootstrap::ratio(base_runs, new_runs, 0x9a7e ^ seed) else {
        let (b, n) = (verdict.base_samples, verdict.new_samples);
        verdict.ratio = verdict
            .new_ns_per_op
            .zip(verdict.base_ns_per_op)
            .map(|(n, b)| n / b);
        verdict.verdict = Verdict::Uncertain;
        verdict.add_note(format!(
            "too few samples for a 95% interval ({b} base, {n} new; 6 a side needed)"
        ));
        return verdict;
    };
    verdict.verdict = verdict::judge(&r, threshold);
    (verdict.ratio, verdict.ratio_lo, verdict.ratio_hi) = (Some(r.ratio), Some(r.lo), Some(r.hi));
    if verdict.verdict == Verdict::Uncertain {
        let runs = base_runs.len().min(new_runs.len());
        settle(&mut verdict, &r, threshold, runs);
    }
    verdict
}

/// For an uncertain point: how many more samples or runs per side would
/// narrow the interval enough to settle it; at least one of each, since an
/// interval that straddles a bound has not settled.
fn settle(verdict: &mut PointVerdict, r: &bootstrap::Ratio, threshold: f64, runs: usize) {
    match verdict::growth_to_settle(r, threshold) {
        Some(growth) => {
            let more = |count: f64| ((count * (growth - 1.0)).ceil() as u64).max(1);
            let per_side = verdict.base_samples.min(verdict.new_samples) as f64;
            verdict.more_samples = Some(more(per_side));
            verdict.more_invocations = Some(more(runs as f64));
        }
        None => verdict
            .add_note("the estimate sits on the threshold: no sample count settles it".into()),
    }
}

/// A warning when the sides ran on different CPUs or core counts.
fn host_warning(base: &[RunResults], new: &[RunResults]) -> Option<String> {
    let hosts = |side: &[RunResults]| {
        let mut seen: Vec<(String, usize)> = side
            .iter()
            .map(|r| (r.host.cpu_model.clone(), r.host.logical_cores))
            .collect();
        seen.dedup();
        seen
    };
    let (b, n) = (hosts(base), hosts(new));
    (b != n).then(|| {
        let show = |h: &[(String, usize)]| {
            h.iter()
                .map(|(cpu, cores)| format!("{cpu} x {cores} cores"))
                .collect::<Vec<_>>()
                .join("; ")
        };
        format!(
            "base and new ran on different hosts (base: {}; new: {}): ratios mix machine and code",
            show(&b),
            show(&n)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_uncertain_point_always_asks_for_more() {
        // Straddles 1.05 by a hair on its upper side: growth about 1.0004,
        // which rounded to ~0 more runs with 1 run per side.
        let r = bootstrap::Ratio {
            ratio: 1.0,
            lo: 0.99,
            hi: 1.050_02,
        };
        assert_eq!(verdict::judge(&r, 0.05), Verdict::Uncertain);
        let mut verdict = PointVerdict::blank("spawn.a/x", 0.05);
        (verdict.base_samples, verdict.new_samples) = (20, 20);
        settle(&mut verdict, &r, 0.05, 1);
        assert_eq!(
            (verdict.more_samples, verdict.more_invocations),
            (Some(1), Some(1))
        );
    }

    #[test]
    fn a_lopsided_uncertain_interval_no_longer_asks_for_nothing() {
        // The old symmetric half-width (0.035) fell short of the distance to
        // the bound (0.05): growth 1, "~0 more samples or ~0 more runs".
        let r = bootstrap::Ratio {
            ratio: 1.0,
            lo: 0.99,
            hi: 1.06,
        };
        let mut verdict = PointVerdict::blank("spawn.a/x", 0.05);
        (verdict.base_samples, verdict.new_samples) = (20, 25);
        settle(&mut verdict, &r, 0.05, 3);
        // growth (0.06 / 0.05)^2 = 1.44: 20 x 0.44 and 3 x 0.44, rounded up.
        assert_eq!(
            (verdict.more_samples, verdict.more_invocations),
            (Some(9), Some(2))
        );
    }

    #[test]
    fn notes_add_up_rather_than_replace() {
        let mut verdict = PointVerdict::blank("spawn.a/x", 0.05);
        verdict.add_note("failed in 1 of 2 base runs: failed".into());
        let r = bootstrap::Ratio {
            ratio: 1.05,
            lo: 1.0,
            hi: 1.1,
        };
        settle(&mut verdict, &r, 0.05, 2);
        let note = verdict.note.expect("a note");
        assert!(
            note.starts_with("failed in 1 of 2 base runs") && note.contains("sits on"),
            "{note}"
        );
    }
}
