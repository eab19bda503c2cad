//! Pair: two bare scoped threads, each over half of the same Monte-Carlo
//! chunks, vs `cpu.split/std_thread` at k = 2. Both start their two threads
//! inside the timing, as the scenario does every round, so the ratio is what
//! the harness adds to a parallel CPU-bound point; the bare figure against
//! the `cpu` pair's serial one is the parallel efficiency this machine
//! allows at all.

use std::time::Instant;

use concbench::scenario::CancelToken;
use concbench::scenario::cpu::work::{Tally, share};
use concbench::vocab::Model;

use crate::{BareSample, Pair};

const CHUNKS: u64 = 64;
const POINTS: u64 = 100_000;
const THREADS: u64 = 2;

pub fn pair() -> Pair {
    Pair {
        name: "cpu_threads",
        unit: "chunk",
        bare_sample: BareSample::Fixed(bare_sample),
        scenario: "cpu.split",
        variant: "std_thread",
        model: Model::Thread,
        params: &[("k", THREADS), ("chunks", CHUNKS), ("points", POINTS)],
        runtime: None,
    }
}

/// ns per chunk of one bare round on two threads; every chunk counted and
/// the tally equal to the serial one.
fn bare_sample() -> f64 {
    let cancel = CancelToken::default();
    let started = Instant::now();
    let tally = std::thread::scope(|scope| {
        let cancel = &cancel;
        let halves: Vec<_> = (0..THREADS)
            .map(|worker| {
                scope.spawn(move || Tally::of_range(share(CHUNKS, THREADS, worker), POINTS, cancel))
            })
            .collect();
        halves
            .into_iter()
            .map(|half| half.join().expect("a bare thread"))
            .fold(Tally::default(), |a, b| a + b)
    });
    let ns = started.elapsed().as_nanos() as f64;
    assert_eq!(tally.chunks, CHUNKS, "every bare chunk ran");
    assert!((tally.pi_estimate(POINTS) - std::f64::consts::PI).abs() < 0.01);
    ns / CHUNKS as f64
}
