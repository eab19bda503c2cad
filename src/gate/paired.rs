//! Statistics of paired comparisons: each block of interleaved rounds gives
//! one log ratio ln(new / base); the verdict rests on those alone.
//!
//! Why these tests: the controller flips a fair coin for which side goes
//! first in every round, and starts both sides' processes and trials afresh
//! for every block. Under "no difference" the two sides are then
//! exchangeable within a block, so a block's log ratio is symmetric about 0
//! whatever the machine's drift, and its sign is a fair coin given its size.
//! The Wilcoxon signed-rank test is then exact (the permutation law of the
//! blocks' own ranks, ties included, up to 60 blocks; a tie-corrected normal
//! approximation beyond), with no assumption about the noise's shape, and
//! keeps more of the data than a sign test. The estimate and its interval
//! are the Hodges-Lehmann ones that go with it (the median of the pairwise
//! means of blocks): they estimate the block ratios' centre of symmetry,
//! which is their median when a change scales the new build's times by a
//! factor (each side's noise then has the same shape, and the coin-ordered
//! pairs make a block's log ratio symmetric about the change).
//!
//! What `regressed` means: the new build is slower than the threshold allows,
//! at 95% confidence. The confirmation tests "no more than 1 + t slower"
//! (the signed-rank test of the block log ratios less ln(1 + t)), so a true
//! slowdown short of the threshold is called regressed at most 5% of the
//! time, and less the further it is below t. False alarms over a whole suite
//! are held down by confirming every suspect in fresh blocks and applying
//! Benjamini-Hochberg to the confirmations' p-values.

/// Blocks needed before a point can be judged: with 6, a unanimous
/// signed-rank test reaches p = 1/64, and the Walsh interval (then [min,
/// max]) first exists at 95%; with fewer there is no 95% interval at all.
pub const MIN_BLOCKS: usize = 6;
/// The screening's level: below it a point is a suspect, to be confirmed.
pub const SCREEN_LEVEL: f64 = 0.05;

/// What the blocks of one point say.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Paired {
    /// exp(Hodges-Lehmann estimate of the block log ratios): new / base.
    pub ratio: f64,
    /// Its 95% interval, as ratios; None below `MIN_BLOCKS` blocks.
    pub interval: Option<(f64, f64)>,
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

pub use super::signed_rank::signed_rank;
use super::signed_rank::walsh_interval;

/// One-sided p-values against the threshold `t` (a fraction): that the new
/// build is no more than 1 + t slower (small: it is slower than that), and
/// no more than 1 + t faster (small: it is faster than that).
pub fn beyond_threshold(log_ratios: &[f64], t: f64) -> (f64, f64) {
    let band = (1.0 + t).ln();
    let shifted = |by: f64| -> Vec<f64> {
        log_ratios
            .iter()
            .filter(|v| v.is_finite())
            .map(|v| v - by)
            .collect()
    };
    (
        signed_rank(&shifted(band)).0,
        signed_rank(&shifted(-band)).1,
    )
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
            interval: None,
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
    let interval = walsh_interval(&walsh, n).map(|(lo, hi)| (lo.exp(), hi.exp()));
    let (p_slower, p_faster) = signed_rank(&values);
    Paired {
        ratio: crate::stats::median_of_sorted(&walsh).exp(),
        interval,
        p_slower,
        p_faster,
        blocks: n,
    }
}

/// The screening's reading of `p` at threshold `t`.
pub fn screen(p: &Paired, t: f64) -> Screen {
    let (upper, lower) = (1.0 + t, 1.0 / (1.0 + t));
    let Some((lo, hi)) = p.interval.filter(|_| p.blocks >= MIN_BLOCKS) else {
        return Screen::Undecided;
    };
    if p.p_slower < SCREEN_LEVEL && p.ratio >= upper {
        Screen::SuspectSlower
    } else if p.p_faster < SCREEN_LEVEL && p.ratio <= lower {
        Screen::SuspectFaster
    } else if lo >= lower && hi <= upper {
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
    let Some((lo, hi)) = p.interval else {
        return n;
    };
    let (estimate, lo, hi) = (p.ratio.ln(), lo.ln(), hi.ln());
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
    fn the_interval_widens_to_the_extremes_for_few_blocks() {
        let six = [-0.3, -0.1, 0.0, 0.1, 0.2, 0.5];
        let (lo, hi) = analyse(&six).interval.expect("six blocks");
        assert!((lo.ln() + 0.3).abs() < 1e-12 && (hi.ln() - 0.5).abs() < 1e-12);
        let many: Vec<f64> = (0..100).map(|i| f64::from(i) / 100.0 - 0.495).collect();
        let (lo, hi) = analyse(&many).interval.expect("a hundred blocks");
        assert!(lo.ln() < 0.0 && hi.ln() > 0.0 && hi.ln() - lo.ln() < 0.2);
        // One block made a zero-width "95% interval"; five made [min, max].
        assert_eq!(analyse(&[0.1]).interval, None);
        assert_eq!(analyse(&six[..5]).interval, None);
    }

    #[test]
    fn the_threshold_test_asks_whether_the_change_is_beyond_the_threshold() {
        // Eight blocks all 4% slower, t = 5%: significantly slower than no
        // change, but not shown slower than the threshold.
        let slower: Vec<f64> = (0..8).map(|i| (1.04f64 + 0.001 * i as f64).ln()).collect();
        assert!(signed_rank(&slower).0 < 0.01);
        let (beyond, faster) = beyond_threshold(&slower, 0.05);
        assert!(beyond > 0.5 && faster > 0.5, "{beyond} {faster}");
        // All 10% slower: beyond 5% at p = 1/256.
        let slower: Vec<f64> = (0..8).map(|i| (1.10f64 + 0.001 * i as f64).ln()).collect();
        let (beyond, _) = beyond_threshold(&slower, 0.05);
        assert!((beyond - 1.0 / 256.0).abs() < 1e-12, "{beyond}");
        let faster: Vec<f64> = slower.iter().map(|v| -v).collect();
        assert!((beyond_threshold(&faster, 0.05).1 - 1.0 / 256.0).abs() < 1e-12);
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
            if let Some((lo, hi)) = p.interval {
                prop_assert!(lo <= p.ratio && p.ratio <= hi);
            }
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
