//! `cargo bench --bench io`: the io family's scenario code under criterion,
//! one group per scenario, one benchmark per variant at a small fixed point,
//! each trial verified afterwards.

use std::time::Duration;

use concbench::model::worker::{set_worker_binary, worker_binary};
use concbench::scenario::{self, CancelToken, TrialContext};
use concbench::vocab::Params;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

/// Every variant of `id` at `params`; `per_round` operations per round.
fn bench_scenario(c: &mut Criterion, id: &str, params: &[(&str, u64)], per_round: u64) {
    set_worker_binary(env!("CARGO_BIN_EXE_concbench").into());
    let scenario = scenario::registry::find(id).expect("the scenario is registered");
    let params = Params(params.iter().map(|(k, v)| (k.to_string(), *v)).collect());
    let mut group = c.benchmark_group(id);
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    group.throughput(Throughput::Elements(per_round));
    for variant in scenario.info().variants {
        for &model in variant.models {
            let context = TrialContext {
                variant: variant.name,
                model,
                params: params.clone(),
                cancel: CancelToken::default(),
                progress: Default::default(),
                worker_binary: worker_binary(),
                runtime: None,
            };
            let mut trial = scenario.build(&context).expect("trial builds");
            group.bench_function(BenchmarkId::new(variant.name, params.label()), |b| {
                b.iter_custom(|rounds| {
                    let sample = trial.run(rounds).expect("a round");
                    Duration::from_nanos(sample.ns)
                })
            });
            trial.verify().expect("every operation happened");
        }
    }
    group.finish();
}

fn waits(c: &mut Criterion) {
    bench_scenario(
        c,
        "io.waits",
        &[("tasks", 100), ("wait_ms", 1), ("repeats", 1)],
        1,
    );
}

fn echo(c: &mut Criterion) {
    for connections in [1, 16] {
        bench_scenario(
            c,
            "io.echo",
            &[
                ("connections", connections),
                ("payload", 1024),
                ("pinned_cores", 0),
            ],
            connections,
        );
    }
}

fn file(c: &mut Criterion) {
    bench_scenario(
        c,
        "io.file",
        &[("workers", 2), ("files", 2), ("file_kib", 64)],
        4,
    );
}

criterion_group!(benches, waits, echo, file);
criterion_main!(benches);
