//! The ratio new/base of a point's time per operation, with a 95% interval
//! from a two-level bootstrap: resample the invocations (separate runs) of
//! each side, then the samples within each chosen invocation. With several
//! invocations the interval carries the run-to-run spread that within-run
//! samples miss; with one it is the within-run interval. Knows nothing of
//! results files. Invariant: every invocation has at least one sample, and
//! no value is NaN.

use crate::stats::{median_of_sorted, quantile_of_sorted};

const RESAMPLES: usize = 2000;

/// new/base with its 95% interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ratio {
    pub ratio: f64,
    pub lo: f64,
    pub hi: f64,
}

/// The statistic of one side: the mean over invocations of each one's median.
pub fn side_estimate(invocations: &[Vec<f64>]) -> f64 {
    let medians: Vec<f64> = invocations
        .iter()
        .map(|samples| {
            let mut sorted = samples.clone();
            sorted.sort_by(f64::total_cmp);
            median_of_sorted(&sorted)
        })
        .collect();
    medians.iter().sum::<f64>() / medians.len() as f64
}

/// One bootstrap draw of `side_estimate`.
fn resampled_estimate(
    invocations: &[Vec<f64>],
    rng: &mut fastrand::Rng,
    scratch: &mut Vec<f64>,
) -> f64 {
    let mut total = 0.0;
    for _ in 0..invocations.len() {
        let samples = &invocations[rng.usize(..invocations.len())];
        scratch.clear();
        scratch.extend((0..samples.len()).map(|_| samples[rng.usize(..samples.len())]));
        scratch.sort_by(f64::total_cmp);
        total += median_of_sorted(scratch);
    }
    total / invocations.len() as f64
}

/// The ratio of `new` to `base` (each a list of invocations, each a list of
/// per-sample ns/op values) and its percentile-bootstrap 95% interval; None
/// when either side has fewer than 6 samples in all (with 2-4 samples a
/// side the bootstrap's "95%" covered 66-93% in simulation: see
/// tests/statistics/coverage.rs).
pub fn ratio(base: &[Vec<f64>], new: &[Vec<f64>], seed: u64) -> Option<Ratio> {
    let samples = |side: &[Vec<f64>]| side.iter().map(Vec::len).sum::<usize>();
    if samples(base).min(samples(new)) < crate::stats::MIN_FOR_INTERVAL {
        return None;
    }
    let point = side_estimate(new) / side_estimate(base);
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut scratch = Vec::new();
    let mut ratios: Vec<f64> = (0..RESAMPLES)
        .map(|_| {
            resampled_estimate(new, &mut rng, &mut scratch)
                / resampled_estimate(base, &mut rng, &mut scratch)
        })
        .collect();
    ratios.sort_by(f64::total_cmp);
    let (lo, hi) = (
        quantile_of_sorted(&ratios, 0.025),
        quantile_of_sorted(&ratios, 0.975),
    );
    Some(Ratio {
        ratio: point,
        lo: lo.min(point),
        hi: hi.max(point),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Values around `centre` with a small deterministic spread.
    fn samples(centre: f64, count: usize, spread: f64) -> Vec<f64> {
        (0..count)
            .map(|i| centre * (1.0 + spread * (((i * 7) % 11) as f64 / 10.0 - 0.5)))
            .collect()
    }

    #[test]
    fn identical_sides_give_a_ratio_of_one_inside_a_narrow_interval() {
        let side = vec![samples(100.0, 30, 0.02)];
        let r = ratio(&side, &side, 1).expect("30 samples");
        assert!((r.ratio - 1.0).abs() < 1e-12);
        assert!(r.lo < 1.0 && r.hi > 1.0 && r.hi - r.lo < 0.05, "{r:?}");
    }

    #[test]
    fn a_twenty_percent_slowdown_lies_wholly_above_one() {
        let r =
            ratio(&[samples(100.0, 30, 0.02)], &[samples(120.0, 30, 0.02)], 1).expect("30 samples");
        assert!((r.ratio - 1.2).abs() < 0.01 && r.lo > 1.15, "{r:?}");
    }

    #[test]
    fn fewer_than_six_samples_a_side_give_no_interval() {
        let five = vec![samples(100.0, 5, 0.02)];
        let many = vec![samples(100.0, 30, 0.02)];
        assert_eq!(ratio(&five, &many, 1), None);
        assert_eq!(ratio(&many, &five, 1), None);
        let split = vec![samples(100.0, 3, 0.02), samples(100.0, 3, 0.02)];
        assert!(ratio(&split, &many, 1).is_some(), "six in two runs");
    }

    #[test]
    fn spread_between_invocations_widens_the_interval() {
        // Each run is tight, but the runs disagree by several percent.
        let runs = |shift: f64| {
            vec![
                samples(100.0, 30, 0.01),
                samples(100.0 * (1.0 + shift), 30, 0.01),
                samples(100.0 * (1.0 - shift), 30, 0.01),
            ]
        };
        let tight = ratio(&runs(0.0), &runs(0.0), 3).expect("90 samples");
        let spread = ratio(&runs(0.06), &runs(0.06), 3).expect("90 samples");
        assert!(
            spread.hi - spread.lo > 2.0 * (tight.hi - tight.lo),
            "tight {tight:?} spread {spread:?}"
        );
    }

    proptest! {
        #[test]
        fn the_interval_contains_the_ratio(
            base in prop::collection::vec(prop::collection::vec(1.0f64..1e6, 1..20), 1..4),
            new in prop::collection::vec(prop::collection::vec(1.0f64..1e6, 1..20), 1..4),
        ) {
            match ratio(&base, &new, 9) {
                Some(r) => prop_assert!(r.lo <= r.ratio && r.ratio <= r.hi && r.lo > 0.0),
                None => prop_assert!(
                    base.iter().chain(&new).map(Vec::len).sum::<usize>() < 12
                        || base.iter().map(Vec::len).sum::<usize>() < 6
                        || new.iter().map(Vec::len).sum::<usize>() < 6
                ),
            }
        }
    }
}
