//! From a ratio interval and a threshold to a verdict, and, for uncertain
//! points, how many more samples would settle them. A threshold t gives the
//! bounds 1 + t above and 1/(1 + t) below: symmetric on a log scale, so a
//! slowdown and a speed-up by the same factor weigh the same, and a speed-up
//! can count as improved whatever the threshold (1 - t would be 0 or less
//! from t = 100% on).

use serde::{Deserialize, Serialize};

use super::bootstrap::Ratio;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Slower than the threshold allows, at 95% confidence: the whole
    /// interval lies above 1 + threshold (from results files), or the
    /// confirmation's one-sided test of "no more than 1 + threshold slower"
    /// rejects it, within the suite's 5% false-discovery rate (interleaved).
    Regressed,
    /// Faster beyond the threshold, in the same sense: below 1/(1 + threshold).
    Improved,
    /// The whole interval lies within [1/(1 + threshold), 1 + threshold].
    Unchanged,
    /// The interval straddles a bound: more samples are needed to say.
    Uncertain,
    /// Measured in the base run, but went wrong (failed, timed out, an
    /// unexpected deadlock) in at least one new run.
    Broken,
    /// Nothing to compare: skipped on either side, not measured in the base
    /// run, or showing its declared outcome (deadlocked as meant).
    NotComparable,
}

impl Verdict {
    pub fn word(self) -> &'static str {
        match self {
            Verdict::Regressed => "REGRESSED",
            Verdict::Improved => "improved",
            Verdict::Unchanged => "unchanged",
            Verdict::Uncertain => "uncertain",
            Verdict::Broken => "BROKEN",
            Verdict::NotComparable => "not comparable",
        }
    }

    /// Whether this verdict fails the gate.
    pub fn fails(self) -> bool {
        matches!(self, Verdict::Regressed | Verdict::Broken)
    }
}

/// The bounds (lower, upper) of a threshold given as a fraction (0.05).
pub fn bounds(threshold: f64) -> (f64, f64) {
    (1.0 / (1.0 + threshold), 1.0 + threshold)
}

/// The verdict of `ratio` against a threshold given as a fraction (0.05).
pub fn judge(ratio: &Ratio, threshold: f64) -> Verdict {
    let (lower, upper) = bounds(threshold);
    if ratio.lo > upper {
        Verdict::Regressed
    } else if ratio.hi < lower {
        Verdict::Improved
    } else if ratio.lo >= lower && ratio.hi <= upper {
        Verdict::Unchanged
    } else {
        Verdict::Uncertain
    }
}

