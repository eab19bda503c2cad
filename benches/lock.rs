//! `cargo bench --bench lock`: the lock family's scenario code under
//! criterion: every counter variant uncontended (1 thread) and contended
//! (2 threads), and both read-write locks at 90% reads; no work inside the
//! lock. Each trial is verified after its benchmark.

use std::time::Duration;

use concbench::model::worker::worker_binary;
use concbench::scenario::{self, CancelToken, Progress, TrialContext};
use concbench::vocab::{Model, Params};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};

/// Operations per thread per round: criterion asks for rounds.
const OPS: u64 = 10_000;

fn context(variant: &'static str, params: &[(&str, u64)]) -> TrialContext {
    TrialContext {
        variant,
        model: Model::Thread,
        params: Params(params.iter().map(|(k, v)| (k.to_string(), *v)).collect()),
        cancel: CancelToken::default(),
        progress: Progress::default(),
        worker_binary: worker_binary(),
        runtime: None,
    }
}

/// One benchmark per variant of `id` for each thread count, with `extra`
/// parameters; throughput in operations.
fn bench_scenario(c: &mut Criterion, id: &str, threads: &[u64], extra: &[(&str, u64)]) {
    let scenario = scenario::registry::find(id).expect("the scenario is registered");
    let mut group = c.benchmark_group(id);
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(2))
        .warm_up_time(Duration::from_millis(500));
    for &k in threads {
        group.throughput(criterion::Throughput::Elements(k * OPS));
        for variant in scenario.info().variants {
            let mut params = vec![
                ("threads", k),
                ("cs_ns", 0),
                ("ops", OPS),
                ("pinned_cores", 0),
            ];
            params.extend_from_slice(extra);
            let mut trial = scenario
                .build(&context(variant.name, &params))
                .expect("trial builds");
            group.bench_function(
                BenchmarkId::new(variant.name, format!("threads={k}")),
                |b| {
                    b.iter_custom(|rounds| {
                        let sample = trial.run(rounds).expect("a batch of operations");
                        Duration::from_nanos(sample.ns)
                    })
                },
            );
            trial.verify().expect("every operation happened");
        }
    }
    group.finish();
}

fn counter(c: &mut Criterion) {
    bench_scenario(c, "lock.counter", &[1, 2], &[]);
}

fn rwlock(c: &mut Criterion) {
    bench_scenario(c, "lock.rwlock", &[2], &[("read_pct", 90)]);
}

criterion_group!(benches, counter, rwlock);
criterion_main!(benches);
