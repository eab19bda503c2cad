//! Small statistics on plain numbers: quantiles, the median's
//! distribution-free 95% interval (from order statistics, true at every n
//! from 6 on; none below), and per-round ratios summarised so that inverting
//! them inverts the figure. A foundation: knows nothing of benchmarks or of
//! concbench. Invariant: inputs contain no NaNs.

/// The fewest values with a 95% interval of their median: the widest
/// order-statistic interval, [min, max], covers the median with probability
/// 1 - 2 * 2^-n, which first reaches 95% at n = 6 (96.9%).
pub const MIN_FOR_INTERVAL: usize = 6;

/// Per-round ratios (one figure over another, round by round) summarised.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RatioEstimate {
    /// The median ratio, taken on a log scale: with an even count it is the
    /// geometric mean of the middle two, so the figure for the inverse
    /// ratios is exactly its inverse (a speed-up and a slow-down of the same
    /// rounds are one number read both ways).
    pub ratio: f64,
    /// The order-statistic 95% interval of the median ratio (None below
    /// `MIN_FOR_INTERVAL` rounds: too few to say anything at 95%).
    pub interval: Option<(f64, f64)>,
    pub rounds: usize,
}

impl RatioEstimate {
    /// The same rounds read the other way round (b/a instead of a/b).
    pub fn inverse(self) -> RatioEstimate {
        RatioEstimate {
            ratio: 1.0 / self.ratio,
            interval: self.interval.map(|(lo, hi)| (1.0 / hi, 1.0 / lo)),
            rounds: self.rounds,
        }
    }
}

/// Summarise per-round ratios (each positive and finite; at least one).
pub fn ratio_estimate(ratios: &[f64]) -> RatioEstimate {
    let mut logs: Vec<f64> = ratios.iter().map(|r| r.ln()).collect();
    logs.sort_by(f64::total_cmp);
    RatioEstimate {
        ratio: median_of_sorted(&logs).exp(),
        // Order statistics commute with ln and exp: the interval of the
        // logs, exponentiated, is the interval of the ratios.
        interval: median_interval(&logs).map(|(lo, hi)| (lo.exp(), hi.exp())),
        rounds: ratios.len(),
    }
}

/// Per-round ratios grouped by the process (draw) they were measured in,
/// summarised with the process as the unit: each process's median ratio
/// (`ratio_estimate`), then the median of those with its order-statistic
/// interval over the processes (none below 6 processes). `rounds` is then
/// the number of processes: rounds within a process are not independent
/// draws of what the process drew.
pub fn ratio_estimate_by_draw(groups: &[Vec<f64>]) -> RatioEstimate {
    let per_draw: Vec<f64> = groups
        .iter()
        .filter(|g| !g.is_empty())
        .map(|g| ratio_estimate(g).ratio)
        .collect();
    if per_draw.is_empty() {
        return RatioEstimate {
            ratio: 1.0,
            interval: None,
            rounds: 0,
        };
    }
    ratio_estimate(&per_draw)
}

/// The distribution-free 95% interval of the median of a sorted slice:
/// [x(k), x(n+1-k)] with k the largest such that P(Binomial(n, 1/2) < k)
/// <= 2.5%. Its coverage, 1 - 2 P(Binomial(n, 1/2) < k), is at least 95%
/// for any continuous distribution at every n (the sign test's interval);
/// None below `MIN_FOR_INTERVAL` values, where no such k exists.
pub fn median_interval(sorted: &[f64]) -> Option<(f64, f64)> {
    median_interval_at(sorted, 0.95)
}

/// `median_interval` at another confidence `level` (in (0, 1)): two
/// intervals at 97.5% make a 95% statement about both at once.
pub fn median_interval_at(sorted: &[f64], level: f64) -> Option<(f64, f64)> {
    let k = rank_at(sorted.len(), (1.0 - level) / 2.0)?;
    Some((sorted[k - 1], sorted[sorted.len() - k]))
}

/// The rank k of `median_interval` for n values (1-based), if any.
pub fn order_statistic_rank(n: usize) -> Option<usize> {
    rank_at(n, 0.025)
}

