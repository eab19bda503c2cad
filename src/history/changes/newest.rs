//! The newest commits as a step: a robust prediction t-test of the newest
//! block of observations against the rest of their segment. A permutation
//! test cannot see such a step: one observation out of n is the most
//! extreme with chance 1/n, and three of twenty with about one in a
//! thousand, too near its resolution of 1 / (permutations + 1).

use super::prepared::{MIN_NOISE, Prepared, Settings, mad, robust_sd};
use crate::stats::median_of_sorted;

/// The longest newest block tested: past it the bisection's permutation
/// test sees a step.
pub const LONGEST_BLOCK: usize = 8;

/// The newest block that starts a step from the segment that starts at
/// `start`, if one does: (index of its first observation, p-value). Every
/// observation of the block must lie beyond every other observation of the
/// segment, on the same side, the rest must hold at least
/// max(2 * min_segment, 5) of them, and the block's mean must differ from
/// the rest's median with a p-value below `settings.newest_alpha`. Of the
/// blocks that do, the one whose mean stands out most (its t largest): a
/// commit of the old level that drew a value above the rest lowers the
/// block's mean, one of the new level raises it.
pub(super) fn test(prepared: &Prepared, start: usize, settings: &Settings) -> Option<(usize, f64)> {
    let n = prepared.x.len();
    let fewest_rest = (2 * settings.min_segment).max(5);
    (1..=LONGEST_BLOCK)
        .filter(|&m| n >= start + fewest_rest + m)
        .filter_map(|m| block_test(prepared, start, n - m, settings).map(|(t, p)| (n - m, t, p)))
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(at, _, p)| (at, p))
}

/// The t statistic and p-value of `x[from..]` as a step from
/// `x[start..from]`, if the p-value is below `settings.newest_alpha` and the
/// block lies wholly beyond the rest.
fn block_test(
    prepared: &Prepared,
    start: usize,
    from: usize,
    settings: &Settings,
) -> Option<(f64, f64)> {
    let n = prepared.x.len();
    let rest = &prepared.x[start..from];
    let block = &prepared.x[from..n];
    let low = rest.iter().copied().fold(f64::INFINITY, f64::min);
    let high = rest.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let all_above = block.iter().all(|&v| v > high);
    let all_below = block.iter().all(|&v| v < low);
    if !(all_above || all_below) {
        return None;
    }
    let mut sorted = rest.to_vec();
    sorted.sort_by(f64::total_cmp);
    let centre = median_of_sorted(&sorted);
    // The spread of one commit: the largest of two robust measures and
    // the plain standard deviation, which alone sees a heavy tail (a point
    // whose runs now and then draw a much slower speed).
    let spread = (1.4826 * mad(rest))
        .max(robust_sd(rest))
        .max(standard_deviation(rest))
        .max(MIN_NOISE);
    let mut own: Vec<f64> = prepared.s[start..from].iter().map(|s| s * s).collect();
    own.sort_by(f64::total_cmp);
    let between = (spread.powi(2) - median_of_sorted(&own)).max(spread.powi(2) / 4.0);
    let m = block.len() as f64;
    let block_own = prepared.s[from..n].iter().map(|s| s * s).sum::<f64>() / m;
    let block_mean = block.iter().sum::<f64>() / m;
    let block_var = (block_own + between) / m;
    // The median's variance, pi/2 times the mean's.
    let centre_var = std::f64::consts::FRAC_PI_2 * spread.powi(2) / rest.len() as f64;
    let t = (block_mean - centre).abs() / (block_var + centre_var).sqrt();
    let p = t_two_sided(t, rest.len() - 1);
    (p < settings.newest_alpha).then_some((t, p))
}

/// The sample standard deviation (of at least two values).
fn standard_deviation(x: &[f64]) -> f64 {
    let mean = x.iter().sum::<f64>() / x.len() as f64;
    let squares: f64 = x.iter().map(|v| (v - mean).powi(2)).sum();
    (squares / (x.len() - 1) as f64).sqrt()
}

/// P(|T| >= t) for Student's t with `df` (>= 1) degrees of freedom, by the
/// finite series for integer degrees of freedom (Abramowitz and Stegun
/// 26.7.3 and 26.7.4).
pub(super) fn t_two_sided(t: f64, df: usize) -> f64 {
    let df = df.max(1);
    let theta = (t.abs() / (df as f64).sqrt()).atan();
    let (sin, cos) = theta.sin_cos();
    let c2 = cos * cos;
    let inside = if df.is_multiple_of(2) {
        // sin θ (1 + 1/2 cos^2 + 1·3/(2·4) cos^4 + ... up to cos^(df-2)).
        let (mut term, mut sum) = (1.0, 1.0);
        for j in (2..df).step_by(2) {
            term *= c2 * (j - 1) as f64 / j as f64;
            sum += term;
        }
        sin * sum
    } else {
        // 2/π (θ + sin θ cos θ (1 + 2/3 cos^2 + ... up to cos^(df-3))).
        let (mut term, mut sum) = (1.0, if df > 1 { 1.0 } else { 0.0 });
        for j in (3..df).step_by(2) {
            term *= c2 * (j - 1) as f64 / j as f64;
            sum += term;
        }
        std::f64::consts::FRAC_2_PI * (theta + sin * cos * sum)
    };
    (1.0 - inside).clamp(0.0, 1.0)
}
