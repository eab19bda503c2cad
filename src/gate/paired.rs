//! Statistics of paired comparisons: each block of interleaved rounds gives
//! one log ratio ln(new / base); the verdict rests on those alone.
//!
//! Why these tests: the controller flips a fair coin for which side goes
//! first in every round, and builds both sides' trials afresh for every
//! block. Under "no difference" the two sides are then exchangeable within
//! a block, so a block's log ratio is as likely to be positive as negative
//! whatever the machine's drift: the sign test on blocks is exact, with no
//! assumption about the noise. The median's interval comes from the same
//! binomial law (order statistics). False alarms over a whole suite are held
//! down by confirming every suspect in fresh blocks and applying
//! Benjamini-Hochberg to the confirmations' p-values.

/// Blocks needed before a point can be judged: with 6, a unanimous sign
/// test reaches p = 1/64 and the median's interval [min, max] covers 97%.
pub const MIN_BLOCKS: usize = 6;
/// The screening's level: below it a point is a suspect, to be confirmed.
pub const SCREEN_LEVEL: f64 = 0.05;

/// What the blocks of one point say.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Paired {
    /// exp(median of the block log ratios): new / base.
    pub ratio: f64,
    /// The median's 95% interval, as ratios.
    pub lo: f64,
    pub hi: f64,
    /// One-sided sign-test p-values: new slower, new faster.
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
    let mut sorted: Vec<f64> = log_ratios
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .collect();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
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
    let median = if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    };
    let (lo, hi) = median_interval(&sorted);
    let above = sorted.iter().filter(|v| **v > 0.0).count();
    let below = sorted.iter().filter(|v| **v < 0.0).count();
    Paired {
        ratio: median.exp(),
        lo: lo.exp(),
        hi: hi.exp(),
        p_slower: sign_test(above, above + below),
        p_faster: sign_test(below, above + below),
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

/// P(X >= k) for X ~ Binomial(n, 1/2): the one-sided sign-test p-value of
/// k successes in n. 1 for n = 0.
pub fn sign_test(k: usize, n: usize) -> f64 {
    if n == 0 {
        return 1.0;
    }
    let tail: f64 = (k..=n).map(|i| binomial_half(n, i)).sum();
    tail.min(1.0)
}

/// P(X = i) for X ~ Binomial(n, 1/2), through logs so large n cannot overflow.
fn binomial_half(n: usize, i: usize) -> f64 {
    let ln_choose = ln_factorial(n) - ln_factorial(i) - ln_factorial(n - i);
    (ln_choose - n as f64 * std::f64::consts::LN_2).exp()
}

fn ln_factorial(n: usize) -> f64 {
    (2..=n).map(|k| (k as f64).ln()).sum()
}

/// The distribution-free 95% interval of the median of `sorted`: the order
/// statistics x(k) and x(n+1-k) with the largest k such that
/// P(Binomial(n, 1/2) < k) <= 2.5%. Fewer than 6 values: [min, max].
fn median_interval(sorted: &[f64]) -> (f64, f64) {
    let n = sorted.len();
    let mut k = 1;
    while k < n / 2 && 1.0 - sign_test(k + 1, n) <= 0.025 {
        k += 1;
    }
    (sorted[k - 1], sorted[n - k])
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
    fn the_sign_test_is_the_binomial_tail() {
        assert!((sign_test(6, 6) - 1.0 / 64.0).abs() < 1e-12);
        assert!((sign_test(5, 6) - 7.0 / 64.0).abs() < 1e-12);
        assert!((sign_test(0, 6) - 1.0).abs() < 1e-12);
        assert_eq!(sign_test(0, 0), 1.0);
        assert!(sign_test(60, 100) > 0.02 && sign_test(60, 100) < 0.03);
    }

    #[test]
    fn the_median_interval_widens_to_the_extremes_for_few_blocks() {
        let six = [-3.0, -1.0, 0.0, 1.0, 2.0, 5.0];
        assert_eq!(median_interval(&six), (-3.0, 5.0));
        let many: Vec<f64> = (0..100).map(f64::from).collect();
        // n = 100: the 95% interval is x(40)..x(61) (1-based).
        assert_eq!(median_interval(&many), (39.0, 60.0));
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
