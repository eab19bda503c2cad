//! The newest commit alone as a step: a robust prediction t-test of the
//! newest observation against the rest of its segment (a permutation test
//! cannot: one observation out of n is the most extreme with chance 1/n).

use super::prepared::{MIN_NOISE, Prepared, Settings, mad, robust_sd};
use crate::stats::median_of_sorted;

/// The p-value of the newest observation as a step from the segment that
/// starts at `start`, if it is below `settings.newest_alpha`: it must lie beyond
/// every other observation of the segment, which must hold at least
/// max(2 * min_segment, 5) of them.
pub(super) fn test(prepared: &Prepared, start: usize, settings: &Settings) -> Option<f64> {
    let n = prepared.x.len();
    let rest = &prepared.x[start.min(n)..n.saturating_sub(1)];
    if n == 0 || rest.len() < (2 * settings.min_segment).max(5) {
        return None;
    }
    let newest = prepared.x[n - 1];
    let low = rest.iter().copied().fold(f64::INFINITY, f64::min);
    let high = rest.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if (low..=high).contains(&newest) {
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
    let mut own: Vec<f64> = prepared.s[start..n - 1].iter().map(|s| s * s).collect();
    own.sort_by(f64::total_cmp);
    let between = (spread.powi(2) - median_of_sorted(&own)).max(spread.powi(2) / 4.0);
    let newest_var = prepared.s[n - 1].powi(2) + between;
    // The median's variance, pi/2 times the mean's.
    let centre_var = std::f64::consts::FRAC_PI_2 * spread.powi(2) / rest.len() as f64;
    let t = (newest - centre).abs() / (newest_var + centre_var).sqrt();
    let p = t_two_sided(t, rest.len() - 1);
    (p < settings.newest_alpha).then_some(p)
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
