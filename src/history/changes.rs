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
//!   p-value is at least 1/n), so after bisection the newest observation is
//!   tested against the rest of its segment by a robust prediction t-test
//!   (median, and the largest of MAD, first-difference and plain standard
//!   deviations of the rest): it must lie beyond every one of them and its
//!   two-sided p-value be below `newest_alpha`.
//!
//! Observations whose value is not finite and positive are ignored (they are
//! no figure): they belong to no segment and no level, and `at` counts them
//! like any index of `series`. An interval that is not finite, positive and
//! ordered is treated as absent. Fewer than two usable observations: no
//! change.

mod newest;
mod scan;

use crate::stats::{median_interval, median_of_sorted};

/// One commit's figure for a point: its median and, where the run had one,
/// its 95% interval (same unit, > 0).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Observation {
    pub value: f64,
    pub lo: Option<f64>,
    pub hi: Option<f64>,
}

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

/// How the detector runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// Significance level of each split.
    pub alpha: f64,
    /// Permutations per significance test.
    pub permutations: usize,
    /// Fewest observations in a segment (the newest segment may be shorter,
    /// down to 1, so that the newest commit can start a change).
    pub min_segment: usize,
    /// Seed of the permutations, so a history gives the same answer twice.
    pub seed: u64,
    /// Each test winsorises its segment's log figures at its median ± this
    /// many robust standard deviations (infinite: no winsorising).
    pub clip: f64,
    /// Significance level of the newest commit alone as a step (a
    /// parametric test, not calibrated by permutations: stricter).
    pub newest_alpha: f64,
}

/// Tuned by `cargo bench --bench history_quality` (resampled histories of
/// real runs): alpha 0.01 found 1.3 points more of the 10% steps on points
/// under 5% run-to-run spread but tripled the false changes (0.24 to 0.77
/// per 100 untouched histories); winsorising at 3 found 86.5% of those
/// steps at their commit ±1, none 72.2%; a newest-commit alpha of 0.001
/// instead of 0.005 cut its false changes on a run never seen before from
/// 2.3 to 1.6 per 100.
impl Default for Settings {
    fn default() -> Self {
        Settings {
            alpha: 0.005,
            permutations: 399,
            min_segment: 3,
            seed: 0x5eed,
            clip: 3.0,
            newest_alpha: 0.001,
        }
    }
}

/// The usable observations of a series: where each sits in it, its log
/// figure, its own noise and its weight.
struct Prepared {
    index: Vec<usize>,
    value: Vec<f64>,
    x: Vec<f64>,
    s: Vec<f64>,
    w: Vec<f64>,
}

/// Floor of the between-commit noise (as a standard deviation of ln): a
/// series without any noise still has weights and a scale.
const MIN_NOISE: f64 = 1e-4;

impl Prepared {
    fn new(series: &[Observation]) -> Prepared {
        let usable: Vec<(usize, &Observation)> = series
            .iter()
            .enumerate()
            .filter(|(_, o)| o.value.is_finite() && o.value > 0.0)
            .collect();
        let own: Vec<Option<f64>> = usable.iter().map(|(_, o)| own_noise(o)).collect();
        let mut known: Vec<f64> = own.iter().flatten().copied().collect();
        known.sort_by(f64::total_cmp);
        let typical = if known.is_empty() {
            0.0
        } else {
            median_of_sorted(&known)
        };
        let s: Vec<f64> = own.iter().map(|o| o.unwrap_or(typical)).collect();
        let x: Vec<f64> = usable.iter().map(|(_, o)| o.value.ln()).collect();
        let tau2 = between_commit_variance(&x, &s);
        Prepared {
            index: usable.iter().map(|(i, _)| *i).collect(),
            value: usable.iter().map(|(_, o)| o.value).collect(),
            w: s.iter().map(|s| 1.0 / (s * s + tau2)).collect(),
            x,
            s,
        }
    }
}

/// s = (ln hi - ln lo) / (2 * 1.96), when the interval is usable.
fn own_noise(o: &Observation) -> Option<f64> {
    let (lo, hi) = o.lo.zip(o.hi)?;
    let usable = lo.is_finite() && hi.is_finite() && lo > 0.0 && lo <= hi;
    usable.then(|| (hi.ln() - lo.ln()) / (2.0 * 1.96))
}

/// The between-commit variance tau^2: the robust variance of one commit
/// (from the first differences) less the typical interval's own, floored
/// at a quarter of the former (so a tight interval weighs at most a few
/// times a loose one) and at `MIN_NOISE`^2.
fn between_commit_variance(x: &[f64], s: &[f64]) -> f64 {
    let total = robust_sd(x).powi(2);
    let mut own: Vec<f64> = s.iter().map(|s| s * s).collect();
    own.sort_by(f64::total_cmp);
    let typical = if own.is_empty() {
        0.0
    } else {
        median_of_sorted(&own)
    };
    (total - typical)
        .max(total / 4.0)
        .max(MIN_NOISE * MIN_NOISE)
}

/// A robust standard deviation of one observation of `x`:
/// 1.4826 * MAD(first differences) / sqrt(2) (a step moves one difference
/// only). Zero below three observations.
fn robust_sd(x: &[f64]) -> f64 {
    if x.len() < 3 {
        return 0.0;
    }
    let diffs: Vec<f64> = x.windows(2).map(|p| p[1] - p[0]).collect();
    1.4826 * mad(&diffs) / std::f64::consts::SQRT_2
}

/// Median absolute deviation from the median (of a non-empty slice).
fn mad(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let centre = median_of_sorted(&sorted);
    let mut deviations: Vec<f64> = sorted.iter().map(|v| (v - centre).abs()).collect();
    deviations.sort_by(f64::total_cmp);
    median_of_sorted(&deviations)
}

/// The changes found in `series` (oldest first), in order of `at`.
pub fn detect(series: &[Observation], settings: &Settings) -> Vec<Change> {
    let prepared = Prepared::new(series);
    let n = prepared.x.len();
    if n < 2 {
        return Vec::new();
    }
    let mut rng = fastrand::Rng::with_seed(settings.seed);
    // Bisection: (start of the segment after the cut, p-value).
    let mut cuts: Vec<(usize, f64)> = Vec::new();
    let mut pending = vec![(0, n)];
    while let Some((start, end)) = pending.pop() {
        let newest = end == n;
        if let Some((at, p)) = scan::test_segment(&prepared, start, end, newest, settings, &mut rng)
        {
            cuts.push((at, p));
            pending.push((at, end));
            pending.push((start, at));
        }
    }
    cuts.sort_by_key(|c| c.0);
    let last_start = cuts.last().map_or(0, |c| c.0);
    if let Some(p) = newest::test(&prepared, last_start, settings) {
        cuts.push((n - 1, p));
    }
    changes_at(&prepared, &cuts)
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
