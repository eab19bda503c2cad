//! Whether the earlier runs of the machine showed a difference this run
//! states. Each point keeps its median in the history store's newest
//! earlier runs (`PointResult::earlier_medians`, `history::recall::WINDOW`);
//! a lead that more than one in twenty of them did not show by 10% the same
//! way, or that one of them had the other way round, is not stated, nor
//! named a winner: it is the kind of difference the next run does not state
//! again (`Earlier::agrees`). From
//! `stats::MIN_FOR_INTERVAL` runs on (this one and its earlier runs), the runs
//! themselves give the interval: each run's ratio of the two medians (the
//! two were measured in that run's interleaved rounds) is one draw, and a
//! difference is stated when the 95% interval of the median run's ratio
//! excludes none (`across_runs`): the interval then covers what reruns
//! move, so the 10% margin that stands in for it is not asked for.

use std::collections::BTreeMap;

use super::relation::{CLEAR_LEAD, Relation, median, times};
use super::view::short_label;
use crate::results::PointResult;
use crate::stats;

/// What the earlier runs that measured both points said of them.
pub(super) struct Earlier {
    /// Earlier runs that measured both.
    pub runs: usize,
    /// Of those, how many put `other` the way this run does by 10%.
    pub same_way: usize,
    /// And how many put it the other way round (by any margin).
    pub other_way: usize,
    /// The lowest and highest of `other`'s median over `reference`'s.
    pub lo: f64,
    pub hi: f64,
}

/// `other`'s median over `reference`'s in each earlier run that measured
/// both.
fn earlier_ratios(reference: &PointResult, other: &PointResult) -> Vec<f64> {
    let theirs: BTreeMap<&str, f64> = reference
        .earlier_medians
        .iter()
        .map(|m| (m.run.as_str(), m.median))
        .collect();
    other
        .earlier_medians
        .iter()
        .filter_map(|m| Some(m.median / theirs.get(m.run.as_str())?))
        .filter(|r| r.is_finite() && *r > 0.0)
        .collect()
}

/// `other` against `reference` in the earlier runs that measured both,
/// `slower` saying which way this run has it (other takes longer); None
/// when no earlier run measured both.
pub(super) fn earlier(
    reference: &PointResult,
    other: &PointResult,
    slower: bool,
) -> Option<Earlier> {
    let ratios = earlier_ratios(reference, other);
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
    let other_way = ratios
        .iter()
        .filter(|&&r| if slower { r < 1.0 } else { r > 1.0 })
        .count();
    (!ratios.is_empty()).then(|| Earlier {
        runs: ratios.len(),
        same_way,
        other_way,
        lo: ratios.iter().copied().fold(f64::INFINITY, f64::min),
        hi: ratios.iter().copied().fold(0.0, f64::max),
    })
}

/// What stands in for the 10% margin where this run's interval does not
/// clear it: the earlier runs that measured both agree (`Earlier::agrees`),
/// and the runs (this one among them, `stats::MIN_FOR_INTERVAL` at least)
/// give an interval over runs that excludes no difference and meets this
/// run's interval.
pub(super) struct Replicated {
    pub earlier: Earlier,
    pub runs: AcrossRuns,
}

/// When this run's interval does not clear a 10% lead (it may not even
/// exclude none) but the runs show it (`Replicated`): what they said. The
/// margin stands in for the move between runs; those runs measured it.
pub(super) fn replicated(
    reference: &PointResult,
    other: &PointResult,
    relation: &Relation,
) -> Option<Replicated> {
    let (lo, hi) = relation.interval?;
    if relation.clearly_differs() {
        return None;
    }
    let slower = relation.ratio >= 1.0;
    let runs = across_runs(reference, other)
        .filter(|runs| runs.shows(slower) && lo <= runs.interval.1 && runs.interval.0 <= hi)?;
    let earlier = earlier(reference, other, slower).filter(Earlier::agrees)?;
    Some(Replicated { earlier, runs })
}

impl Replicated {
    /// What the finding or answer adds to this run's figures: `a`'s lead
    /// over `b` as the earlier runs and the runs together showed it, read
    /// through `shown` (the inverse for a speed-up).
    pub fn sentence(&self, a: &str, b: &str, shown: impl Fn(f64) -> f64) -> String {
        format!(
            "{}; {}",
            self.earlier.sentence(a, b),
            self.runs.sentence(shown)
        )
    }
}

