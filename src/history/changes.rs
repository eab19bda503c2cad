//! Change points in a series of per-commit figures: where a point's speed
//! stepped, how far, and how sure.

/// One commit's figure for a point: its median and, where the run had one,
/// its 95% interval (same unit, > 0).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Observation {
    pub value: f64,
    pub lo: Option<f64>,
    pub hi: Option<f64>,
}

/// A segment's level: the typical figure between two change points.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Level {
    pub median: f64,
    pub lo: Option<f64>,
    pub hi: Option<f64>,
    /// How many observations it is made from.
    pub n: usize,
}

/// A step: from `at` on (the index of the first observation after it) the
/// series sits at `after` instead of `before`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Change {
    pub at: usize,
    pub before: Level,
    pub after: Level,
    /// after / before (above 1: slower, for a cost).
    pub ratio: f64,
    /// The significance test's p-value for this step.
    pub p_value: f64,
}

/// How the detector runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// Significance level of each split.
    pub alpha: f64,
    /// Permutations per significance test.
    pub permutations: usize,
    /// Fewest observations in a segment (the newest segment may be shorter,
    /// down to 1, so that the newest commit can start a change).
    pub min_segment: usize,
    /// Seed of the permutations, so a history gives the same answer twice.
    pub seed: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            alpha: 0.005,
            permutations: 399,
            min_segment: 3,
            seed: 0x5eed,
        }
    }
}

/// The changes found in `series` (oldest first), in order of `at`.
pub fn detect(series: &[Observation], settings: &Settings) -> Vec<Change> {
    let _ = (series, settings);
    Vec::new()
}
