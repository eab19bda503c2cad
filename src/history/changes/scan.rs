//! The bisection's test of one segment: the best split by a weighted
//! two-sample t statistic on winsorised log figures, and its permutation
//! p-value.

use super::prepared::{MIN_NOISE, Prepared, Settings, robust_sd};
use crate::stats::median_of_sorted;

/// The best split of `prepared[start..end]` if its permutation p-value is
/// below `settings.alpha`: (index of the first observation after it, p).
/// `newest`: the segment ends at the series' end, so its right part may be
/// as short as one observation.
pub(super) fn test_segment(
    prepared: &Prepared,
    start: usize,
    end: usize,
    newest: bool,
    settings: &Settings,
    rng: &mut fastrand::Rng,
) -> Option<(usize, f64)> {
    let len = end - start;
    let min_left = settings.min_segment.max(1);
    let min_right = if newest { 1 } else { min_left };
    if len < min_left + min_right {
        return None;
    }
    let y = winsorised(&prepared.x[start..end], settings.clip);
    let mut pairs: Vec<(f64, f64)> = y
        .into_iter()
        .zip(prepared.w[start..end].iter().copied())
        .collect();
    let total = centre(&mut pairs);
    let weight: f64 = pairs.iter().map(|p| p.1).sum();
    // A segment without spread (1e-9 in ln) has nothing to split.
    if total.is_nan() || total <= 1e-18 * weight {
        return None;
    }
    let (k, observed) = best_split(&pairs, min_left, len - min_right)?;
    // Equal statistics summed in another order differ in the last bits.
    let floor = observed - 1e-9 * total;
    let permutations = settings.permutations;
    // Enough permutations at least as large make p >= alpha whatever the
    // rest do: stop there (the answer is "no split" either way).
    let enough = settings.alpha * (permutations + 1) as f64;
    let mut at_least = 0;
    for _ in 0..permutations {
        rng.shuffle(&mut pairs);
        if best_split(&pairs, min_left, len - min_right).is_some_and(|(_, d)| d >= floor) {
            at_least += 1;
            if (at_least + 1) as f64 >= enough {
                return None;
            }
        }
    }
    let p_value = (1 + at_least) as f64 / (1 + permutations) as f64;
    (p_value < settings.alpha).then_some((start + k, p_value))
}

/// `x` clamped to its median ± `clip` robust standard deviations (from the
/// first differences, at least `MIN_NOISE`); unchanged if `clip` is not
/// positive or is infinite.
fn winsorised(x: &[f64], clip: f64) -> Vec<f64> {
    if !(clip > 0.0 && clip.is_finite()) {
        return x.to_vec();
    }
    let mut sorted = x.to_vec();
    sorted.sort_by(f64::total_cmp);
    let median = median_of_sorted(&sorted);
    let reach = clip * robust_sd(x).max(MIN_NOISE);
    x.iter()
        .map(|v| v.clamp(median - reach, median + reach))
        .collect()
}

/// Subtract the weighted mean from each value; the weighted sum of squares
/// left.
fn centre(pairs: &mut [(f64, f64)]) -> f64 {
    let weight: f64 = pairs.iter().map(|p| p.1).sum();
    let mean = pairs.iter().map(|p| p.0 * p.1).sum::<f64>() / weight;
    for pair in pairs.iter_mut() {
        pair.0 -= mean;
    }
    pairs.iter().map(|p| p.1 * p.0 * p.0).sum()
}

/// The split k in `first..=last` (observations before it: k) with the
/// largest between-segments sum of squares D_k = (m_a - m_b)^2 W_a W_b / W
/// of centred values, and that D. With pooled variance the t statistic of
/// the split is t^2 = (n - 2) D / (S - D), S the total sum of squares, the
/// same for every k and every permutation: the largest D is the largest t.
fn best_split(pairs: &[(f64, f64)], first: usize, last: usize) -> Option<(usize, f64)> {
    let weight: f64 = pairs.iter().map(|p| p.1).sum();
    let mut w_a = 0.0;
    let mut s_a = 0.0;
    let mut best: Option<(usize, f64)> = None;
    for (i, &(y, w)) in pairs.iter().enumerate().take(last) {
        w_a += w;
        s_a += w * y;
        let k = i + 1;
        let w_b = weight - w_a;
        if k < first || w_b <= 0.0 {
            continue;
        }
        let d = s_a * s_a * weight / (w_a * w_b);
        if best.is_none_or(|b| d > b.1) {
            best = Some((k, d));
        }
    }
    best
}
