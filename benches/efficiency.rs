//! `cargo bench --bench efficiency`: parallel efficiency of the cpu family at
//! k = cores, measured so that the machine's drift cancels. Each round runs,
//! back to back, the serial point and every parallel model's k = cores point
//! through the harness, plus a bare serial loop and a bare k-thread loop over
//! the same chunks; the round's efficiency of a model is serial / (k x
//! parallel) from that round alone. Printed: the median of the rounds with a
//! 95% interval, for each model and for the bare threads, which are the
//! ceiling this machine allows: on a VM whose cores are shared with other
//! guests, no model can beat its own bare loop. Also printed: each model's
//! time per chunk over the bare threads' in the same round (1.00: the model
//! and the harness add nothing to k bare threads).
//!
//! A figure to report, not a test. Environment: EFFICIENCY_ROUNDS (default
//! 10).

use std::time::{Duration, Instant};

use concbench::harness::run_point;
use concbench::model::worker::set_worker_binary;
use concbench::plan::{Point, Settings};
use concbench::scenario::cpu::work::{Tally, share};
use concbench::scenario::{self, CancelToken};
use concbench::stats;
use concbench::vocab::Status;
use concbench::vocab::{Model, Params};

const CHUNKS: u64 = 64;
const POINTS: u64 = 100_000;
/// The parallel models, as (variant, model).
const MODELS: [(&str, Model); 5] = [
    ("std_thread", Model::Thread),
    ("rayon", Model::Pool),
    ("process_pool", Model::ProcessPool),
    ("tokio", Model::Async),
    ("tokio_blocking", Model::Async),
];

fn settings() -> Settings {
    Settings {
        warmup: Duration::from_millis(50),
        measure_time: Duration::from_millis(300),
        min_samples: 5,
        ..Settings::default()
    }
}

/// The harness's median ns per chunk for `variant` at k workers.
fn harness_ns(variant: &'static str, model: Model, k: u64) -> f64 {
    let point = Point {
        scenario: scenario::registry::find("cpu.split").expect("cpu.split is registered"),
        variant,
        model,
        params: Params(
            [("k", k), ("chunks", CHUNKS), ("points", POINTS)]
                .iter()
                .map(|(name, value)| (name.to_string(), *value))
                .collect(),
        ),
        settings: settings(),
        expect: None,
        runtime: None,
    };
    let result = run_point(&point);
    assert_eq!(result.status, Status::Ok, "{variant}: {:?}", result.error);
    result
        .summary
        .expect("an ok point has a summary")
        .ns_per_op
        .median
}

/// Median ns per chunk of bare rounds on `threads` scoped threads (1: the
/// calling thread), for about as long as a harness point measures; every
/// round's tally checked against the serial one.
fn bare_ns(threads: u64, expected: Tally) -> f64 {
    let cancel = CancelToken::default();
    let mut per_chunk = Vec::new();
    let began = Instant::now();
    while per_chunk.len() < 5 || began.elapsed() < settings().measure_time {
        let started = Instant::now();
        let tally = std::thread::scope(|scope| {
            let cancel = &cancel;
            let shares: Vec<_> = (0..threads)
                .map(|worker| {
                    scope.spawn(move || {
                        Tally::of_range(share(CHUNKS, threads, worker), POINTS, cancel)
                    })
                })
                .collect();
            shares
                .into_iter()
                .map(|s| s.join().expect("a bare thread"))
                .fold(Tally::default(), |a, b| a + b)
        });
        per_chunk.push(started.elapsed().as_nanos() as f64 / CHUNKS as f64);
        assert_eq!(tally, expected, "a bare round on {threads} threads");
    }
    median(&per_chunk)
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    stats::median_of_sorted(&sorted)
}

fn print_line(name: &str, efficiencies: &[f64]) {
    let mut sorted = efficiencies.to_vec();
    sorted.sort_by(f64::total_cmp);
    let interval = match stats::median_interval(&sorted) {
        Some((lo, hi)) => format!("95% interval {lo:.2}..{hi:.2}"),
        None => "too few rounds for a 95% interval".to_string(),
    };
    println!(
        "  {name:<16} {:.2}  ({interval}; rounds {})",
        median(efficiencies),
        efficiencies
            .iter()
            .map(|e| format!("{e:.2}"))
            .collect::<Vec<_>>()
            .join(" ")
    );
}

fn main() {
    set_worker_binary(env!("CARGO_BIN_EXE_concbench").into());
    let rounds: usize = std::env::var("EFFICIENCY_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    let k = std::thread::available_parallelism().map_or(1, |n| n.get()) as u64;
    let expected = Tally::of_range(0..CHUNKS, POINTS, &CancelToken::default());
    let mut bare = Vec::new();
    let mut models: Vec<Vec<f64>> = vec![Vec::new(); MODELS.len()];
    let mut over_bare: Vec<Vec<f64>> = vec![Vec::new(); MODELS.len()];
    for round in 0..rounds {
        let serial = harness_ns("serial", Model::Serial, 1);
        let bare_serial = bare_ns(1, expected);
        let bare_parallel = bare_ns(k, expected);
        bare.push(bare_serial / (k as f64 * bare_parallel));
        let mut line = format!(
            "round {round}: ns/chunk: serial {serial:.0}, bare serial {bare_serial:.0}, bare threads {bare_parallel:.0}"
        );
        for (index, (variant, model)) in MODELS.iter().enumerate() {
            let parallel = harness_ns(variant, *model, k);
            models[index].push(serial / (k as f64 * parallel));
            over_bare[index].push(parallel / bare_parallel);
            line += &format!(", {variant} {parallel:.0}");
        }
        eprintln!("{line}");
    }
    println!(
        "\nparallel efficiency at k = {k} (cpu.split, {CHUNKS} chunks of {POINTS} points), {rounds} rounds:"
    );
    print_line("bare threads", &bare);
    for (index, (variant, _)) in MODELS.iter().enumerate() {
        print_line(variant, &models[index]);
    }
    println!("\ntime per chunk over the bare threads' at k = {k}, same rounds:");
    for (index, (variant, _)) in MODELS.iter().enumerate() {
        print_line(variant, &over_bare[index]);
    }
}
