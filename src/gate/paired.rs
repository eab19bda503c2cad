//! Statistics of paired comparisons: each block of interleaved rounds gives
//! one log ratio ln(new / base); the verdict rests on those alone.
//!
//! Why these tests: the controller flips a fair coin for which side goes
//! first in every round, and starts both sides' processes and trials afresh
//! for every block. Under "no difference" the two sides are then
//! exchangeable within a block, so a block's log ratio is symmetric about 0
//! whatever the machine's drift, and its sign is a fair coin given its size.
//! The Wilcoxon signed-rank test is then exact (computed exactly, not by a
//! normal approximation, up to 60 blocks), with no assumption about the
//! noise's shape, and keeps more of the data than a sign test. The estimate
//! and its interval are the Hodges-Lehmann ones that go with it (the median
//! of the pairwise means of blocks). False alarms over a whole suite are held
//! down by confirming every suspect in fresh blocks and applying
//! Benjamini-Hochberg to the confirmations' p-values.

/// Blocks needed before a point can be judged: with 6, a unanimous
/// signed-rank test reaches p = 1/64 and the interval [min, max] covers 97%.
pub const MIN_BLOCKS: usize = 6;
/// The screening's level: below it a point is a suspect, to be confirmed.
pub const SCREEN_LEVEL: f64 = 0.05;

/// What the blocks of one point say.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Paired {
    /// exp(Hodges-Lehmann estimate of the block log ratios): new / base.
    pub ratio: f64,
    /// Its 95% interval, as ratios.
    pub lo: f64,
    pub hi: f64,
    /// One-sided signed-rank p-values: new slower, new faster.
    pub p_slower: f64,
    pub p_faster: f64,
    pub blocks: usize,
}

/// The screening's reading of a point at threshold `t` (a fraction).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    /// The interval lies inside [1/(1+t), 1+t].
    Unchanged,
    /// Significantly slower, by at least the threshold: confirm it.
    SuspectSlower,
    /// Significantly faster, by at least the threshold: confirm it.
    SuspectFaster,
    /// Neither yet.
    Undecided,
}

/// Analyse the block log ratios of one point.
pub fn analyse(log_ratios: &[f64]) -> Paired {
    let values: Vec<f64> = log_ratios
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .collect();
    let n = values.len();
    if n == 0 {
        return Paired {
            ratio: 1.0,
            lo: 0.0,
            hi: f64::INFINITY,
            p_slower: 1.0,
            p_faster: 1.0,
            blocks: 0,
        };
    }
    let mut walsh: Vec<f64> = Vec::with_capacity(n * (n + 1) / 2);
    for i in 0..n {
        for j in i..n {
            walsh.push((values[i] + values[j]) / 2.0);
        }
    }
    walsh.sort_by(f64::total_cmp);
    let (lo, hi) = walsh_interval(&walsh, n);
    let (p_slower, p_faster) = signed_rank(&values);
    Paired {
        ratio: crate::stats::median_of_sorted(&walsh).exp(),
        lo: lo.exp(),
        hi: hi.exp(),
        p_slower,
        p_faster,
        blocks: n,
    }
}

/// The screening's reading of `p` at threshold `t`.
pub fn screen(p: &Paired, t: f64) -> Screen {
    let (upper, lower) = (1.0 + t, 1.0 / (1.0 + t));
    if p.blocks < MIN_BLOCKS {
        Screen::Undecided
    } else if p.p_slower < SCREEN_LEVEL && p.ratio >= upper {
        Screen::SuspectSlower
    } else if p.p_faster < SCREEN_LEVEL && p.ratio <= lower {
        Screen::SuspectFaster
    } else if p.lo >= lower && p.hi <= upper {
        Screen::Unchanged
    } else {
        Screen::Undecided
    }
}

/// For an undecided point: about how many blocks in all would settle it.
/// The interval's half-width shrinks as 1/sqrt(n); the distance to cover is
/// from the estimate to the nearest thing that would decide it (a bound of
/// the unchanged band, or no change at all for a significance test).
pub fn blocks_to_settle(p: &Paired, t: f64) -> usize {
    let n = p.blocks.max(MIN_BLOCKS);
    let (estimate, lo, hi) = (p.ratio.ln(), p.lo.ln(), p.hi.ln());
    let band = (1.0 + t).ln();
    let (distance, half_width) = if estimate.abs() >= band {
        // Outside the band: the interval must clear no-change.
        (
            estimate.abs(),
            if estimate > 0.0 {
                estimate - lo
            } else {
                hi - estimate
            },
        )
    } else {
        // Inside: the interval must fit between the bounds.
        let to_upper = band - estimate;
        let to_lower = estimate + band;
        if to_upper < to_lower {
            (to_upper, hi - estimate)
        } else {
            (to_lower, estimate - lo)
        }
    };
    if !(distance > 1e-9 && half_width.is_finite()) {
        return n * 10;
    }
    let growth = (half_width / distance).powi(2).clamp(1.0, 100.0);
    ((n as f64 * growth).ceil() as usize).max(n + 1)
}

