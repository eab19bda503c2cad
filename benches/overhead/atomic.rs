//! Pair: two bare threads doing `fetch_add` on one `AtomicU64` until 2 x N
//! increments are done vs `lock.counter/atomic` at threads=2, cs_ns=0
//! (contended). Both do the same thing: a shared budget (a thread stops when
//! `fetch_add` returns the budget or more, so a faster thread does more), a
//! spinning start line so both begin together, and the time from the first
//! thread's start to the last one's finish; thread start-up is outside it.
//! (With a fixed N per thread instead, the thread that wins more often
//! finishes first and the other does its rest uncontended, several times
//! faster: the scenario then measured 1.3-1.4 x the bare loop on a loaded
//! 2-core VM, a difference of workload, not of harness.) Both pin the two
//! threads to two different CPUs (`PINNED_CORES`): unpinned, they sometimes
//! share a core and take turns uncontended, which changes the figure several
//! times over.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Instant;

use concbench::model::placement::{Placement, cpu_of_worker, pin_current};
use concbench::vocab::Model;
use crossbeam::utils::{Backoff, CachePadded};

use crate::{BareSample, Pair};

/// Increments per bare sample, all threads together.
const BUDGET: u64 = 1_000_000;
const THREADS: u64 = 2;
/// 2: the two threads on two different CPUs, contending for real.
const PINNED_CORES: u64 = 2;

pub fn pair() -> Pair {
    Pair {
        name: "atomic",
        unit: "operation",
        bare_sample: BareSample::Fixed(bare_sample),
        scenario: "lock.counter",
        variant: "atomic",
        model: Model::Thread,
        params: &[
            ("threads", THREADS),
            ("cs_ns", 0),
            ("ops", 10_000),
            ("pinned_cores", PINNED_CORES),
        ],
        runtime: None,
    }
}

/// ns per increment (all increments over the span from the first start to
/// the last finish), after checking every increment landed once.
fn bare_sample() -> f64 {
    let counter = CachePadded::new(AtomicU64::new(0));
    let arrived = CachePadded::new(AtomicUsize::new(0));
    let placement = Placement::new(PINNED_CORES).expect("enough CPUs for the pair");
    let runs: Vec<(u64, Instant, Instant)> = std::thread::scope(|scope| {
        let threads: Vec<_> = (0..THREADS as usize)
            .map(|index| {
                let (counter, arrived) = (&counter, &arrived);
                scope.spawn(move || {
                    if let Some(cpu) = cpu_of_worker(placement, index) {
                        pin_current(cpu).expect("pinning a bare thread");
                    }
                    start_line(arrived);
                    let began = Instant::now();
                    let mut mine = 0u64;
                    while counter.fetch_add(1, Ordering::Relaxed) < BUDGET {
                        mine += 1;
                    }
                    (mine, began, Instant::now())
                })
            })
            .collect();
        threads
            .into_iter()
            .map(|t| t.join().expect("bare thread"))
            .collect()
    });
    // Each thread's last increment found the budget used up.
    assert_eq!(counter.load(Ordering::Relaxed), BUDGET + THREADS);
    assert_eq!(
        runs.iter().map(|r| r.0).sum::<u64>(),
        BUDGET,
        "every increment"
    );
    let began = runs.iter().map(|r| r.1).min().expect("two threads");
    let ended = runs.iter().map(|r| r.2).max().expect("two threads");
    ended.duration_since(began).as_nanos() as f64 / BUDGET as f64
}

/// Spin (then yield) until every thread has arrived, as the scenario's crew does.
fn start_line(arrived: &AtomicUsize) {
    arrived.fetch_add(1, Ordering::AcqRel);
    let backoff = Backoff::new();
    while arrived.load(Ordering::Acquire) < THREADS as usize {
        backoff.snooze();
    }
}
