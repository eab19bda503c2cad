//! Every lock variant at tiny sizes: the operations happen and verify, the
//! figures are there, and verification notices books that do not balance.

use std::cell::Cell;

use super::counter::{AtomicCounter, LockedCounter, ShardedCounter, State};
use super::crew::{Crew, Tally, Workload};
use super::rwlock::{Board, RwWork};
use super::spin::SpinLock;
use super::work::Shape;
use super::{COUNTER, LockScenario, RWLOCK};
use crate::model::placement::Placement;
use crate::results::Resources;
use crate::scenario::{CancelToken, Measured, Progress, Scenario, TrialContext};
use crate::vocab::Params;

/// A trial context; `pinned_cores` is 0 unless `params` says otherwise.
fn context(variant: &'static str, params: &[(&str, u64)]) -> TrialContext {
    let mut params: std::collections::BTreeMap<String, u64> =
        params.iter().map(|(k, v)| (k.to_string(), *v)).collect();
    params.entry("pinned_cores".into()).or_insert(0);
    TrialContext {
        variant,
        model: crate::vocab::Model::Thread,
        params: Params(params),
        cancel: CancelToken::default(),
        progress: Progress::default(),
        worker_binary: std::path::PathBuf::from("unused"),
        runtime: None,
    }
}

/// Build, run a few samples, verify, and return the metrics.
fn measure_point(
    scenario: &LockScenario,
    variant: &'static str,
    params: &[(&str, u64)],
) -> std::collections::BTreeMap<String, f64> {
    let context = context(variant, params);
    let id = format!("{}/{variant}/{}", scenario.info.id, context.params.label());
    let mut trial = scenario.build(&context).expect("the trial builds");
    let per_round = context.params.get("threads").unwrap() * context.params.get("ops").unwrap();
    trial.run(1).expect("warm-up");
    trial.begin_measurement();
    for rounds in [1, 3] {
        let sample = trial.run(rounds).expect("a sample");
        assert_eq!(sample.ops, rounds * per_round, "{id}");
        assert!(sample.ns > 0, "{id}");
    }
    trial.verify().unwrap_or_else(|e| panic!("{id}: {e:#}"));
    let latency = trial.latency().expect("sampled acquires were recorded");
    assert!(latency.count >= 1 && latency.p50 <= latency.p99, "{id}");
    let resources = Resources::default();
    trial.metrics(&Measured {
        samples: &[],
        median_ns_per_op: 1.0,
        resources: &resources,
    })
}

#[test]
fn every_counter_variant_does_and_proves_its_increments() {
    for variant in COUNTER.info.variants {
        for (threads, cs_ns) in [(1, 0), (3, 100)] {
            let params = [("threads", threads), ("cs_ns", cs_ns), ("ops", 300)];
            let metrics = measure_point(&COUNTER, variant.name, &params);
            let jain = metrics["fairness_jain"];
            assert!(
                (1.0 / threads as f64 - 1e-9..=1.0 + 1e-9).contains(&jain),
                "{}: {metrics:?}",
                variant.name
            );
            assert!((0.0..=1.0).contains(&metrics["fairness_min_max"]));
            assert_eq!(metrics["cs_iters"] > 0.0, cs_ns > 0);
        }
    }
}

#[test]
fn every_rwlock_variant_does_and_proves_its_reads_and_writes() {
    for variant in RWLOCK.info.variants {
        for read_pct in [0, 50, 100] {
            let params = [
                ("threads", 3),
                ("read_pct", read_pct),
                ("cs_ns", 100),
                ("ops", 300),
            ];
            let metrics = measure_point(&RWLOCK, variant.name, &params);
            let share = metrics["read_share"];
            match read_pct {
                0 => assert_eq!(share, 0.0),
                100 => assert_eq!(share, 1.0),
                _ => assert!((0.3..0.7).contains(&share), "{share}"),
            }
        }
    }
}

/// Two batches of 500 on 2 threads verify as 1000 operations, and fail as
/// 1001 (an operation that did not happen) with `needle` in the message.
fn books_balance_only_when_true<W: Workload>(work: W, needle: &str) {
    let crew =
        Crew::start(work, 2, CancelToken::default(), Placement::UNPINNED).expect("threads start");
    crew.batch(500).expect("batch");
    crew.batch(500).expect("batch");
    let guards = crew.tallies();
    let tallies: Vec<&Tally> = guards.iter().map(|g| &**g).collect();
    crew.work()
        .verify(&tallies, 1000, 2)
        .expect("the true count verifies");
    let error = crew
        .work()
        .verify(&tallies, 1001, 2)
        .expect_err("a missing operation is caught");
    assert!(error.to_string().contains(needle), "{error}");
}

#[test]
fn verification_catches_missing_operations_in_every_workload() {
    let shape = Shape::for_cs_ns(100);
    books_balance_only_when_true(
        LockedCounter::<std::sync::Mutex<State>>::new(shape),
        "the counter reads 1000 after 1001",
    );
    books_balance_only_when_true(
        LockedCounter::<parking_lot::Mutex<State>>::new(shape),
        "the counter reads 1000",
    );
    books_balance_only_when_true(
        LockedCounter::<SpinLock<State>>::new(shape),
        "the counter reads 1000",
    );
    books_balance_only_when_true(
        LockedCounter::<parking_lot::ReentrantMutex<Cell<State>>>::new(shape),
        "the counter reads 1000",
    );
    books_balance_only_when_true(AtomicCounter::new(2, shape), "the counter reads 1004");
    books_balance_only_when_true(ShardedCounter::new(2, shape), "the slots sum to 1000");
    books_balance_only_when_true(
        RwWork::<std::sync::RwLock<Board>>::new(50, shape),
        "the threads counted 1000",
    );
    books_balance_only_when_true(
        RwWork::<parking_lot::RwLock<Board>>::new(50, shape),
        "the threads counted 1000",
    );
}

#[test]
fn a_cancelled_point_stops_with_an_error() {
    let cancel = CancelToken::default();
    let work = LockedCounter::<parking_lot::Mutex<State>>::new(Shape::for_cs_ns(0));
    let crew = Crew::start(work, 2, cancel.clone(), Placement::UNPINNED).expect("threads start");
    cancel.cancel();
    let error = crew.batch(1_000_000).expect_err("cancelled");
    assert!(error.to_string().contains("cancelled"), "{error}");
}

#[test]
fn an_unknown_variant_is_an_error_not_a_panic() {
    let context = context("green", &[("threads", 1), ("cs_ns", 0), ("ops", 1)]);
    let error = COUNTER.build(&context).err().expect("refused");
    assert!(error.to_string().contains("no variant `green`"), "{error}");
}

#[test]
fn pinned_threads_still_count_every_operation() {
    let cpus = crate::model::placement::allowed_cpus();
    let pinned = if cpus.len() >= 2 { 2 } else { 1 };
    for variant in COUNTER.info.variants {
        let params = [
            ("threads", 3),
            ("cs_ns", 0),
            ("ops", 300),
            ("pinned_cores", pinned),
        ];
        measure_point(&COUNTER, variant.name, &params);
    }
    let params = [
        ("threads", 2),
        ("read_pct", 50),
        ("cs_ns", 0),
        ("ops", 300),
        ("pinned_cores", pinned),
    ];
    measure_point(&RWLOCK, "std_rwlock", &params);
}