/// Up to this many values the signed-rank law is counted exactly.
const EXACT_UP_TO: usize = 60;

/// The number of sign patterns of ranks 1..=n whose positive ranks sum to
/// each w, divided by 2^n: the exact null law of the signed-rank statistic.
fn signed_rank_law(n: usize) -> Vec<f64> {
    let top = n * (n + 1) / 2;
    let mut law = vec![0.0f64; top + 1];
    law[0] = 1.0;
    for rank in 1..=n {
        for w in (rank..=top).rev() {
            law[w] += law[w - rank];
        }
    }
    let total = 2f64.powi(n as i32);
    law.iter().map(|c| c / total).collect()
}

/// The null law of the signed-rank statistic for n values, ready to query.
struct NullLaw {
    n: usize,
    /// P(W+ <= w) for each whole w, when counted exactly.
    cumulative: Option<Vec<f64>>,
}

impl NullLaw {
    fn new(n: usize) -> NullLaw {
        let cumulative = (n <= EXACT_UP_TO).then(|| {
            let mut total = 0.0;
            signed_rank_law(n)
                .into_iter()
                .map(|p| {
                    total += p;
                    total.min(1.0)
                })
                .collect()
        });
        NullLaw { n, cumulative }
    }

    /// P(W+ <= w): exact up to `EXACT_UP_TO` values, then the normal
    /// approximation with continuity correction.
    fn cdf(&self, w: f64) -> f64 {
        if self.n == 0 {
            return 1.0;
        }
        match &self.cumulative {
            Some(_) if w < 0.0 => 0.0,
            Some(cumulative) => cumulative[(w.floor() as usize).min(cumulative.len() - 1)],
            None => {
                let n = self.n as f64;
                let mean = n * (n + 1.0) / 4.0;
                let sd = (n * (n + 1.0) * (2.0 * n + 1.0) / 24.0).sqrt();
                normal_cdf((w + 0.5 - mean) / sd)
            }
        }
    }
}

#[cfg(test)]
fn signed_rank_cdf(n: usize, w: f64) -> f64 {
    NullLaw::new(n).cdf(w)
}

