//! Pair: a bare `std::sync::Mutex` lock/increment/unlock loop on one thread
//! vs `lock.counter/std_mutex` at threads=1, cs_ns=0 (uncontended). Both
//! keep thread start-up outside the timing: the bare loop runs on the
//! calling thread, the scenario on a thread started in `build()` and
//! released once per sample.

use std::hint::black_box;
use std::sync::Mutex;
use std::time::Instant;

use concbench::vocab::Model;

use crate::{BareSample, Pair};

/// Operations per bare sample (about as long as one of the harness's).
const OPS: u64 = 1_000_000;

pub fn pair() -> Pair {
    Pair {
        name: "mutex",
        unit: "operation",
        bare_sample: BareSample::Fixed(bare_sample),
        scenario: "lock.counter",
        variant: "std_mutex",
        model: Model::Thread,
        params: &[
            ("threads", 1),
            ("cs_ns", 0),
            ("ops", 10_000),
            ("pinned_cores", 0),
        ],
        runtime: None,
    }
}

/// ns per lock/increment/unlock, after checking every increment landed.
fn bare_sample() -> f64 {
    let counter = Mutex::new(0u64);
    let counter = black_box(&counter);
    let started = Instant::now();
    for _ in 0..OPS {
        *counter.lock().expect("bare mutex") += 1;
    }
    let ns = started.elapsed().as_nanos() as f64;
    assert_eq!(*counter.lock().expect("bare mutex"), OPS, "every increment");
    ns / OPS as f64
}
