//! Statistics of per-sample values: median with a bootstrap 95% interval,
//! mean, standard deviation, extremes, and Tukey-fence outliers. Knows
//! nothing of benchmarks. Invariant: inputs contain no NaNs (the harness
//! feeds ns/op of samples with at least one op).

use crate::results::{Estimate, Outliers};

/// Resamples drawn for the bootstrap interval.
const BOOTSTRAP_RESAMPLES: usize = 2000;

/// Summarise `values` (at least one, no NaN). The bootstrap uses a fixed
/// seed so the same samples give the same interval.
pub fn estimate(values: &[f64]) -> Estimate {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len() as f64;
    let mean = sorted.iter().sum::<f64>() / n;
    let variance = if sorted.len() > 1 {
        sorted.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)
    } else {
        0.0
    };
    let median = median_of_sorted(&sorted);
    let (lo, hi) = bootstrap_median_interval(&sorted, 0xC0C0_BE9C);
    // The percentile bootstrap can, on tiny skewed samples, leave the point
    // estimate just outside; the interval reported always contains it.
    let (ci95_lo, ci95_hi) = (lo.min(median), hi.max(median));
    Estimate {
        median,
        ci95_lo,
        ci95_hi,
        mean,
        stddev: variance.sqrt(),
        min: sorted[0],
        max: sorted[sorted.len() - 1],
    }
}

/// Median of an already sorted, non-empty slice.
pub fn median_of_sorted(sorted: &[f64]) -> f64 {
    quantile_of_sorted(sorted, 0.5)
}

/// Linear-interpolated quantile `q` in [0, 1] of a sorted, non-empty slice.
pub fn quantile_of_sorted(sorted: &[f64], q: f64) -> f64 {
    let position = q.clamp(0.0, 1.0) * (sorted.len() - 1) as f64;
    let below = position.floor() as usize;
    let above = position.ceil() as usize;
    let weight = position - below as f64;
    // a + (b - a) * w is exact when a == b, so quantiles never leave [min, max].
    sorted[below] + (sorted[above] - sorted[below]) * weight
}

/// Percentile bootstrap of the median: resample with replacement, take each
/// resample's median, report the 2.5th and 97.5th percentiles of those.
pub fn bootstrap_median_interval(sorted: &[f64], seed: u64) -> (f64, f64) {
    if sorted.len() < 2 {
        return (sorted[0], sorted[0]);
    }
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut resample = vec![0.0; sorted.len()];
    let mut medians = Vec::with_capacity(BOOTSTRAP_RESAMPLES);
    for _ in 0..BOOTSTRAP_RESAMPLES {
        for slot in resample.iter_mut() {
            *slot = sorted[rng.usize(..sorted.len())];
        }
        resample.sort_by(f64::total_cmp);
        medians.push(median_of_sorted(&resample));
    }
    medians.sort_by(f64::total_cmp);
    (
        quantile_of_sorted(&medians, 0.025),
        quantile_of_sorted(&medians, 0.975),
    )
}

/// Count values beyond Tukey's inner (1.5 IQR) and outer (3 IQR) fences.
pub fn outliers(values: &[f64]) -> Outliers {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let q1 = quantile_of_sorted(&sorted, 0.25);
    let q3 = quantile_of_sorted(&sorted, 0.75);
    let iqr = q3 - q1;
    let mut counts = Outliers::default();
    for &v in &sorted {
        if v < q1 - 3.0 * iqr {
            counts.low_severe += 1;
        } else if v < q1 - 1.5 * iqr {
            counts.low_mild += 1;
        } else if v > q3 + 3.0 * iqr {
            counts.high_severe += 1;
        } else if v > q3 + 1.5 * iqr {
            counts.high_mild += 1;
        }
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median_of_sorted(&[1.0, 2.0, 9.0]), 2.0);
        assert_eq!(median_of_sorted(&[1.0, 2.0, 4.0, 9.0]), 3.0);
    }

    #[test]
    fn one_far_value_is_a_severe_outlier() {
        let mut values = vec![10.0, 11.0, 10.5, 10.2, 10.8, 10.1, 10.9, 10.4];
        values.push(100.0);
        let counts = outliers(&values);
        assert_eq!(counts.high_severe, 1);
        assert_eq!(counts.low_severe + counts.low_mild + counts.high_mild, 0);
    }

    #[test]
    fn single_sample_has_a_degenerate_interval() {
        let e = estimate(&[5.0]);
        assert_eq!((e.ci95_lo, e.median, e.ci95_hi), (5.0, 5.0, 5.0));
        assert_eq!(e.stddev, 0.0);
    }

    proptest! {
        #[test]
        fn estimate_is_ordered(values in prop::collection::vec(0.0f64..1e9, 1..60)) {
            let e = estimate(&values);
            prop_assert!(e.min <= e.ci95_lo && e.ci95_lo <= e.median);
            prop_assert!(e.median <= e.ci95_hi && e.ci95_hi <= e.max);
            prop_assert!(e.min <= e.mean && e.mean <= e.max);
            prop_assert!(e.stddev >= 0.0);
        }

        #[test]
        fn outliers_never_exceed_the_sample(values in prop::collection::vec(0.0f64..1e6, 1..60)) {
            let o = outliers(&values);
            let total = o.low_severe + o.low_mild + o.high_mild + o.high_severe;
            prop_assert!(total as usize <= values.len());
        }
    }
}
