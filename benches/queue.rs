//! `cargo bench --bench queue`: the queue family's scenario code under
//! criterion: every variant of each queue scenario, SPSC and MPMC (2 x 2),
//! 8-byte payloads, each point verified after its measurement.

use std::time::Duration;

use concbench::model::worker::worker_binary;
use concbench::scenario::{self, CancelToken, Progress, TrialContext};
use concbench::vocab::Params;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

/// Messages each producer sends per round.
const MESSAGES: u64 = 2_000;
/// (producers, consumers).
const TOPOLOGIES: [(u64, u64, &str); 2] = [(1, 1, "spsc"), (2, 2, "mpmc")];

fn params(scenario: &str, producers: u64, consumers: u64) -> Params {
    let mut params = vec![
        ("producers", producers),
        ("consumers", consumers),
        ("payload_bytes", 8),
        ("messages", MESSAGES),
        ("pinned_cores", 0),
    ];
    if scenario == "queue.bounded" {
        params.push(("capacity", 1024));
    }
    Params(
        params
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    )
}

fn queue_scenario(c: &mut Criterion, id: &str) {
    let scenario = scenario::registry::find(id).expect("the queue scenario is registered");
    let mut group = c.benchmark_group(id);
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1));
    for (producers, consumers, topology) in TOPOLOGIES {
        group.throughput(Throughput::Elements(producers * MESSAGES));
        for variant in scenario.info().variants {
            let context = TrialContext {
                variant: variant.name,
                model: variant.models[0],
                params: params(id, producers, consumers),
                cancel: CancelToken::default(),
                progress: Progress::default(),
                worker_binary: worker_binary(),
                runtime: None,
            };
            let mut trial = scenario.build(&context).expect("trial builds");
            group.bench_function(BenchmarkId::new(variant.name, topology), |b| {
                b.iter_custom(|rounds| {
                    let sample = trial.run(rounds).expect("a round of messages");
                    Duration::from_nanos(sample.ns)
                })
            });
            trial.verify().expect("every message arrived once, intact");
        }
    }
    group.finish();
}

fn queues(c: &mut Criterion) {
    for id in ["queue.bounded", "queue.unbounded", "queue.rendezvous"] {
        queue_scenario(c, id);
    }
}

criterion_group!(benches, queues);
criterion_main!(benches);
