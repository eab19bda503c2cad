//! How evenly the meals were shared: the least-fed philosopher against the
//! best-fed one, and Jain's index (sum x)^2 / (n * sum x^2), 1 when all ate
//! the same and 1/n when one ate everything.

/// min / max of the per-philosopher meal counts; `None` if nobody ate.
pub fn min_over_max(meals: &[u64]) -> Option<f64> {
    let max = *meals.iter().max()?;
    let min = *meals.iter().min()?;
    (max > 0).then(|| min as f64 / max as f64)
}

/// Jain's fairness index of the meal counts; `None` if nobody ate.
pub fn jain(meals: &[u64]) -> Option<f64> {
    let sum: f64 = meals.iter().map(|&x| x as f64).sum();
    let squares: f64 = meals.iter().map(|&x| (x as f64) * (x as f64)).sum();
    (squares > 0.0).then(|| sum * sum / (meals.len() as f64 * squares))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_shares_are_perfectly_fair() {
        assert_eq!(min_over_max(&[7, 7, 7]), Some(1.0));
        assert_eq!(jain(&[7, 7, 7]), Some(1.0));
    }

    #[test]
    fn one_eating_everything_scores_one_over_n() {
        assert_eq!(min_over_max(&[0, 0, 0, 12]), Some(0.0));
        assert_eq!(jain(&[0, 0, 0, 12]), Some(0.25));
    }

    #[test]
    fn uneven_shares_fall_in_between() {
        let index = jain(&[1, 2, 3]).expect("some meals");
        assert!((index - 36.0 / 42.0).abs() < 1e-12, "{index}");
        assert_eq!(min_over_max(&[1, 2, 4]), Some(0.25));
    }

    #[test]
    fn no_meals_give_no_figure() {
        assert_eq!(min_over_max(&[0, 0]), None);
        assert_eq!(jain(&[0, 0]), None);
        assert_eq!(jain(&[]), None);
    }
}