/// For an uncertain point: the factor by which the sample count must grow
/// for the interval (whose half-width shrinks as 1/sqrt(n)) to clear every
/// bound it straddles. Each bound is measured against the half of the
/// interval facing it (estimate - lo for a bound below the estimate, hi -
/// estimate above), since bootstrap intervals are often lopsided. At least
/// 1; None when the estimate sits on a straddled bound.
pub fn growth_to_settle(ratio: &Ratio, threshold: f64) -> Option<f64> {
    let (lower, upper) = bounds(threshold);
    let mut growth: f64 = 1.0;
    for bound in [lower, upper] {
        if bound < ratio.lo || bound > ratio.hi {
            continue;
        }
        let distance = (ratio.ratio - bound).abs();
        if distance <= 1e-9 {
            return None;
        }
        let half = if bound < ratio.ratio {
            ratio.ratio - ratio.lo
        } else {
            ratio.hi - ratio.ratio
        };
        growth = growth.max((half / distance).powi(2));
    }
    Some(growth)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(ratio: f64, lo: f64, hi: f64) -> Ratio {
        Ratio { ratio, lo, hi }
    }

    #[test]
    fn verdicts_follow_where_the_interval_lies() {
        assert_eq!(judge(&r(1.20, 1.12, 1.28), 0.05), Verdict::Regressed);
        assert_eq!(judge(&r(0.80, 0.75, 0.86), 0.05), Verdict::Improved);
        assert_eq!(judge(&r(1.00, 0.98, 1.03), 0.05), Verdict::Unchanged);
        assert_eq!(judge(&r(1.06, 1.01, 1.11), 0.05), Verdict::Uncertain);
        assert_eq!(judge(&r(0.96, 0.90, 1.01), 0.05), Verdict::Uncertain);
    }

    #[test]
    fn a_narrower_interval_is_needed_the_closer_the_estimate_is_to_a_bound() {
        let near = growth_to_settle(&r(1.06, 1.01, 1.11), 0.05).expect("settleable");
        let far = growth_to_settle(&r(1.09, 1.01, 1.17), 0.05).expect("settleable");
        assert!((near - 25.0).abs() < 1e-6, "{near}");
        assert!(far < near, "{far} < {near}");
        assert_eq!(growth_to_settle(&r(1.05, 1.0, 1.1), 0.05), None);
    }

    #[test]
    fn the_lower_bound_is_the_reciprocal_of_the_upper() {
        // 0.951 is a 5.2% speed-up (1/0.951 = 1.052): beyond 5%.
        assert_eq!(judge(&r(0.950, 0.949, 0.951), 0.05), Verdict::Improved);
        // 0.951 is inside 1 - 5% but outside 1/1.05 = 0.9524.
        assert_eq!(judge(&r(0.955, 0.951, 0.960), 0.05), Verdict::Uncertain);
        assert_eq!(judge(&r(0.960, 0.953, 0.970), 0.05), Verdict::Unchanged);
        let (lower, upper) = bounds(0.05);
        assert!((lower * upper - 1.0).abs() < 1e-12);
    }

    #[test]
    fn a_speed_up_can_be_improved_at_thresholds_of_100_percent_and_more() {
        assert_eq!(judge(&r(0.45, 0.40, 0.49), 1.0), Verdict::Improved);
        assert_eq!(judge(&r(0.30, 0.28, 0.33), 1.5), Verdict::Improved);
        assert_eq!(judge(&r(0.45, 0.40, 0.52), 1.0), Verdict::Uncertain);
        assert_eq!(judge(&r(2.10, 2.05, 2.20), 1.0), Verdict::Regressed);
    }

    #[test]
    fn a_lopsided_interval_is_measured_on_the_side_facing_the_bound() {
        // Straddles 1.05 only on its long upper side; the old symmetric
        // half-width (0.035) fell short of the distance (0.05): growth 1,
        // "~0 more samples".
        let growth = growth_to_settle(&r(1.00, 0.99, 1.06), 0.05).expect("settleable");
        assert!((growth - 1.44).abs() < 1e-6, "{growth}");
        assert_eq!(judge(&r(1.00, 0.99, 1.06), 0.05), Verdict::Uncertain);
        // The same below: straddles 1/1.05 on its long lower side.
        let growth = growth_to_settle(&r(1.00, 0.94, 1.01), 0.05).expect("settleable");
        assert!(growth > 1.0, "{growth}");
    }

    #[test]
    fn an_interval_over_both_bounds_must_clear_both() {
        // Estimate 1.0, interval [0.90, 1.10]: the upper bound needs
        // (0.10/0.05)^2 = 4, the lower one (0.10/0.0476)^2 = 4.41.
        let growth = growth_to_settle(&r(1.00, 0.90, 1.10), 0.05).expect("settleable");
        assert!(
            (growth - (0.10_f64 / (1.0 - 1.0 / 1.05)).powi(2)).abs() < 1e-6,
            "{growth}"
        );
    }

    #[test]
    fn only_regressions_and_breakage_fail_the_gate() {
        assert!(Verdict::Regressed.fails() && Verdict::Broken.fails());
        assert!(
            !Verdict::Uncertain.fails()
                && !Verdict::Improved.fails()
                && !Verdict::NotComparable.fails()
        );
    }
}
