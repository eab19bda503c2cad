//! Whether the earlier runs of the machine showed a difference this run
//! states. Each point keeps its median in the history store's newest ten
//! earlier runs (`PointResult::earlier_medians`); a lead that one of them
//! did not show by 10% the same way is not stated, nor named a winner: it
//! is the kind of difference the next run does not state again. Earlier
//! runs only withhold, never state: their medians were not paired in time.

use std::collections::BTreeMap;

use super::relation::{CLEAR_LEAD, Relation, times};
use super::view::short_label;
use crate::results::PointResult;

/// What the earlier runs that measured both points said of them.
pub(super) struct Earlier {
    /// Earlier runs that measured both.
    pub runs: usize,
    /// Of those, how many put `other` the way this run does by 10%.
    pub same_way: usize,
    /// The lowest and highest of `other`'s median over `reference`'s.
    pub lo: f64,
    pub hi: f64,
}

/// `other` against `reference` in the earlier runs that measured both,
/// `slower` saying which way this run has it (other takes longer); None
/// when no earlier run measured both.
pub(super) fn earlier(
    reference: &PointResult,
    other: &PointResult,
    slower: bool,
) -> Option<Earlier> {
    let theirs: BTreeMap<&str, f64> = reference
        .earlier_medians
        .iter()
        .map(|m| (m.run.as_str(), m.median))
        .collect();
    let ratios: Vec<f64> = other
        .earlier_medians
        .iter()
        .filter_map(|m| Some(m.median / theirs.get(m.run.as_str())?))
        .filter(|r| r.is_finite() && *r > 0.0)
        .collect();
    let same_way = ratios
        .iter()
        .filter(|&&r| {
            if slower {
                r >= CLEAR_LEAD
            } else {
                r * CLEAR_LEAD <= 1.0
            }
        })
        .count();
    (!ratios.is_empty()).then(|| Earlier {
        runs: ratios.len(),
        same_way,
        lo: ratios.iter().copied().fold(f64::INFINITY, f64::min),
        hi: ratios.iter().copied().fold(0.0, f64::max),
    })
}

/// Earlier runs enough to stand in for the 10% margin at the interval's
/// near end: at least this many that measured both, every one showing the
/// lead by 10%.
const RUNS_FOR_MARGIN: usize = 5;

/// When this run's interval excludes no difference but not a 10% one, and
/// at least `RUNS_FOR_MARGIN` earlier runs measured both and every one had
/// the same side ahead by 10%: what they said. The margin stands in for
/// the move between runs; those runs measured it.
pub(super) fn replicated(
    reference: &PointResult,
    other: &PointResult,
    relation: &Relation,
) -> Option<Earlier> {
    if !relation.differs() || relation.clearly_differs() {
        return None;
    }
    earlier(reference, other, relation.ratio >= 1.0)
        .filter(|e| e.runs >= RUNS_FOR_MARGIN && e.all_same_way())
}

/// Whether earlier runs let a lead of `other` over or under `reference`
/// stand: every one that measured both showed it by 10% the same way (or
/// none measured both).
pub(super) fn stands(reference: &PointResult, other: &PointResult, slower: bool) -> bool {
    earlier(reference, other, slower).is_none_or(|e| e.all_same_way())
}

/// When the machine's earlier runs did not all show the lead this run
/// does (`replication`): the sentence's start, up to this run's figures.
pub(super) fn held_back(
    reference: &PointResult,
    other: &PointResult,
    relation: &Relation,
) -> Option<String> {
    let slower = relation.ratio >= 1.0;
    let earlier = earlier(reference, other, slower).filter(|e| !e.all_same_way())?;
    let (a, b) = (short_label(other), short_label(reference));
    let lead = if slower {
        format!("takes {} as long", times(relation.ratio))
    } else {
        format!("is {} faster", times(1.0 / relation.ratio))
    };
    Some(format!(
        "{a} against {b}: earlier runs of this machine disagree, so no difference is stated ({}; this run: {a} {lead}",
        earlier.sentence(&a, &b)
    ))
}

impl Earlier {
    /// Whether every earlier run that measured both had the lead by 10%.
    pub fn all_same_way(&self) -> bool {
        self.same_way == self.runs
    }

    /// "3 of 10 earlier runs of this machine had it so by 10% (a at
    /// 0.93-1.41x b's time)".
    pub fn sentence(&self, a: &str, b: &str) -> String {
        format!(
            "{} of {} earlier runs of this machine had it so by 10% ({a} at {:.2}–{:.2}x {b}'s time)",
            self.same_way, self.runs, self.lo, self.hi
        )
    }
}
