//! The detector's inputs and settings: each usable observation's log
//! figure, own noise and weight, and the robust spreads the tests share.

use crate::stats::median_of_sorted;

/// One commit's figure for a point: its median and, where the run had one,
/// its 95% interval (same unit, > 0).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Observation {
    pub value: f64,
    pub lo: Option<f64>,
    pub hi: Option<f64>,
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
pub(super) struct Prepared {
    pub(super) index: Vec<usize>,
    pub(super) value: Vec<f64>,
    pub(super) x: Vec<f64>,
    pub(super) s: Vec<f64>,
    pub(super) w: Vec<f64>,
}

/// Floor of the between-commit noise (as a standard deviation of ln): a
/// series without any noise still has weights and a scale.
pub(super) const MIN_NOISE: f64 = 1e-4;

impl Prepared {
    pub(super) fn new(series: &[Observation]) -> Prepared {
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
pub(super) fn robust_sd(x: &[f64]) -> f64 {
    if x.len() < 3 {
        return 0.0;
    }
    let diffs: Vec<f64> = x.windows(2).map(|p| p[1] - p[0]).collect();
    1.4826 * mad(&diffs) / std::f64::consts::SQRT_2
}

/// Median absolute deviation from the median (of a non-empty slice).
pub(super) fn mad(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let centre = median_of_sorted(&sorted);
    let mut deviations: Vec<f64> = sorted.iter().map(|v| (v - centre).abs()).collect();
    deviations.sort_by(f64::total_cmp);
    median_of_sorted(&deviations)
}
