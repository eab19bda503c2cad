//! Pair: two bare threads doing `fetch_add` on one `AtomicU64` N times each
//! vs `lock.counter/atomic` at threads=2, cs_ns=0 (contended). Both keep
//! thread start-up outside the timing: the bare threads start before the
//! clock and wait at a barrier that the timed region opens; the scenario's
//! threads start in `build()` and wait at its gate.

use std::sync::Barrier;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use concbench::scenario::Model;
use crossbeam::utils::CachePadded;

use crate::Pair;

/// Increments per thread per bare sample.
const OPS: u64 = 500_000;
const THREADS: u64 = 2;

pub fn pair() -> Pair {
    Pair {
        name: "atomic",
        unit: "operation",
        bare_sample,
        scenario: "lock.counter",
        variant: "atomic",
        model: Model::Thread,
        params: &[("threads", THREADS), ("cs_ns", 0), ("ops", 10_000)],
    }
}

/// ns per increment (all threads' increments over the wall time), after
/// checking every increment landed.
fn bare_sample() -> f64 {
    let counter = CachePadded::new(AtomicU64::new(0));
    let start = Barrier::new(THREADS as usize + 1);
    let ns = std::thread::scope(|scope| {
        let threads: Vec<_> = (0..THREADS)
            .map(|_| {
                scope.spawn(|| {
                    start.wait();
                    for _ in 0..OPS {
                        counter.fetch_add(1, Ordering::Relaxed);
                    }
                    Instant::now()
                })
            })
            .collect();
        let started = Instant::now();
        start.wait();
        let ended = threads
            .into_iter()
            .map(|t| t.join().expect("bare thread"))
            .max()
            .expect("two threads");
        ended.duration_since(started).as_nanos() as f64
    });
    assert_eq!(
        counter.load(Ordering::Relaxed),
        THREADS * OPS,
        "every increment"
    );
    ns / (THREADS * OPS) as f64
}