fn normal_cdf(z: f64) -> f64 {
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
/// `values`; zeros are dropped, tied magnitudes share their mean rank.
pub fn signed_rank(values: &[f64]) -> (f64, f64) {
    let mut nonzero: Vec<f64> = values.iter().copied().filter(|v| *v != 0.0).collect();
    let n = nonzero.len();
    if n == 0 {
        return (1.0, 1.0);
    }
    nonzero.sort_by(|a, b| a.abs().total_cmp(&b.abs()));
    let mut w_plus = 0.0;
    let mut i = 0;
    while i < n {
        let mut j = i;
        while j + 1 < n && nonzero[j + 1].abs() == nonzero[i].abs() {
            j += 1;
        }
        let rank = (i + j) as f64 / 2.0 + 1.0;
        w_plus += nonzero[i..=j].iter().filter(|v| **v > 0.0).count() as f64 * rank;
        i = j + 1;
    }
    let top = (n * (n + 1)) as f64 / 2.0;
    let law = NullLaw::new(n);
    // P(W+ >= w) = P(W+ <= top - w) by symmetry.
    let p_greater = law.cdf(top - w_plus);
    let p_less = law.cdf(w_plus);
    (p_greater.min(1.0), p_less.min(1.0))
}

/// The 95% interval of the Hodges-Lehmann estimate from the sorted Walsh
/// averages of `n` values: the k-th smallest and largest, with k the
/// largest count such that P(W+ < k) <= 2.5%. Fewer than 6: [min, max].
fn walsh_interval(walsh: &[f64], n: usize) -> (f64, f64) {
    let law = NullLaw::new(n);
    let mut k = 1;
    while k < walsh.len() / 2 && law.cdf(k as f64) <= 0.025 {
        k += 1;
    }
    (walsh[k - 1], walsh[walsh.len() - k])
}

/// Benjamini-Hochberg at false-discovery rate `q`: which of `p_values` are
/// discoveries. Under the complete null (nothing changed) it also bounds the
/// chance of any discovery at all by `q`.
pub fn benjamini_hochberg(p_values: &[f64], q: f64) -> Vec<bool> {
    let m = p_values.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p_values[a].total_cmp(&p_values[b]));
    let largest = order
        .iter()
        .enumerate()
        .filter(|&(rank, &i)| p_values[i] <= (rank + 1) as f64 * q / m as f64)
        .map(|(rank, _)| rank + 1)
        .max()
        .unwrap_or(0);
    let mut discovered = vec![false; m];
    for &i in &order[..largest] {
        discovered[i] = true;
    }
    discovered
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_signed_rank_law_is_counted_exactly() {
        // n = 3: sums 0..=6 have 1, 1, 1, 2, 1, 1, 1 patterns of 8.
        let law = signed_rank_law(3);
        let counts: Vec<f64> = law.iter().map(|p| p * 8.0).collect();
        assert_eq!(counts, [1.0, 1.0, 1.0, 2.0, 1.0, 1.0, 1.0]);
        assert!((law.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        // Six positive values: p = 1/64 one way, 1 the other.
        let (up, down) = signed_rank(&[0.1, 0.2, 0.3, 0.4, 0.5, 0.6]);
        assert!((up - 1.0 / 64.0).abs() < 1e-12 && (down - 1.0).abs() < 1e-12);
        // Large n: the normal approximation agrees with the exact law.
        let exact = signed_rank_cdf(60, 700.0);
        let mean = 60.0 * 61.0 / 4.0;
        let sd = (60.0f64 * 61.0 * 121.0 / 24.0).sqrt();
        assert!(
            (exact - normal_cdf((700.5 - mean) / sd)).abs() < 0.01,
            "{exact}"
        );
    }

    #[test]
    fn the_interval_widens_to_the_extremes_for_few_blocks() {
        let six = [-0.3, -0.1, 0.0, 0.1, 0.2, 0.5];
        let p = analyse(&six);
        assert!((p.lo.ln() + 0.3).abs() < 1e-12 && (p.hi.ln() - 0.5).abs() < 1e-12);
        let many: Vec<f64> = (0..100).map(|i| f64::from(i) / 100.0 - 0.495).collect();
        let p = analyse(&many);
        assert!(
            p.lo.ln() < 0.0 && p.hi.ln() > 0.0 && p.hi.ln() - p.lo.ln() < 0.2,
            "{p:?}"
        );
    }

    #[test]
    fn a_clear_slowdown_is_a_suspect_and_no_change_is_unchanged() {
        let slower: Vec<f64> = (0..8).map(|i| (1.10f64 + 0.01 * i as f64).ln()).collect();
        let p = analyse(&slower);
        assert_eq!(screen(&p, 0.05), Screen::SuspectSlower);
        assert!(p.p_slower < 0.01 && p.ratio > 1.1);
        let same: Vec<f64> = (0..12).map(|i| 0.004 * (i as f64 - 5.5)).collect();
        assert_eq!(screen(&analyse(&same), 0.05), Screen::Unchanged);
        let faster: Vec<f64> = slower.iter().map(|v| -v).collect();
        assert_eq!(screen(&analyse(&faster), 0.05), Screen::SuspectFaster);
        assert_eq!(screen(&analyse(&slower[..5]), 0.05), Screen::Undecided);
    }

    #[test]
    fn an_undecided_point_always_asks_for_more_blocks() {
        let noisy = [0.3, -0.2, 0.1, -0.25, 0.28, -0.1];
        let p = analyse(&noisy);
        assert_eq!(screen(&p, 0.05), Screen::Undecided);
        assert!(blocks_to_settle(&p, 0.05) > 6);
    }

    #[test]
    fn benjamini_hochberg_steps_up() {
        // Thresholds k q / m at q = 0.05, m = 4: 0.0125, 0.025, 0.0375, 0.05.
        let p = [0.01, 0.2, 0.035, 0.02];
        assert_eq!(benjamini_hochberg(&p, 0.05), [true, false, true, true]);
        // Step-up: the largest rank under its line carries the smaller ones.
        let p = [0.03, 0.04, 0.045, 0.049];
        assert_eq!(benjamini_hochberg(&p, 0.05), [true; 4]);
        assert_eq!(benjamini_hochberg(&[0.03, 0.5], 0.05), [false, false]);
        assert!(benjamini_hochberg(&[], 0.05).is_empty());
    }

    proptest! {
        #[test]
        fn the_interval_holds_the_median_and_p_values_are_probabilities(
            values in prop::collection::vec(-2.0f64..2.0, 1..60)
        ) {
            let p = analyse(&values);
            prop_assert!(p.lo <= p.ratio && p.ratio <= p.hi);
            prop_assert!((0.0..=1.0).contains(&p.p_slower));
            prop_assert!((0.0..=1.0).contains(&p.p_faster));
            prop_assert!(p.p_slower + p.p_faster >= 1.0 - 1e-9);
        }

        #[test]
        fn benjamini_hochberg_never_finds_more_than_bonferroni_misses(
            p in prop::collection::vec(0.0f64..1.0, 1..40)
        ) {
            let found = benjamini_hochberg(&p, 0.05);
            for (i, &v) in p.iter().enumerate() {
                if v <= 0.05 / p.len() as f64 {
                    prop_assert!(found[i], "Bonferroni's discoveries are BH's too");
                }
                if found[i] {
                    prop_assert!(v <= 0.05);
                }
            }
        }
    }
}
