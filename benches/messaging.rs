//! `cargo bench --bench messaging`: the message-passing patterns' scenario
//! code under criterion (actor ring, pub/sub, futures, worker pool), one
//! benchmark per variant at fixed small sizes, each trial verified after.

use std::time::Duration;

use concbench::model::worker::worker_binary;
use concbench::scenario::{self, CancelToken, Progress, TrialContext};
use concbench::vocab::Params;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

/// The points benchmarked: the matrix is data, not code.
const POINTS: &[(&str, &[(&str, u64)])] = &[
    ("pattern.actor_ring", &[("actors", 8), ("laps", 20)]),
    ("pattern.pubsub", &[("subscribers", 4), ("messages", 256)]),
    (
        "pattern.futures",
        &[("tasks", 16), ("unit_us", 5), ("spread", 8)],
    ),
    (
        "pattern.worker_pool",
        &[("workers", 2), ("tasks", 256), ("task_us", 0)],
    ),
];

fn messaging(c: &mut Criterion) {
    for &(id, params) in POINTS {
        let scenario = scenario::registry::find(id).expect("the scenario is registered");
        let params = Params(params.iter().map(|&(k, v)| (k.to_string(), v)).collect());
        let mut group = c.benchmark_group(id);
        group
            .sample_size(10)
            .measurement_time(Duration::from_secs(2));
        for variant in scenario.info().variants {
            for &model in variant.models {
                let context = TrialContext {
                    variant: variant.name,
                    model,
                    params: params.clone(),
                    cancel: CancelToken::default(),
                    progress: Progress::default(),
                    worker_binary: worker_binary(),
                    runtime: None,
                };
                let mut trial = scenario.build(&context).expect("trial builds");
                let per_round = trial.run(1).expect("a first round").ops;
                group.throughput(Throughput::Elements(per_round));
                group.bench_function(BenchmarkId::new(variant.name, params.label()), |b| {
                    b.iter_custom(|rounds| {
                        let sample = trial.run(rounds).expect("a round of the pattern");
                        Duration::from_nanos(sample.ns)
                    })
                });
                trial.verify().expect("every message and result arrived");
            }
        }
        group.finish();
    }
}

criterion_group!(benches, messaging);
criterion_main!(benches);
