//! From a ratio interval and a threshold to a verdict, and, for uncertain
//! points, how many more samples would settle them.

use serde::{Deserialize, Serialize};

use super::bootstrap::Ratio;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The whole interval lies above 1 + threshold.
    Regressed,
    /// The whole interval lies below 1 - threshold.
    Improved,
    /// The whole interval lies within 1 ± threshold.
    Unchanged,
    /// The interval straddles a bound: more samples are needed to say.
    Uncertain,
    /// Measured in the base run, not in the new one (failed, timed out).
    Broken,
    /// Not measured in the base run, so nothing to compare.
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

/// The verdict of `ratio` against a threshold given as a fraction (0.05).
pub fn judge(ratio: &Ratio, threshold: f64) -> Verdict {
    let (upper, lower) = (1.0 + threshold, 1.0 - threshold);
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
/// for the interval (whose half-width shrinks as 1/sqrt(n)) to clear the
/// nearest bound. None when the estimate sits on a bound.
pub fn growth_to_settle(ratio: &Ratio, threshold: f64) -> Option<f64> {
    let half_width = (ratio.hi - ratio.lo) / 2.0;
    let distance = [1.0 + threshold, 1.0 - threshold]
        .iter()
        .map(|bound| (ratio.ratio - bound).abs())
        .fold(f64::INFINITY, f64::min);
    (distance > 1e-9).then(|| (half_width / distance).powi(2).max(1.0))
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
    fn only_regressions_and_breakage_fail_the_gate() {
        assert!(Verdict::Regressed.fails() && Verdict::Broken.fails());
        assert!(
            !Verdict::Uncertain.fails()
                && !Verdict::Improved.fails()
                && !Verdict::NotComparable.fails()
        );
    }
}
