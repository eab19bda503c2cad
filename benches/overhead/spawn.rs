//! Pair: a bare `std::thread::spawn` + join loop vs `spawn.start/std_thread`.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use concbench::vocab::Model;

use crate::{BareSample, Pair};

const WORKERS: u64 = 1000;

pub fn pair() -> Pair {
    Pair {
        name: "spawn",
        unit: "worker",
        bare_sample: BareSample::Fixed(bare_sample),
        scenario: "spawn.start",
        variant: "std_thread",
        model: Model::Thread,
        params: &[("workers", WORKERS)],
        runtime: None,
    }
}

/// ns per worker of one bare round: spawn all, then join all.
fn bare_sample() -> f64 {
    let counter = Arc::new(AtomicU64::new(0));
    let mut handles = Vec::with_capacity(WORKERS as usize);
    let started = Instant::now();
    for _ in 0..WORKERS {
        let counter = Arc::clone(&counter);
        handles.push(std::thread::spawn(move || {
            counter.fetch_add(1, Ordering::Relaxed);
        }));
    }
    for handle in handles.drain(..) {
        handle.join().expect("bare worker");
    }
    let ns = started.elapsed().as_nanos() as f64;
    assert_eq!(
        counter.load(Ordering::Relaxed),
        WORKERS,
        "every bare worker ran"
    );
    ns / WORKERS as f64
}