/// Whether earlier runs let a lead of `other` over or under `reference`
/// stand: those that measured both agree (`Earlier::agrees`), or none did.
pub(super) fn stands(reference: &PointResult, other: &PointResult, slower: bool) -> bool {
    earlier(reference, other, slower).is_none_or(|e| e.agrees())
}

/// `other` against `reference` over runs: this run's ratio of their
/// medians and each earlier run's, summarised with the run as the unit.
pub(super) struct AcrossRuns {
    /// The median run's ratio (other's time over reference's).
    pub ratio: f64,
    /// Its 95% interval over the runs (order statistics).
    pub interval: (f64, f64),
    /// Runs it is over, this one among them.
    pub runs: usize,
}

/// The ratio over runs, when at least `stats::MIN_FOR_INTERVAL` runs measured
/// both points (None otherwise, or when this run has no figure for one).
pub(super) fn across_runs(reference: &PointResult, other: &PointResult) -> Option<AcrossRuns> {
    let this_run = median(other) / median(reference);
    if !(this_run.is_finite() && this_run > 0.0) {
        return None;
    }
    let mut ratios = earlier_ratios(reference, other);
    ratios.push(this_run);
    let estimate = stats::ratio_estimate(&ratios);
    Some(AcrossRuns {
        ratio: estimate.ratio,
        interval: estimate.interval?,
        runs: ratios.len(),
    })
}

impl AcrossRuns {
    /// Whether the interval excludes no difference, on the side `slower`
    /// says (other takes longer).
    pub fn shows(&self, slower: bool) -> bool {
        if slower {
            self.interval.0 > 1.0
        } else {
            self.interval.1 < 1.0
        }
    }

    /// "over 11 runs of this machine (this one and 10 earlier), the median
    /// run's ratio 1.18x, 95% interval 1.12–1.30", read through `shown`
    /// (the inverse for a speed-up).
    pub fn sentence(&self, shown: impl Fn(f64) -> f64) -> String {
        let (a, b) = (shown(self.interval.0), shown(self.interval.1));
        format!(
            "over {} runs of this machine (this one and {} earlier), the median run's ratio {:.2}x, 95% interval {:.2}–{:.2}",
            self.runs,
            self.runs - 1,
            shown(self.ratio),
            a.min(b),
            a.max(b)
        )
    }
}

/// When the machine's earlier runs did not all show the lead this run
/// does (`replication`): the sentence's start, up to this run's figures.
pub(super) fn held_back(
    reference: &PointResult,
    other: &PointResult,
    relation: &Relation,
) -> Option<String> {
    let slower = relation.ratio >= 1.0;
    let earlier = earlier(reference, other, slower).filter(|e| !e.agrees())?;
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
    /// Whether the earlier runs that measured both agree with the lead:
    /// none had it the other way round, and at least 95% had it by 10%
    /// (every one of up to 19 runs; one in 20 may fall short of the 10%).
    /// The share, not every run, since a longer memory of runs
    /// (`history::recall::WINDOW`) would otherwise hold back a lead for as
    /// long as one run in it dipped under 10%, the lead's direction intact.
    pub fn agrees(&self) -> bool {
        self.other_way == 0 && 20 * self.same_way >= 19 * self.runs
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

/// Below this many earlier runs of the machine, the next runs may not
/// state again what a run states: on fresh stores (2026-12-07, quiet
/// hours), runs with 0-9 earlier runs had 79-89% of their findings stated
/// again by each of the next four, runs with 10-24 96-97%
/// (docs/measurements/2026-12-07-verdict-per-placement.md).
const SETTLED_AFTER: usize = 10;

/// What the run's findings weigh besides its own rounds: "Findings and
/// answers weigh this run and 12 earlier runs of this machine ...", with a
/// caution while the machine has fewer than `SETTLED_AFTER`.
pub(in crate::report) fn memory_line(results: &crate::results::RunResults) -> String {
    let earlier = results
        .results
        .iter()
        .map(|p| p.earlier_medians.len())
        .max()
        .unwrap_or(0);
    let weigh = match earlier {
        0 => "Findings and answers weigh this run alone: the history store held no earlier run of this machine, or the run read none".to_string(),
        n => format!(
            "Findings and answers weigh this run and {n} earlier run{} of this machine (the history store's newest)",
            if n == 1 { "" } else { "s" },
        ),
    };
    if earlier < SETTLED_AFTER {
        format!(
            "{weigh}. With fewer than {SETTLED_AFTER}, some leads stated here may not be stated by the next runs, which will know more of where this machine puts each point's parties and how far reruns move it."
        )
    } else {
        format!("{weigh}.")
    }
}