/// The largest k with P(Binomial(n, 1/2) < k) <= `tail`, if k >= 1.
fn rank_at(n: usize, tail: f64) -> Option<usize> {
    if n == 0 {
        return None;
    }
    // Walk the binomial law up from 0 in log space (2^-n underflows for
    // large n): P(B <= j) for j = 0, 1, ... until it passes 2.5%.
    let ln_half_n = -(n as f64) * std::f64::consts::LN_2;
    let mut ln_choose = 0.0f64;
    let mut below = 0.0f64;
    let mut k = 0;
    for j in 0..=n / 2 {
        let mass = (ln_choose + ln_half_n).exp();
        if below + mass > tail {
            break;
        }
        below += mass;
        k = j + 1;
        ln_choose += ((n - j) as f64).ln() - ((j + 1) as f64).ln();
    }
    (k >= 1).then_some(k)
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

/// Tukey's fences of a sorted, non-empty slice: (q1 - 3 IQR, q1 - 1.5 IQR,
/// q3 + 1.5 IQR, q3 + 3 IQR), the outer and inner fences below and above.
pub fn tukey_fences(sorted: &[f64]) -> [f64; 4] {
    let q1 = quantile_of_sorted(sorted, 0.25);
    let q3 = quantile_of_sorted(sorted, 0.75);
    let iqr = q3 - q1;
    [
        q1 - 3.0 * iqr,
        q1 - 1.5 * iqr,
        q3 + 1.5 * iqr,
        q3 + 3.0 * iqr,
    ]
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
    fn the_order_statistic_rank_follows_the_binomial_law() {
        // P(B <= 0) for n = 5 is 1/32 > 2.5%: no interval below 6.
        for n in 0..MIN_FOR_INTERVAL {
            assert_eq!(order_statistic_rank(n), None, "n = {n}");
        }
        // n = 6: 1/64 <= 2.5% < 7/64; n = 10: 11/1024 <= 2.5% < 56/1024;
        // n = 20: P(B <= 5) = 2.07%, P(B <= 6) = 5.77%.
        assert_eq!(order_statistic_rank(6), Some(1));
        assert_eq!(order_statistic_rank(10), Some(2));
        assert_eq!(order_statistic_rank(20), Some(6));
        // Large n: about n/2 - 1.96 sqrt(n)/2 (the normal approximation).
        let k = order_statistic_rank(10_000).expect("a rank") as f64;
        assert!((k - (5000.0 - 98.0)).abs() <= 2.0, "{k}");
        assert_eq!(median_interval(&[1.0, 2.0, 3.0, 4.0, 5.0]), None);
        // At 97.5% each, 2^-n <= 1.25% from n = 7 on.
        let six = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        assert_eq!(median_interval_at(&six, 0.975), None);
        assert_eq!(
            median_interval_at(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0], 0.975),
            Some((1.0, 7.0))
        );
        assert_eq!(
            median_interval(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]),
            Some((1.0, 6.0))
        );
    }

    #[test]
    fn a_ratio_and_its_inverse_are_one_figure() {
        // Two rounds of 1.5x and 3x: the arithmetic median says 2.25x one
        // way and 1 / median(1/1.5, 1/3) = 2x the other.
        let one_way = ratio_estimate(&[1.5, 3.0]);
        let other_way = ratio_estimate(&[1.0 / 1.5, 1.0 / 3.0]);
        assert!((one_way.ratio * other_way.ratio - 1.0).abs() < 1e-12);
        assert!((one_way.ratio - 4.5f64.sqrt()).abs() < 1e-12);
        assert_eq!(one_way.interval, None, "two rounds: no 95% interval");
        let rounds = [1.1, 1.3, 0.9, 1.2, 1.25, 1.05, 1.15, 1.4];
        let inverted: Vec<f64> = rounds.iter().map(|r| 1.0 / r).collect();
        let (a, b) = (ratio_estimate(&rounds), ratio_estimate(&inverted));
        let (lo, hi) = a.interval.expect("eight rounds");
        let (ilo, ihi) = b.inverse().interval.expect("eight rounds");
        assert!((lo - ilo).abs() < 1e-12 && (hi - ihi).abs() < 1e-12);
        assert!((a.ratio - b.inverse().ratio).abs() < 1e-12);
    }

    #[test]
    fn the_process_is_the_unit_of_a_drawn_ratio() {
        // Three processes drew 1.0, 2.0 and 4.0 and each measured its own
        // speed in 20 rounds: 60 rounds pooled would give a tight interval
        // around 2; with the process as the unit, three are too few for one.
        let groups: Vec<Vec<f64>> = [1.0, 2.0, 4.0]
            .iter()
            .map(|&r| (0..20).map(|i| r * (1.0 + 0.001 * i as f64)).collect())
            .collect();
        let e = ratio_estimate_by_draw(&groups);
        assert_eq!((e.rounds, e.interval), (3, None));
        assert!((e.ratio - 2.0 * 1.0095).abs() < 0.01, "{e:?}");
        let six: Vec<Vec<f64>> = (0..6).map(|k| vec![1.0 + 0.1 * k as f64; 5]).collect();
        let e = ratio_estimate_by_draw(&six);
        assert_eq!(e.rounds, 6);
        let (lo, hi) = e.interval.expect("six processes");
        assert!((lo - 1.0).abs() < 1e-12 && (hi - 1.5).abs() < 1e-12);
    }

    proptest! {
        #[test]
        fn the_interval_holds_the_median_within_the_extremes(
            values in prop::collection::vec(0.0f64..1e9, 1..80)
        ) {
            let mut sorted = values.clone();
            sorted.sort_by(f64::total_cmp);
            let median = median_of_sorted(&sorted);
            match median_interval(&sorted) {
                Some((lo, hi)) => {
                    prop_assert!(sorted[0] <= lo && lo <= median);
                    prop_assert!(median <= hi && hi <= sorted[sorted.len() - 1]);
                }
                None => prop_assert!(sorted.len() < MIN_FOR_INTERVAL),
            }
        }
    }
}
