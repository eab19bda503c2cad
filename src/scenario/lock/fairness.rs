//! Fairness between threads that compete for the same operations: in each
//! sample, the smallest share of operations one thread got over the largest
//! (1 = all equal, 0 = a thread got none) and Jain's index
//! `(sum x)^2 / (n * sum x^2)` (1 = all equal, 1/n = one thread got all),
//! averaged over the measured samples.

/// The min/max ratio of per-thread operation counts (1 for no operations).
pub fn min_over_max(counts: &[u64]) -> f64 {
    let max = counts.iter().copied().max().unwrap_or(0);
    let min = counts.iter().copied().min().unwrap_or(0);
    if max == 0 {
        1.0
    } else {
        min as f64 / max as f64
    }
}

/// Jain's fairness index of per-thread operation counts (1 for no operations).
pub fn jain(counts: &[u64]) -> f64 {
    let sum: f64 = counts.iter().map(|&c| c as f64).sum();
    let squares: f64 = counts.iter().map(|&c| (c as f64) * (c as f64)).sum();
    if squares == 0.0 {
        1.0
    } else {
        sum * sum / (counts.len() as f64 * squares)
    }
}

/// Both figures, averaged over the samples added since the last `clear`.
#[derive(Debug, Default)]
pub struct Fairness {
    min_over_max: f64,
    jain: f64,
    samples: u64,
}

impl Fairness {
    /// Add one sample's per-thread operation counts.
    pub fn add(&mut self, counts: &[u64]) {
        self.min_over_max += min_over_max(counts);
        self.jain += jain(counts);
        self.samples += 1;
    }

    /// Forget the samples so far (warm-up).
    pub fn clear(&mut self) {
        *self = Fairness::default();
    }

    /// `(min/max, Jain)` averaged over the samples, if there were any.
    pub fn averages(&self) -> Option<(f64, f64)> {
        (self.samples > 0).then(|| {
            let n = self.samples as f64;
            (self.min_over_max / n, self.jain / n)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_shares_are_perfectly_fair() {
        assert_eq!(min_over_max(&[50, 50, 50]), 1.0);
        assert!((jain(&[50, 50, 50]) - 1.0).abs() < 1e-12);
        assert_eq!(min_over_max(&[7]), 1.0);
    }

    #[test]
    fn one_thread_taking_everything_is_the_worst_case() {
        assert_eq!(min_over_max(&[100, 0, 0, 0]), 0.0);
        assert!((jain(&[100, 0, 0, 0]) - 0.25).abs() < 1e-12);
    }

    #[test]
    fn uneven_shares_fall_in_between() {
        let counts = [30, 70];
        assert!((min_over_max(&counts) - 30.0 / 70.0).abs() < 1e-12);
        // (100)^2 / (2 * (900 + 4900)) = 10000 / 11600
        assert!((jain(&counts) - 10_000.0 / 11_600.0).abs() < 1e-12);
    }

    #[test]
    fn averages_cover_the_samples_since_clear() {
        let mut fairness = Fairness::default();
        assert_eq!(fairness.averages(), None);
        fairness.add(&[100, 0]);
        fairness.clear();
        fairness.add(&[10, 10]);
        fairness.add(&[10, 5]);
        let (min_max, jain) = fairness.averages().expect("two samples");
        assert!((min_max - 0.75).abs() < 1e-12);
        assert!(jain < 1.0 && jain > 0.9);
    }
}
