//! A point's per-sample ns/op values summarised as the schema keeps them
//! (`Estimate`, `Outliers`), from the plain statistics in `crate::stats`.

use super::schema::{Estimate, Latency, Outliers, Summary};
use crate::stats::{median_interval, median_of_sorted, tukey_fences};
use crate::vocab::Sample;

impl Summary {
    /// Median ns/op with its interval, spread, outliers and rate, from the
    /// samples (each with at least one operation).
    pub fn of(samples: &[Sample]) -> Summary {
        let per_op: Vec<f64> = samples
            .iter()
            .map(|s| s.ns as f64 / s.ops.max(1) as f64)
            .collect();
        let ns_per_op = Estimate::of(&per_op);
        Summary {
            ops_per_s: if ns_per_op.median > 0.0 {
                1e9 / ns_per_op.median
            } else {
                0.0
            },
            outliers: Outliers::of(&per_op),
            ns_per_op,
        }
    }
}

impl Latency {
    /// Several measurements' latencies as one (the gate's blocks, a group's
    /// processes): counts add up, the maximum is the largest, and each
    /// percentile is theirs weighted by their counts. Only percentiles are
    /// kept, not histograms, so this approximates the pooled percentile
    /// (exact when the parts agree).
    pub fn merged(parts: &[Latency]) -> Option<Latency> {
        let count: u64 = parts.iter().map(|l| l.count).sum();
        if count == 0 {
            return parts.last().cloned();
        }
        let weighted = |of: fn(&Latency) -> u64| {
            let sum: u128 = parts
                .iter()
                .map(|l| u128::from(of(l)) * u128::from(l.count))
                .sum();
            (sum / u128::from(count)) as u64
        };
        Some(Latency {
            p50: weighted(|l| l.p50),
            p90: weighted(|l| l.p90),
            p99: weighted(|l| l.p99),
            p999: weighted(|l| l.p999),
            max: parts.iter().map(|l| l.max).max().unwrap_or(0),
            count,
        })
    }
}

impl Estimate {
    /// Summarise `values` (at least one, no NaN): the median, its
    /// order-statistic 95% interval (from 6 values on), mean, standard
    /// deviation and extremes.
    pub fn of(values: &[f64]) -> Estimate {
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len() as f64;
        let mean = sorted.iter().sum::<f64>() / n;
        let variance = if sorted.len() > 1 {
            sorted.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)
        } else {
            0.0
        };
        let interval = median_interval(&sorted);
        Estimate {
            median: median_of_sorted(&sorted),
            ci95_lo: interval.map(|(lo, _)| lo),
            ci95_hi: interval.map(|(_, hi)| hi),
            mean,
            stddev: variance.sqrt(),
            min: sorted[0],
            max: sorted[sorted.len() - 1],
        }
    }
}

impl Outliers {
    /// Count `values` beyond Tukey's inner (1.5 IQR) and outer (3 IQR)
    /// fences.
    pub fn of(values: &[f64]) -> Outliers {
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        let [outer_low, inner_low, inner_high, outer_high] = tukey_fences(&sorted);
        let mut counts = Outliers::default();
        for &v in &sorted {
            if v < outer_low {
                counts.low_severe += 1;
            } else if v < inner_low {
                counts.low_mild += 1;
            } else if v > outer_high {
                counts.high_severe += 1;
            } else if v > inner_high {
                counts.high_mild += 1;
            }
        }
        counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn one_far_value_is_a_severe_outlier() {
        let mut values = vec![10.0, 11.0, 10.5, 10.2, 10.8, 10.1, 10.9, 10.4];
        values.push(100.0);
        let counts = Outliers::of(&values);
        assert_eq!(counts.high_severe, 1);
        assert_eq!(counts.low_severe + counts.low_mild + counts.high_mild, 0);
    }

    #[test]
    fn fewer_than_six_samples_have_no_interval() {
        let e = Estimate::of(&[5.0]);
        assert_eq!((e.median, e.interval()), (5.0, None));
        assert_eq!(e.stddev, 0.0);
        // Five samples: a bootstrap would call [min, max] 95%; it is 94%.
        assert_eq!(Estimate::of(&[1.0, 2.0, 3.0, 4.0, 5.0]).interval(), None);
        let six = Estimate::of(&[6.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(six.interval(), Some((1.0, 6.0)));
    }

    proptest! {
        #[test]
        fn estimate_is_ordered(values in prop::collection::vec(0.0f64..1e9, 1..60)) {
            let e = Estimate::of(&values);
            if let Some((lo, hi)) = e.interval() {
                prop_assert!(e.min <= lo && lo <= e.median);
                prop_assert!(e.median <= hi && hi <= e.max);
            }
            prop_assert!(e.min <= e.mean && e.mean <= e.max);
            prop_assert!(e.stddev >= 0.0);
        }

        #[test]
        fn outliers_never_exceed_the_sample(values in prop::collection::vec(0.0f64..1e6, 1..60)) {
            let o = Outliers::of(&values);
            let total = o.low_severe + o.low_mild + o.high_mild + o.high_severe;
            prop_assert!(total as usize <= values.len());
        }
    }
}
