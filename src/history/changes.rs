//! Change points in a series of per-commit figures: where a point's speed
//! stepped, how far, and how sure.
//!
//! The method is E-divisive's published scheme (Matteson and James 2014, as
//! Apache Otava / hunter run it on performance histories): bisect the series
//! at its most likely split, keep the split if a permutation test says it is
//! significant, and recurse on both sides. The split statistic is not the
//! energy distance but a weighted difference of means standardised by its
//! standard error (a two-sample t with pooled variance), on log figures:
//!
//! - x_i = ln(value_i); an observation's own 95% interval gives its noise
//!   s_i = (ln hi - ln lo) / (2 * 1.96) (the median of the others' without
//!   one), and it weighs w_i = 1 / (s_i^2 + tau^2), where tau^2 is the
//!   between-commit noise the series shows beyond its intervals (from the
//!   median absolute first difference, so robust to steps and outliers).
//! - Each test winsorises its segment at its median ± `clip` robust standard
//!   deviations first (bimodal points, where a run draws one of two speeds,
//!   otherwise fake steps), then takes the largest statistic over splits that
//!   leave `min_segment` observations each side (the newest segment down to
//!   1). Its p-value is (1 + #permutations at least as large) /
//!   (1 + permutations), the observations shuffled with their weights by a
//!   seeded generator: the same history gives the same answer.
//! - A permutation test cannot call the newest commit alone a step (its
//!   p-value is at least 1/n), nor the newest few (three of twenty are the
//!   most extreme with chance about 1/1000, near its resolution), so the
//!   newest block of 1 to 8 observations is tested against
//!   the rest of its segment by a robust prediction t-test (the block's
//!   mean against the rest's median, and the largest of MAD,
//!   first-difference and plain standard deviations of the rest): each of
//!   the block must lie beyond every one of the rest, on one side, and the
//!   two-sided p-value be below `newest_alpha`; of such blocks the one whose
//!   mean stands out most (largest t) starts the change. A block beyond the whole series is tested first,
//!   and bisection splits only what came before it (its winsorised
//!   statistic would otherwise place such a step a few commits early).
//!
//! Observations whose value is not finite and positive are ignored (they are
//! no figure): they belong to no segment and no level, and `at` counts them
//! like any index of `series`. An interval that is not finite, positive and
//! ordered is treated as absent. Fewer than two usable observations: no
//! change.

mod newest;
mod prepared;
mod scan;

use crate::stats::{median_interval, median_of_sorted};
pub use newest::LONGEST_BLOCK;
use prepared::Prepared;
pub use prepared::{Observation, Settings};

/// A segment's level: the typical figure between two change points.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Level {
    pub median: f64,
    pub lo: Option<f64>,
    pub hi: Option<f64>,
    /// How many observations it is made from.
    pub n: usize,
}

/// A step: from `at` on (the index of the first observation after it) the
/// series sits at `after` instead of `before`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Change {
    pub at: usize,
    pub before: Level,
    pub after: Level,
    /// after / before (above 1: slower, for a cost).
    pub ratio: f64,
    /// The significance test's p-value for this step.
    pub p_value: f64,
}

/// The changes found in `series` (oldest first), in order of `at`.
pub fn detect(series: &[Observation], settings: &Settings) -> Vec<Change> {
    let prepared = Prepared::new(series);
    let n = prepared.x.len();
    if n < 2 {
        return Vec::new();
    }
    // A newest block beyond everything before it is a step where it
    // starts; bisection then splits what came before, so that its
    // winsorised statistic cannot place that step a few commits early.
    let newest_block = newest::test(&prepared, 0, settings);
    let end = newest_block.map_or(n, |cut| cut.0);
    let mut cuts = bisect(&prepared, end, settings);
    cuts.sort_by_key(|c| c.0);
    let last_start = cuts.last().map_or(0, |c| c.0);
    match newest_block {
        Some(cut) => cuts.push(cut),
        None => cuts.extend(newest::test(&prepared, last_start, settings)),
    }
    changes_at(&prepared, &cuts)
}

/// The cuts bisection finds in `prepared[..end]`: (start of the segment
/// after the cut, p-value), in the order found.
fn bisect(prepared: &Prepared, end: usize, settings: &Settings) -> Vec<(usize, f64)> {
    let n = prepared.x.len();
    let mut rng = fastrand::Rng::with_seed(settings.seed);
    let mut cuts: Vec<(usize, f64)> = Vec::new();
    let mut pending = vec![(0, end)];
    while let Some((start, end)) = pending.pop() {
        let newest = end == n;
        if let Some((at, p)) = scan::test_segment(prepared, start, end, newest, settings, &mut rng)
        {
            cuts.push((at, p));
            pending.push((at, end));
            pending.push((start, at));
        }
    }
    cuts
}

/// The changes at `cuts` (sorted), each with the levels either side.
fn changes_at(prepared: &Prepared, cuts: &[(usize, f64)]) -> Vec<Change> {
    let n = prepared.x.len();
    let mut bounds: Vec<usize> = vec![0];
    bounds.extend(cuts.iter().map(|c| c.0));
    bounds.push(n);
    let levels: Vec<Level> = bounds
        .windows(2)
        .map(|b| level(&prepared.value[b[0]..b[1]]))
        .collect();
    cuts.iter()
        .enumerate()
        .map(|(i, &(at, p_value))| Change {
            at: prepared.index[at],
            before: levels[i],
            after: levels[i + 1],
            ratio: levels[i + 1].median / levels[i].median,
            p_value,
        })
        .collect()
}

/// A segment's level: the median of its figures and the median's
/// order-statistic 95% interval (none below 6 figures).
fn level(values: &[f64]) -> Level {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let interval = median_interval(&sorted);
    Level {
        median: median_of_sorted(&sorted),
        lo: interval.map(|i| i.0),
        hi: interval.map(|i| i.1),
        n: sorted.len(),
    }
}

#[cfg(test)]
#[path = "changes_tests.rs"]
mod tests;
