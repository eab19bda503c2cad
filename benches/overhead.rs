//! `cargo bench --bench overhead`: what the harness adds. Alternates, in one
//! process, a bare loop of `std::thread::spawn` + join with the harness
//! measuring `spawn.start/std_thread` on the same number of workers, and
//! prints the ratio of their medians and the sampler's cost as a share of
//! one core. A figure to report, not a test: nothing here asserts timing.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use concbench::harness::{run_point, stats};
use concbench::model::worker::set_worker_binary;
use concbench::plan::{Point, Settings};
use concbench::results::Status;
use concbench::scenario::{self, Model, Params};

const WORKERS: u64 = 1000;
const PAIRS: usize = 10;

/// ns per worker of one bare round: spawn all, then join all.
fn bare_round() -> f64 {
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

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    stats::median_of_sorted(&sorted)
}

fn main() {
    set_worker_binary(env!("CARGO_BIN_EXE_concbench").into());
    let settings = Settings {
        warmup: Duration::from_millis(100),
        measure_time: Duration::from_millis(500),
        min_samples: 10,
        ..Settings::default()
    };
    let point = Point {
        scenario: scenario::find("spawn.start").expect("spawn.start is registered"),
        variant: "std_thread",
        model: Model::Thread,
        params: Params([("workers".to_string(), WORKERS)].into()),
        settings,
    };
    let (mut bare_medians, mut harness_medians, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    let (mut sampler_ns, mut wall_ns) = (0u64, 0u64);
    for pair in 0..PAIRS {
        // The bare loop gets the same warm-up and about the same time.
        let warm = Instant::now();
        while warm.elapsed() < settings.warmup {
            bare_round();
        }
        let began = Instant::now();
        let mut bare = Vec::new();
        while bare.len() < 10 || began.elapsed() < settings.measure_time {
            bare.push(bare_round());
        }
        let result = run_point(&point);
        assert_eq!(result.status, Status::Ok, "{:?}", result.error);
        let (Some(summary), Some(resources), Some(timeline)) =
            (&result.summary, &result.resources, &result.utilisation)
        else {
            panic!("an ok point has a summary, resources and a timeline");
        };
        let (bare_ns, harness_ns) = (median(&bare), summary.ns_per_op.median);
        println!(
            "pair {pair:2}: bare {bare_ns:9.0} ns/worker  harness {harness_ns:9.0} ns/worker  ratio {:.3}",
            harness_ns / bare_ns
        );
        bare_medians.push(bare_ns);
        harness_medians.push(harness_ns);
        ratios.push(harness_ns / bare_ns);
        sampler_ns += timeline.sampler_cpu_ns;
        wall_ns += resources.wall_ns;
    }
    let mut sorted = ratios.clone();
    sorted.sort_by(f64::total_cmp);
    let (lo, hi) = stats::bootstrap_median_interval(&sorted, 7);
    println!(
        "\nspawn.start/std_thread, {WORKERS} workers, {PAIRS} alternating pairs:\n  bare loop {:.0} ns/worker, harness {:.0} ns/worker\n  harness / bare = {:.3} (median of pair ratios; 95% interval {lo:.3}..{hi:.3})\n  sampler: {:.3}% of one core at {} ms",
        median(&bare_medians),
        median(&harness_medians),
        median(&ratios),
        100.0 * sampler_ns as f64 / wall_ns as f64,
        settings.sampler_interval.as_millis()
    );
}
