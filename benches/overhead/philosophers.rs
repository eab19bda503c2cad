//! Pair: five bare threads dining in lock order (plain parking_lot mutexes,
//! a shared ticket counter) vs `pattern.philosophers/ordered`, which adds the
//! fork owner checks, per-seat counters, timed waits and the sitting gate.
//! Both sides sit for the same number of meals: a bare sitting eats as many
//! as one harness sample of the same round did. The cost per meal depends on
//! a sitting's length (five threads on two cores eat about 3x faster for the
//! first ~10 ms than once they settle into a lock convoy), so sittings of
//! different lengths would compare two different workloads.

use std::sync::Barrier;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Instant;

use concbench::vocab::Model;
use crossbeam::utils::CachePadded;
use parking_lot::Mutex;

use crate::{BareSample, Pair};

const PHILOSOPHERS: usize = 5;
const EAT_WORK: u64 = 100;

pub fn pair() -> Pair {
    Pair {
        name: "philosophers",
        unit: "meal",
        bare_sample: BareSample::SameOpsAsHarness(bare_sample),
        scenario: "pattern.philosophers",
        variant: "ordered",
        model: Model::Thread,
        params: &[
            ("philosophers", PHILOSOPHERS as u64),
            ("meals", 1000),
            ("eat_work", EAT_WORK),
            ("hold_us", 0),
        ],
        runtime: None,
    }
}

/// The same xorshift work as the scenario's meal.
fn cook(seed: u64) -> u64 {
    let mut x = seed | 1;
    for _ in 0..EAT_WORK {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
    }
    std::hint::black_box(x)
}

/// ns per meal of one bare sitting of `meals` meals, timed from the release of the threads
/// (all spawned and waiting) to the last join. The clock starts before the
/// release, as the scenario's does before it opens a sitting: started after,
/// it would miss whatever the threads eat while this one waits for a core.
fn bare_sample(meals: u64) -> f64 {
    // Each fork and the ticket counter on a cache line of its own, as the
    // scenario's table has them: five forks in one line would make the
    // bare side pay for false sharing the scenario does not.
    let forks: Vec<CachePadded<Mutex<u64>>> = (0..PHILOSOPHERS)
        .map(|_| CachePadded::new(Mutex::new(0)))
        .collect();
    let tickets = CachePadded::new(AtomicI64::new(meals as i64));
    let eaten = AtomicU64::new(0);
    let (ready, go) = (
        Barrier::new(PHILOSOPHERS + 1),
        Barrier::new(PHILOSOPHERS + 1),
    );
    let began = std::thread::scope(|scope| {
        for seat in 0..PHILOSOPHERS {
            let (forks, tickets, eaten) = (&forks, &tickets, &eaten);
            let (ready, go) = (&ready, &go);
            scope.spawn(move || {
                let right = (seat + 1) % PHILOSOPHERS;
                let (first, second) = (seat.min(right), seat.max(right));
                ready.wait();
                go.wait();
                let mut meals = 0;
                while tickets.fetch_sub(1, Ordering::Relaxed) > 0 {
                    let mut a = forks[first].lock();
                    let mut b = forks[second].lock();
                    cook(*a ^ b.rotate_left(17) ^ seat as u64);
                    *a += 1;
                    *b += 1;
                    meals += 1;
                }
                eaten.fetch_add(meals, Ordering::Relaxed);
            });
        }
        ready.wait();
        let began = Instant::now();
        go.wait();
        began
    });
    let ns = began.elapsed().as_nanos() as f64;
    let uses: u64 = forks.iter().map(|f| *f.lock()).sum();
    assert_eq!(
        eaten.load(Ordering::Relaxed),
        meals,
        "every bare meal eaten"
    );
    assert_eq!(uses, 2 * meals, "two forks per bare meal");
    ns / meals as f64
}
