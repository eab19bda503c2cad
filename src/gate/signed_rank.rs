//! The Wilcoxon signed-rank test, exact: the null law of W+ is the
//! permutation law of the values' own ranks (every sign pattern equally
//! likely), counted exactly up to 60 values, tied magnitudes sharing their
//! mean rank; beyond 60, the normal approximation with the variance of those
//! same ranks (the tie correction). Also the Walsh-average interval of the
//! Hodges-Lehmann estimate that goes with it.

/// Up to this many values the signed-rank law is counted exactly.
const EXACT_UP_TO: usize = 60;

/// The null law of W+ for a set of ranks, ready to query. Ranks are held
/// doubled, so that mid-ranks (k + 1/2) are whole numbers.
pub(super) struct NullLaw {
    doubled_ranks: Vec<usize>,
    /// P(2 W+ <= w) for each whole w, when counted exactly.
    cumulative: Option<Vec<f64>>,
}

impl NullLaw {
    /// The law for the ranks 1..=n (no ties).
    pub(super) fn untied(n: usize) -> NullLaw {
        NullLaw::of((1..=n).map(|r| 2 * r).collect())
    }

    /// The law for these doubled ranks.
    fn of(doubled_ranks: Vec<usize>) -> NullLaw {
        let cumulative = (doubled_ranks.len() <= EXACT_UP_TO).then(|| {
            let mut total = 0.0;
            permutation_law(&doubled_ranks)
                .into_iter()
                .map(|p| {
                    total += p;
                    total.min(1.0)
                })
                .collect()
        });
        NullLaw {
            doubled_ranks,
            cumulative,
        }
    }

    /// P(W+ <= w), with w on the ranks' own scale.
    pub(super) fn cdf(&self, w: f64) -> f64 {
        if self.doubled_ranks.is_empty() {
            return 1.0;
        }
        // On the doubled scale every attainable value is whole; the small
        // allowance keeps a sum of mid-ranks from falling below its value.
        let doubled = (2.0 * w + 1e-9).floor();
        match &self.cumulative {
            Some(_) if doubled < 0.0 => 0.0,
            Some(cumulative) => cumulative[(doubled as usize).min(cumulative.len() - 1)],
            None => {
                // The permutation law's own mean and variance: sum r / 2
                // and sum r^2 / 4, which carry the ties.
                let ranks = self.doubled_ranks.iter().map(|&d| d as f64 / 2.0);
                let mean = ranks.clone().sum::<f64>() / 2.0;
                let sd = (ranks.map(|r| r * r).sum::<f64>() / 4.0).sqrt();
                normal_cdf((w + 0.5 - mean) / sd)
            }
        }
    }
}

/// The number of sign patterns of the (doubled) ranks whose positive ranks
/// sum to each w, divided by 2^n: the exact null law of 2 W+.
fn permutation_law(doubled_ranks: &[usize]) -> Vec<f64> {
    let top: usize = doubled_ranks.iter().sum();
    let mut law = vec![0.0f64; top + 1];
    law[0] = 1.0;
    for &rank in doubled_ranks {
        for w in (rank..=top).rev() {
            law[w] += law[w - rank];
        }
    }
    let total = 2f64.powi(doubled_ranks.len() as i32);
    law.iter().map(|c| c / total).collect()
}

pub(super) fn normal_cdf(z: f64) -> f64 {
    // Abramowitz and Stegun 7.1.26 for erf; plenty for p-values.
    let x = z.abs() / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.327_591_1 * x);
    let poly = t
        * (0.254_829_592
            + t * (-0.284_496_736
                + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))));
    let erf = 1.0 - poly * (-x * x).exp();
    if z >= 0.0 {
        0.5 * (1.0 + erf)
    } else {
        0.5 * (1.0 - erf)
    }
}

/// One-sided signed-rank p-values (greater than 0, less than 0) of
/// `values`; zeros are dropped, tied magnitudes share their mean rank, and
/// the law is that of these very ranks (exact under ties).
pub fn signed_rank(values: &[f64]) -> (f64, f64) {
    let mut nonzero: Vec<f64> = values.iter().copied().filter(|v| *v != 0.0).collect();
    let n = nonzero.len();
    if n == 0 {
        return (1.0, 1.0);
    }
    nonzero.sort_by(|a, b| a.abs().total_cmp(&b.abs()));
    let mut doubled_ranks = Vec::with_capacity(n);
    let mut w_plus_doubled = 0usize;
    let mut i = 0;
    while i < n {
        let mut j = i;
        while j + 1 < n && nonzero[j + 1].abs() == nonzero[i].abs() {
            j += 1;
        }
        // Ranks i+1..=j+1 share their mean, (i + j + 2) / 2: doubled, whole.
        let doubled = i + j + 2;
        doubled_ranks.extend(std::iter::repeat_n(doubled, j - i + 1));
        w_plus_doubled += nonzero[i..=j].iter().filter(|v| **v > 0.0).count() * doubled;
        i = j + 1;
    }
    let top_doubled: usize = doubled_ranks.iter().sum();
    let law = NullLaw::of(doubled_ranks);
    // P(W+ >= w) = P(W+ <= top - w): the law is symmetric (flip every sign).
    let p_greater = law.cdf((top_doubled - w_plus_doubled) as f64 / 2.0);
    let p_less = law.cdf(w_plus_doubled as f64 / 2.0);
    (p_greater.min(1.0), p_less.min(1.0))
}

