//! Tiny tables of every strategy, verified; the naive one deadlocked on
//! purpose, caught the way the watchdog catches it, and cleaned up.

use std::time::{Duration, Instant};

use super::PHILOSOPHERS;
use super::strategy::Strategy;
use crate::scenario::{CancelToken, Progress, Scenario, Trial, TrialContext};
use crate::vocab::{Model, Params};

fn context(variant: &'static str, params: &[(&str, u64)]) -> TrialContext {
    let mut values: Params = Params(
        PHILOSOPHERS
            .info()
            .params
            .iter()
            .map(|p| (p.name.to_string(), p.default))
            .collect(),
    );
    for &(name, value) in params {
        values.0.insert(name.to_string(), value);
    }
    TrialContext {
        variant,
        model: Model::Thread,
        params: values,
        cancel: CancelToken::default(),
        progress: Progress::default(),
        worker_binary: "concbench".into(),
        runtime: None,
    }
}

fn build(context: &TrialContext) -> Box<dyn Trial> {
    PHILOSOPHERS.build(context).expect("the trial builds")
}

/// A few sittings at a tiny table, then the harness's checks.
fn dine_and_verify(variant: &'static str, philosophers: u64) -> Box<dyn Trial> {
    let context = context(
        variant,
        &[
            ("philosophers", philosophers),
            ("meals", 40),
            ("eat_work", 10),
        ],
    );
    let mut trial = build(&context);
    for rounds in [1, 3, 2] {
        let sample = trial.run(rounds).expect("a sitting");
        assert_eq!(sample.ops, rounds * 40, "{variant}: every round's meals");
    }
    trial
        .verify()
        .expect("every meal counted on its seat and forks");
    // Every meal, plus the idle beats between sittings.
    assert!(context.progress.count() >= 6 * 40, "every meal reported");
    assert!(
        context.progress.is_armed(),
        "the watchdog watches the table"
    );
    trial
}

fn metrics_of(trial: &dyn Trial) -> std::collections::BTreeMap<String, f64> {
    let resources = crate::results::Resources::default();
    trial.metrics(&crate::scenario::Measured {
        samples: &[],
        median_ns_per_op: 1.0,
        resources: &resources,
    })
}

#[test]
fn the_safe_strategies_serve_every_meal_and_share_them() {
    for strategy in [Strategy::Ordered, Strategy::TryLock, Strategy::Arbiter] {
        let variant = strategy.name();
        for philosophers in [2, 5] {
            let mut trial = dine_and_verify(variant, philosophers);
            trial.begin_measurement();
            trial.run(2).expect("a measured sitting");
            let metrics = metrics_of(trial.as_ref());
            let jain = metrics["fairness_jain"];
            let n = philosophers as f64;
            assert!((1.0 / n..=1.0).contains(&jain), "{variant}: jain {jain}");
            assert!((0.0..=1.0).contains(&metrics["fairness_min_max"]));
            assert_eq!(
                metrics.contains_key("failed_attempts_per_meal"),
                strategy == Strategy::TryLock
            );
        }
    }
}

#[test]
fn naive_one_meal_at_a_time_cannot_deadlock_and_verifies() {
    // One ticket per sitting: only one philosopher reaches for forks.
    let context = context(Strategy::Naive.name(), &[("philosophers", 3), ("meals", 1)]);
    let mut trial = build(&context);
    for _ in 0..20 {
        trial.run(1).expect("a one-meal sitting");
    }
    trial.verify().expect("twenty meals counted");
}

#[test]
fn naive_with_all_holding_their_first_fork_deadlocks_and_lets_go_when_cancelled() {
    // Every philosopher holds its left fork before any reaches for its
    // right one: a deadlock by construction, not by luck.
    let context = context(
        Strategy::Naive.name(),
        &[("philosophers", 5), ("meals", 100), ("all_hold_first", 1)],
    );
    let (progress, cancel) = (context.progress.clone(), context.cancel.clone());
    // The host thread, like the harness's point thread: build, one sitting,
    // then drop the trial, which joins every philosopher.
    let sitting = std::thread::spawn(move || build(&context).run(1));
    // What the watchdog does: wait until the meal count stands still (it
    // must, so only the deadline's 60 s could end this loop otherwise).
    let stall = Duration::from_millis(300);
    let (mut last, mut moved) = (progress.count(), Instant::now());
    let deadline = Instant::now() + Duration::from_secs(60);
    while moved.elapsed() < stall && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
        if progress.count() != last {
            (last, moved) = (progress.count(), Instant::now());
        }
    }
    assert!(!sitting.is_finished(), "the sitting is stuck, not over");
    cancel.cancel();
    // Returning means the trial was dropped: every philosopher let go of
    // its fork and was joined.
    let outcome = sitting.join().expect("the host thread returns");
    let error = outcome.expect_err("a cancelled sitting is an error");
    assert!(
        error.to_string().contains("stopped after 0 of 100 meals"),
        "nobody ate: {error}"
    );
}

#[test]
fn all_hold_first_needs_a_meal_for_every_philosopher() {
    let params = |meals| {
        Params(
            [("philosophers", 5), ("meals", meals), ("all_hold_first", 1)]
                .iter()
                .map(|(k, v)| (k.to_string(), *v))
                .collect(),
        )
    };
    assert!(PHILOSOPHERS.validate(Model::Thread, &params(5)).is_ok());
    let refusal = PHILOSOPHERS
        .validate(Model::Thread, &params(4))
        .unwrap_err();
    assert!(refusal.contains("meals >= philosophers"), "{refusal}");
}

#[test]
fn an_idle_table_tells_the_watchdog_it_is_not_stuck() {
    // Between sittings the harness does its own work (starts the sampler,
    // verifies): that must not read as a deadlock.
    let context = context(Strategy::Ordered.name(), &[("philosophers", 2)]);
    let _trial = build(&context);
    let deadline = Instant::now() + Duration::from_secs(10);
    while context.progress.count() == 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(context.progress.count() > 0, "no beat from an idle table");
}

#[test]
fn the_table_refuses_what_it_cannot_seat() {
    let lonely = context(Strategy::Ordered.name(), &[("philosophers", 1)]);
    let error = PHILOSOPHERS.build(&lonely).err().expect("refused");
    assert!(error.to_string().contains("at least 2"), "{error}");
    let unknown = context("banker", &[]);
    let error = PHILOSOPHERS.build(&unknown).err().expect("refused");
    assert!(error.to_string().contains("no variant `banker`"), "{error}");
}
