//! Unit tests of change-point detection: steps found where they are, none on
//! flat series, the newest commit alone, determinism and odd input.

use super::newest::t_two_sided;
use super::*;

/// A deterministic noisy series: `level(i)` times e^(noise), noise uniform
/// in ±`spread`, each with a ±2% interval.
fn series(n: usize, spread: f64, seed: u64, level: impl Fn(usize) -> f64) -> Vec<Observation> {
    let mut rng = fastrand::Rng::with_seed(seed);
    (0..n)
        .map(|i| {
            let value = level(i) * (spread * (2.0 * rng.f64() - 1.0)).exp();
            Observation {
                value,
                lo: Some(value * 0.98),
                hi: Some(value * 1.02),
            }
        })
        .collect()
}

fn found(changes: &[Change]) -> Vec<usize> {
    changes.iter().map(|c| c.at).collect()
}

#[test]
fn a_clean_step_of_20_percent_is_found_where_it_is() {
    for seed in 0..5 {
        let s = series(40, 0.03, seed, |i| if i < 23 { 100.0 } else { 120.0 });
        let changes = detect(&s, &Settings::default());
        assert_eq!(found(&changes), vec![23], "seed {seed}");
        let change = changes[0];
        assert!((change.ratio - 1.2).abs() < 0.04, "{change:?}");
        assert_eq!((change.before.n, change.after.n), (23, 17));
        assert!(change.before.lo.unwrap() <= change.before.median);
        assert!(change.after.hi.unwrap() >= change.after.median);
        assert!(change.p_value < 0.005);
    }
}

#[test]
fn a_step_without_any_noise_is_found() {
    let s = series(20, 0.0, 1, |i| if i < 10 { 100.0 } else { 120.0 });
    assert_eq!(found(&detect(&s, &Settings::default())), vec![10]);
}

#[test]
fn a_flat_series_has_no_change() {
    for seed in 0..20 {
        let s = series(60, 0.05, seed, |_| 100.0);
        assert!(detect(&s, &Settings::default()).is_empty(), "seed {seed}");
    }
    let constant = series(30, 0.0, 0, |_| 50.0);
    assert!(detect(&constant, &Settings::default()).is_empty());
}

#[test]
fn two_steps_are_both_found() {
    let s = series(60, 0.02, 7, |i| match i {
        0..20 => 100.0,
        20..42 => 112.0,
        _ => 95.0,
    });
    let changes = detect(&s, &Settings::default());
    assert_eq!(found(&changes), vec![20, 42]);
    assert_eq!(changes[0].after, changes[1].before);
}

#[test]
fn the_newest_commit_alone_can_start_a_step() {
    let s = series(30, 0.01, 3, |i| if i < 29 { 100.0 } else { 150.0 });
    let changes = detect(&s, &Settings::default());
    assert_eq!(found(&changes), vec![29]);
    assert_eq!(changes[0].after.n, 1);
    assert!((changes[0].ratio - 1.5).abs() < 0.03);
}

#[test]
fn a_step_the_newest_few_commits_hold_is_found_where_it_starts() {
    // Bisection's permutations cannot tell three of thirty apart from
    // chance at alpha 0.005; the newest block's test can.
    for block in 2..=8 {
        for seed in 0..3 {
            let s = series(
                30,
                0.01,
                seed,
                |i| if i < 30 - block { 100.0 } else { 150.0 },
            );
            let changes = detect(&s, &Settings::default());
            assert_eq!(
                found(&changes),
                vec![30 - block],
                "block {block}, seed {seed}"
            );
        }
    }
    // A block whose oldest commit lies inside the rest starts no step there.
    let mut s = series(30, 0.01, 5, |i| if i < 27 { 100.0 } else { 150.0 });
    s[27].value = 100.0;
    assert_eq!(found(&detect(&s, &Settings::default())), vec![28]);
}

#[test]
fn a_newest_commit_within_the_noise_is_no_step() {
    let mut s = series(30, 0.05, 4, |_| 100.0);
    s[29].value = 104.0;
    assert!(detect(&s, &Settings::default()).is_empty());
}

#[test]
fn the_same_history_gives_the_same_answer() {
    let s = series(80, 0.04, 9, |i| if i < 50 { 10.0 } else { 11.0 });
    let first = detect(&s, &Settings::default());
    assert_eq!(first, detect(&s, &Settings::default()));
    assert!(!first.is_empty());
}

#[test]
fn tiny_series_give_no_change_and_do_not_panic() {
    let settings = Settings::default();
    assert!(detect(&[], &settings).is_empty());
    let one = series(1, 0.0, 0, |_| 1.0);
    assert!(detect(&one, &settings).is_empty());
    for n in 2..8 {
        let s = series(n, 0.01, n as u64, |i| if i + 1 < n { 1.0 } else { 3.0 });
        let _ = detect(&s, &settings);
    }
}

#[test]
fn unusable_figures_are_ignored_and_indices_kept() {
    let mut s = series(40, 0.02, 5, |i| if i < 20 { 100.0 } else { 130.0 });
    for i in [3, 17, 30] {
        s[i].value = [f64::NAN, 0.0, -4.0][i % 3];
    }
    s[8].value = f64::INFINITY;
    s[25].lo = Some(f64::NAN);
    s[26].hi = None;
    s[27] = Observation {
        value: 120.0,
        lo: Some(140.0),
        hi: Some(110.0),
    };
    let changes = detect(&s, &Settings::default());
    assert_eq!(found(&changes), vec![20]);
    assert_eq!(changes[0].before.n, 20 - 3);
    assert_eq!(changes[0].after.n, 20 - 1);
}

#[test]
fn student_t_two_sided_tails() {
    assert!((t_two_sided(1.0, 1) - 0.5).abs() < 1e-12);
    assert!((t_two_sided(2.0, 2) - (1.0 - 2.0 / 6f64.sqrt())).abs() < 1e-12);
    // Large df: the normal's 1.96 leaves 5%.
    assert!((t_two_sided(1.959964, 100_000) - 0.05).abs() < 1e-4);
    // t(10) two-sided 5% point: 2.228.
    assert!((t_two_sided(2.228139, 10) - 0.05).abs() < 1e-5);
    assert!((t_two_sided(3.169273, 10) - 0.01).abs() < 1e-5);
}
