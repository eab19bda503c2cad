//! `cargo bench --bench spawn`: the spawn family's scenario code under
//! criterion, one benchmark per variant, each round verified afterwards.

use std::time::Duration;

use concbench::model::worker::{set_worker_binary, worker_binary};
use concbench::scenario::{self, CancelToken, Progress, TrialContext};
use concbench::vocab::Params;
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};

/// Workers per round: small enough for criterion's many iterations.
const WORKERS: u64 = 100;

fn spawn_start(c: &mut Criterion) {
    set_worker_binary(env!("CARGO_BIN_EXE_concbench").into());
    let scenario = scenario::registry::find("spawn.start").expect("spawn.start is registered");
    let mut group = c.benchmark_group("spawn.start");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(3));
    group.throughput(criterion::Throughput::Elements(WORKERS));
    for variant in scenario.info().variants {
        for &model in variant.models {
            let context = TrialContext {
                variant: variant.name,
                model,
                params: Params([("workers".to_string(), WORKERS)].into()),
                cancel: CancelToken::default(),
                progress: Progress::default(),
                worker_binary: worker_binary(),
                runtime: None,
            };
            let mut trial = scenario.build(&context).expect("trial builds");
            group.bench_function(BenchmarkId::new(variant.name, WORKERS), |b| {
                b.iter_custom(|rounds| {
                    let sample = trial.run(rounds).expect("a round of workers");
                    Duration::from_nanos(sample.ns)
                })
            });
            trial.verify().expect("every worker ran");
        }
    }
    group.finish();
}

criterion_group!(benches, spawn_start);
criterion_main!(benches);
