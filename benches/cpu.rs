//! `cargo bench --bench cpu`: the cpu family's scenario code under criterion,
//! every variant splitting the same chunks over k = cores workers, each
//! round's tally verified against the serial reference afterwards.

use std::time::Duration;

use concbench::model::worker::{set_worker_binary, worker_binary};
use concbench::scenario::{self, CancelToken, TrialContext};
use concbench::vocab::Params;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

/// Chunks per round and points per chunk: a round of a few milliseconds.
const CHUNKS: u64 = 32;
const POINTS: u64 = 50_000;

fn cpu_split(c: &mut Criterion) {
    set_worker_binary(env!("CARGO_BIN_EXE_concbench").into());
    let scenario = scenario::registry::find("cpu.split").expect("cpu.split is registered");
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get() as u64);
    let mut group = c.benchmark_group("cpu.split");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(2));
    group.throughput(Throughput::Elements(CHUNKS));
    for variant in scenario.info().variants {
        for &model in variant.models {
            let params = [("k", cores), ("chunks", CHUNKS), ("points", POINTS)];
            let context = TrialContext {
                variant: variant.name,
                model,
                params: Params(params.map(|(n, v)| (n.to_string(), v)).into()),
                cancel: CancelToken::default(),
                progress: Default::default(),
                worker_binary: worker_binary(),
                runtime: None,
            };
            let mut trial = scenario.build(&context).expect("trial builds");
            let id = BenchmarkId::new(variant.name, format!("k={cores}"));
            group.bench_function(id, |b| {
                b.iter_custom(|rounds| {
                    let sample = trial.run(rounds).expect("a round of chunks");
                    Duration::from_nanos(sample.ns)
                })
            });
            trial
                .verify()
                .expect("every round matched the serial tally");
        }
    }
    group.finish();
}

criterion_group!(benches, cpu_split);
criterion_main!(benches);
