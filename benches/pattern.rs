//! `cargo bench --bench pattern`: the pattern family's scenario code under
//! criterion. Dining philosophers: the three strategies that cannot deadlock
//! (naive is left out: a deadlock would hang criterion), by table size, each
//! table verified after its benchmark.

use std::time::Duration;

use concbench::model::worker::worker_binary;
use concbench::scenario::{self, CancelToken, Progress, TrialContext};
use concbench::vocab::Params;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

/// Meals per criterion iteration (one round).
const MEALS: u64 = 1000;
/// Table sizes: the smallest table, and the classic five.
const TABLES: [u64; 2] = [2, 5];
const STRATEGIES: [&str; 3] = ["ordered", "try_lock", "arbiter"];

fn philosophers(c: &mut Criterion) {
    let scenario = scenario::registry::find("pattern.philosophers")
        .expect("pattern.philosophers is registered");
    let mut group = c.benchmark_group("pattern.philosophers");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(2));
    group.throughput(Throughput::Elements(MEALS));
    for strategy in STRATEGIES {
        for table in TABLES {
            let params = [
                ("philosophers", table),
                ("meals", MEALS),
                ("eat_work", 100),
                ("hold_us", 0),
            ];
            let context = TrialContext {
                variant: strategy,
                model: concbench::vocab::Model::Thread,
                params: Params(params.map(|(k, v)| (k.to_string(), v)).into()),
                cancel: CancelToken::default(),
                progress: Progress::default(),
                worker_binary: worker_binary(),
                runtime: None,
            };
            let mut trial = scenario.build(&context).expect("the table is laid");
            group.bench_function(BenchmarkId::new(strategy, table), |b| {
                b.iter_custom(|rounds| {
                    let sample = trial.run(rounds).expect("a sitting");
                    Duration::from_nanos(sample.ns)
                })
            });
            trial.verify().expect("every meal counted");
        }
    }
    group.finish();
}

criterion_group!(benches, philosophers);
criterion_main!(benches);
