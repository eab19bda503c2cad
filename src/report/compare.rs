//! Two runs side by side: points paired by id, the ratio new/base of their
//! medians with a conservative interval (the extremes of both 95%
//! intervals), and whether new is better, worse, or within noise.

use std::collections::BTreeMap;

use crate::results::{PointResult, RunResults, Status};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Better,
    Worse,
    WithinNoise,
    /// One side did not measure (failed, timed out, skipped).
    NotMeasured,
}

impl Verdict {
    pub fn word(self) -> &'static str {
        match self {
            Verdict::Better => "better",
            Verdict::Worse => "worse",
            Verdict::WithinNoise => "within noise",
            Verdict::NotMeasured => "not measured",
        }
    }
}

pub struct Pair<'a> {
    pub id: &'a str,
    pub base: &'a PointResult,
    pub new: &'a PointResult,
    /// new/base of the median ns per operation (below 1: new is faster).
    pub ratio: f64,
    pub lo: f64,
    pub hi: f64,
    pub verdict: Verdict,
}

pub struct Pairing<'a> {
    pub pairs: Vec<Pair<'a>>,
    pub only_base: Vec<&'a PointResult>,
    pub only_new: Vec<&'a PointResult>,
}

/// Pair the points of `base` and `new` by id, in the order of `new`.
pub fn pair<'a>(base: &'a RunResults, new: &'a RunResults) -> Pairing<'a> {
    let by_id: BTreeMap<&str, &PointResult> =
        base.results.iter().map(|p| (p.id.as_str(), p)).collect();
    let new_ids: std::collections::BTreeSet<&str> =
        new.results.iter().map(|p| p.id.as_str()).collect();
    let pairs = new
        .results
        .iter()
        .filter_map(|n| by_id.get(n.id.as_str()).map(|b| pair_of(b, n)))
        .collect();
    Pairing {
        pairs,
        only_base: base
            .results
            .iter()
            .filter(|p| !new_ids.contains(p.id.as_str()))
            .collect(),
        only_new: new
            .results
            .iter()
            .filter(|p| !by_id.contains_key(p.id.as_str()))
            .collect(),
    }
}

fn pair_of<'a>(base: &'a PointResult, new: &'a PointResult) -> Pair<'a> {
    let measured = |p: &'a PointResult| {
        (p.status == Status::Ok)
            .then_some(p.summary.as_ref())
            .flatten()
    };
    let (ratio, lo, hi, verdict) = match (measured(base), measured(new)) {
        (Some(b), Some(n)) if b.ns_per_op.median > 0.0 && b.ns_per_op.ci95_lo > 0.0 => {
            let ratio = n.ns_per_op.median / b.ns_per_op.median;
            let lo = n.ns_per_op.ci95_lo / b.ns_per_op.ci95_hi;
            let hi = n.ns_per_op.ci95_hi / b.ns_per_op.ci95_lo;
            let verdict = if hi < 1.0 {
                Verdict::Better
            } else if lo > 1.0 {
                Verdict::Worse
            } else {
                Verdict::WithinNoise
            };
            (ratio, lo, hi, verdict)
        }
        _ => (f64::NAN, f64::NAN, f64::NAN, Verdict::NotMeasured),
    };
    Pair {
        id: &new.id,
        base,
        new,
        ratio,
        lo,
        hi,
        verdict,
    }
}
