//! The CI regression gate. Pairs the points of base and new runs (one or
//! several invocations per side) by id, puts a bootstrap interval on each
//! ratio new/base, and gives each a verdict against its threshold. The
//! `concbench compare` command around it is `command`.

pub mod bootstrap;
pub mod command;
pub mod output;
pub mod thresholds;
pub mod verdict;

use serde::{Deserialize, Serialize};

use crate::results::{PointResult, RunResults};
use crate::vocab::Status;
use thresholds::Thresholds;
use verdict::Verdict;

pub const SCHEMA: &str = "concbench.gate/1";

/// The verdict on one point.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PointVerdict {
    pub id: String,
    pub verdict: Verdict,
    pub threshold_pct: f64,
    /// new/base of ns per operation, with its 95% interval (absent when a
    /// side did not measure).
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
}

/// Everything `compare` found.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GateOutcome {
    pub schema: String,
    pub base_runs: Vec<String>,
    pub new_runs: Vec<String>,
    /// Set when the two sides ran on different machines.
    pub host_warning: Option<String>,
    pub points: Vec<PointVerdict>,
    pub only_in_base: Vec<String>,
    pub only_in_new: Vec<String>,
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

/// Per-sample ns/op of each invocation that measured `id`.
fn invocations<'a>(side: &'a [RunResults], id: &str) -> (Vec<Vec<f64>>, Option<&'a PointResult>) {
    let points: Vec<&PointResult> = side
        .iter()
        .filter_map(|r| r.results.iter().find(|p| p.id == id))
        .collect();
    let measured: Vec<Vec<f64>> = points
        .iter()
        .filter(|p| p.status == Status::Ok)
        .map(|p| {
            p.samples
                .iter()
                .filter(|s| s.ops > 0)
                .map(|s| s.ns as f64 / s.ops as f64)
                .collect::<Vec<f64>>()
        })
        .filter(|v| !v.is_empty())
        .collect();
    (measured, points.first().copied())
}

fn judge_point(
    id: &str,
    base: &[RunResults],
    new: &[RunResults],
    thresholds: &Thresholds,
    seed: u64,
) -> PointVerdict {
    let (base_runs, base_point) = invocations(base, id);
    let (new_runs, new_point) = invocations(new, id);
    let (family, scenario) = new_point
        .or(base_point)
        .map_or(("", ""), |p| (p.family.name(), p.scenario.as_str()));
    let threshold = thresholds.for_point(family, scenario, id);
    let count = |runs: &[Vec<f64>]| runs.iter().map(Vec::len).sum::<usize>();
    let mut verdict = PointVerdict {
        id: id.to_string(),
        verdict: Verdict::NotComparable,
        threshold_pct: threshold * 100.0,
        ratio: None,
        ratio_lo: None,
        ratio_hi: None,
        base_ns_per_op: None,
        new_ns_per_op: None,
        base_samples: count(&base_runs),
        new_samples: count(&new_runs),
        more_samples: None,
        more_invocations: None,
        note: None,
    };
    match (base_runs.is_empty(), new_runs.is_empty()) {
        (true, _) => verdict.note = Some("not measured in the base run".into()),
        (false, true) => {
            verdict.verdict = Verdict::Broken;
            let reason = new_point.and_then(|p| p.error.clone()).unwrap_or_default();
            verdict.note = Some(format!(
                "measured in the base run but not in the new one: {reason}"
            ));
        }
        (false, false) => {
            let r = bootstrap::ratio(&base_runs, &new_runs, 0x9a7e ^ seed);
            verdict.verdict = verdict::judge(&r, threshold);
            (verdict.ratio, verdict.ratio_lo, verdict.ratio_hi) =
                (Some(r.ratio), Some(r.lo), Some(r.hi));
            verdict.base_ns_per_op = Some(bootstrap::side_estimate(&base_runs));
            verdict.new_ns_per_op = Some(bootstrap::side_estimate(&new_runs));
            if verdict.verdict == Verdict::Uncertain {
                settle(
                    &mut verdict,
                    &r,
                    threshold,
                    base_runs.len().min(new_runs.len()),
                );
            }
        }
    }
    verdict
}

/// For an uncertain point: how many more samples or runs per side would
/// narrow the interval enough to settle it.
fn settle(verdict: &mut PointVerdict, r: &bootstrap::Ratio, threshold: f64, runs: usize) {
    match verdict::growth_to_settle(r, threshold) {
        Some(growth) => {
            let per_side = verdict.base_samples.min(verdict.new_samples) as f64;
            verdict.more_samples = Some((per_side * (growth - 1.0)).ceil() as u64);
            verdict.more_invocations = Some((runs as f64 * (growth - 1.0)).ceil() as u64);
        }
        None => {
            verdict.note =
                Some("the estimate sits on the threshold: no sample count settles it".into())
        }
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
