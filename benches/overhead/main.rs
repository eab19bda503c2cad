//! `cargo bench --bench overhead`: what the harness and the scenario code add
//! to a bare loop doing the same work. For each pair (one file per pair in
//! this folder), alternates in one process a bare loop with the harness
//! measuring the matching point, and prints the median of the pair ratios
//! with a 95% interval and the sampler's cost as a share of one core.
//! A figure to report, not a test: nothing here asserts timing.
//!
//! `cargo bench --bench overhead -- NAME` runs only the pairs whose name
//! contains NAME. Environment: OVERHEAD_PAIRS (alternations, default 10).

mod atomic;
mod cpu;
mod cpu_threads;
mod cpython;
mod echo;
mod mutex;
mod philosophers;
mod pipe;
mod ring;
mod spawn;
mod spsc;
mod sync;

use std::time::{Duration, Instant};

use concbench::harness::run_point;
use concbench::model::worker::set_worker_binary;
use concbench::plan::{Point, Settings};
use concbench::scenario::{self};
use concbench::stats;
use concbench::vocab::Status;
use concbench::vocab::{Model, Params};

/// One comparison: a bare loop and the point that should cost the same.
pub struct Pair {
    pub name: &'static str,
    /// What one operation is, for the printout.
    pub unit: &'static str,
    /// One bare sample: ns per operation, after checking the work was done.
    pub bare_sample: BareSample,
    pub scenario: &'static str,
    pub variant: &'static str,
    pub model: Model,
    pub params: &'static [(&'static str, u64)],
    /// The interpreter a `py_*` variant runs in (None: Rust).
    pub runtime: Option<&'static str>,
}

/// How a pair's bare side takes one sample.
pub enum BareSample {
    /// A sample of its own fixed size.
    Fixed(fn() -> f64),
    /// A sample of as many operations as one harness sample of the same
    /// round did (the harness runs first in each round).
    SameOpsAsHarness(fn(u64) -> f64),
}

/// Every pair, in the order they run.
fn pairs() -> Vec<Pair> {
    vec![
        spawn::pair(),
        cpu::pair(),
        cpu_threads::pair(),
        echo::pair(),
        sync::pair(),
        mutex::pair(),
        atomic::pair(),
        philosophers::pair(),
        ring::pair(),
        pipe::pair(),
        spsc::pair(),
        spsc::std_pair(),
        cpython::pair(),
    ]
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    stats::median_of_sorted(&sorted)
}

fn point_of(pair: &Pair, settings: Settings) -> Point {
    let scenario =
        scenario::registry::find(pair.scenario).expect("the pair's scenario is registered");
    // The scenario's defaults, then the pair's own values.
    let mut params = Params(
        scenario
            .info()
            .params
            .iter()
            .map(|p| (p.name.to_string(), p.default))
            .collect(),
    );
    for (name, value) in pair.params {
        params.0.insert(name.to_string(), *value);
    }
    Point {
        scenario,
        variant: pair.variant,
        model: pair.model,
        params,
        settings,
        expect: None,
        runtime: pair.runtime.map(|entry| {
            std::sync::Arc::new(
                concbench::model::runtime::Runtime::parse(entry).expect("an interpreter"),
            )
        }),
    }
}

/// Alternate the bare loop and the harness `rounds` times; print the ratio.
fn compare(pair: &Pair, rounds: usize) {
    let settings = Settings {
        warmup: Duration::from_millis(100),
        measure_time: Duration::from_millis(500),
        min_samples: 10,
        ..Settings::default()
    };
    let point = point_of(pair, settings);
    let (mut bare_medians, mut harness_medians, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    let (mut sampler_ns, mut wall_ns) = (0u64, 0u64);
    for round in 0..rounds {
        let result = run_point(&point);
        assert_eq!(
            result.status,
            Status::Ok,
            "{}: {:?}",
            pair.name,
            result.error
        );
        let ops_per_sample = result.samples.first().map_or(1, |s| s.ops);
        let bare_sample = || match pair.bare_sample {
            BareSample::Fixed(sample) => sample(),
            BareSample::SameOpsAsHarness(sample) => sample(ops_per_sample),
        };
        // The bare loop gets the same warm-up and about the same time.
        let warm = Instant::now();
        while warm.elapsed() < settings.warmup {
            bare_sample();
        }
        let began = Instant::now();
        let mut bare = Vec::new();
        while bare.len() < 10 || began.elapsed() < settings.measure_time {
            bare.push(bare_sample());
        }
        let (Some(summary), Some(resources), Some(timeline)) =
            (&result.summary, &result.resources, &result.utilisation)
        else {
            panic!("an ok point has a summary, resources and a timeline");
        };
        let (bare_ns, harness_ns) = (median(&bare), summary.ns_per_op.median);
        println!(
            "{}: round {round:2}: bare {bare_ns:11.1} ns/{}  harness {harness_ns:11.1} ns/{}  ratio {:.3}",
            pair.name,
            pair.unit,
            pair.unit,
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
    let interval = match stats::median_interval(&sorted) {
        Some((lo, hi)) => format!("95% interval {lo:.3}..{hi:.3}"),
        None => "too few rounds for a 95% interval".to_string(),
    };
    println!(
        "\n{} ({}/{}/{}), {rounds} alternating rounds:\n  bare loop {:.1} ns/{}, harness {:.1} ns/{}\n  harness / bare = {:.3} (median of round ratios; {interval})\n  sampler: {:.3}% of one core at {} ms\n",
        pair.name,
        pair.scenario,
        pair.variant,
        pair.model.name(),
        median(&bare_medians),
        pair.unit,
        median(&harness_medians),
        pair.unit,
        median(&ratios),
        100.0 * sampler_ns as f64 / wall_ns.max(1) as f64,
        settings.sampler_interval.as_millis()
    );
}

fn main() {
    set_worker_binary(env!("CARGO_BIN_EXE_concbench").into());
    // cargo passes `--bench`; any other free argument filters pairs by name.
    let wanted: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let rounds = std::env::var("OVERHEAD_PAIRS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    for pair in pairs() {
        if wanted.is_empty() || wanted.iter().any(|w| pair.name.contains(w.as_str())) {
            compare(&pair, rounds);
        }
    }
}