/// The 95% interval of the Hodges-Lehmann estimate from the sorted Walsh
/// averages of `n` values: the k-th smallest and largest, with k the
/// largest count such that P(W+ < k) <= 2.5%. None below 6 values, where
/// even [min, max] (k = 1, P(W+ < 1) = 2^-n) falls short of 95%.
pub(super) fn walsh_interval(walsh: &[f64], n: usize) -> Option<(f64, f64)> {
    let law = NullLaw::untied(n);
    if walsh.is_empty() || law.cdf(0.0) > 0.025 {
        return None;
    }
    let mut k = 1;
    while k < walsh.len() / 2 && law.cdf(k as f64) <= 0.025 {
        k += 1;
    }
    Some((walsh[k - 1], walsh[walsh.len() - k]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_signed_rank_law_is_counted_exactly() {
        // n = 3: sums 0..=6 have 1, 1, 1, 2, 1, 1, 1 patterns of 8.
        let law = permutation_law(&[2, 4, 6]);
        let counts: Vec<f64> = law.iter().step_by(2).map(|p| p * 8.0).collect();
        assert_eq!(counts, [1.0, 1.0, 1.0, 2.0, 1.0, 1.0, 1.0]);
        assert!((law.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        // Six positive values: p = 1/64 one way, 1 the other.
        let (up, down) = signed_rank(&[0.1, 0.2, 0.3, 0.4, 0.5, 0.6]);
        assert!((up - 1.0 / 64.0).abs() < 1e-12 && (down - 1.0).abs() < 1e-12);
        // Large n: the normal approximation agrees with the exact law.
        let exact = NullLaw::untied(60).cdf(700.0);
        let mean = 60.0 * 61.0 / 4.0;
        let sd = (60.0f64 * 61.0 * 121.0 / 24.0).sqrt();
        assert!(
            (exact - normal_cdf((700.5 - mean) / sd)).abs() < 0.01,
            "{exact}"
        );
    }

    #[test]
    fn ties_get_the_law_of_their_own_ranks() {
        // Ranks 2.5 x 4, 5, 6; W+ = 3 x 2.5 + 5 + 6 = 18.5 of 21. Of the 64
        // sign patterns, W- <= 2.5 in 5 (all positive; one 2.5 negative):
        // p = 5/64 = 0.078. The untied law said 0.047.
        let (up, _) = signed_rank(&[0.1, 0.1, 0.1, -0.1, 0.2, 0.3]);
        assert!((up - 5.0 / 64.0).abs() < 1e-12, "{up}");
    }

    #[test]
    fn beyond_sixty_values_ties_narrow_the_normal_law() {
        // 80 values, half of them tied: the tie-corrected variance is the
        // permutation law's own; it agrees with a brute-force count of
        // patterns drawn at random.
        let values: Vec<f64> = (0..80)
            .map(|i| if i < 40 { 0.5 } else { f64::from(i) / 10.0 })
            .map(|v| if v as i64 % 3 == 0 { -v } else { v })
            .collect();
        let (up, down) = signed_rank(&values);
        assert!(up > 0.0 && down > 0.0 && (up + down) >= 1.0 - 1e-9);
        let mut rng = fastrand::Rng::with_seed(5);
        let ranks: Vec<f64> = {
            let mut m: Vec<f64> = values.iter().map(|v| v.abs()).collect();
            m.sort_by(f64::total_cmp);
            values
                .iter()
                .map(|v| {
                    let below = m.iter().filter(|x| **x < v.abs()).count() as f64;
                    let equal = m.iter().filter(|x| **x == v.abs()).count() as f64;
                    below + (equal + 1.0) / 2.0
                })
                .collect()
        };
        let observed: f64 = values
            .iter()
            .zip(&ranks)
            .filter(|(v, _)| **v > 0.0)
            .map(|(_, r)| r)
            .sum();
        let draws = 20_000;
        let at_least = (0..draws)
            .filter(|_| ranks.iter().filter(|_| rng.bool()).sum::<f64>() >= observed)
            .count();
        let simulated = at_least as f64 / draws as f64;
        assert!((simulated - up).abs() < 0.02, "{simulated} against {up}");
    }

    #[test]
    fn fewer_than_six_values_have_no_walsh_interval() {
        for n in 1..6u32 {
            let walsh: Vec<f64> = (0..n * (n + 1) / 2).map(f64::from).collect();
            assert_eq!(walsh_interval(&walsh, n as usize), None, "n = {n}");
        }
        let walsh: Vec<f64> = (0..21).map(f64::from).collect();
        assert_eq!(walsh_interval(&walsh, 6), Some((0.0, 20.0)));
    }

    proptest! {
        #[test]
        fn p_values_are_probabilities_that_cover_every_outcome(
            values in prop::collection::vec(-2.0f64..2.0, 1..70)
        ) {
            let (up, down) = signed_rank(&values);
            prop_assert!((0.0..=1.0).contains(&up) && (0.0..=1.0).contains(&down));
            prop_assert!(up + down >= 1.0 - 1e-9);
        }
    }
}
