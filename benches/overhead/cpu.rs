//! Pair: a bare loop over the same Monte-Carlo chunks vs
//! `cpu.split/serial/serial`: what the harness adds to a CPU-bound point.

use std::time::Instant;

use concbench::scenario::CancelToken;
use concbench::scenario::cpu::work::Tally;
use concbench::vocab::Model;

use crate::{BareSample, Pair};

const CHUNKS: u64 = 64;
const POINTS: u64 = 100_000;

pub fn pair() -> Pair {
    Pair {
        name: "cpu",
        unit: "chunk",
        bare_sample: BareSample::Fixed(bare_sample),
        scenario: "cpu.split",
        variant: "serial",
        model: Model::Serial,
        params: &[("k", 1), ("chunks", CHUNKS), ("points", POINTS)],
        runtime: None,
    }
}

/// ns per chunk of one bare round; every chunk counted, the estimate near pi.
fn bare_sample() -> f64 {
    let cancel = CancelToken::default();
    let started = Instant::now();
    let tally = Tally::of_range(0..CHUNKS, POINTS, &cancel);
    let ns = started.elapsed().as_nanos() as f64;
    assert_eq!(tally.chunks, CHUNKS, "every bare chunk ran");
    assert!((tally.pi_estimate(POINTS) - std::f64::consts::PI).abs() < 0.01);
    ns / CHUNKS as f64
}
