//! `cargo bench --bench sync`: the sync family's scenario code under
//! criterion, one benchmark per scenario, variant and size, each trial
//! verified afterwards. The sizes are data: one row per scenario.

use std::time::Duration;

use concbench::scenario::{self, CancelToken, Progress, TrialContext};
use concbench::vocab::Params;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

/// A scenario, the parameter points benched, and operations per round.
struct Case {
    id: &'static str,
    points: &'static [&'static [(&'static str, u64)]],
    ops_per_round: fn(&Params) -> u64,
}

const CASES: &[Case] = &[
    Case {
        id: "sync.handoff",
        points: &[&[("round_trips", 100)]],
        ops_per_round: |p| 2 * p.0["round_trips"],
    },
    Case {
        id: "sync.semaphore",
        points: &[&[("threads", 4), ("permits", 2)]],
        ops_per_round: |p| p.0["threads"],
    },
    Case {
        id: "sync.barrier",
        points: &[&[("threads", 2)], &[("threads", 4)]],
        ops_per_round: |_| 1,
    },
    Case {
        id: "sync.once",
        points: &[&[("threads", 2)], &[("threads", 4)]],
        ops_per_round: |_| 1,
    },
];

fn sync_family(c: &mut Criterion) {
    for case in CASES {
        let scenario = scenario::registry::find(case.id).expect("the scenario is registered");
        let mut group = c.benchmark_group(case.id);
        group
            .sample_size(10)
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(2));
        for point in case.points {
            let params = Params(point.iter().map(|(k, v)| (k.to_string(), *v)).collect());
            group.throughput(Throughput::Elements((case.ops_per_round)(&params)));
            for variant in scenario.info().variants {
                for &model in variant.models {
                    let context = TrialContext {
                        variant: variant.name,
                        model,
                        params: params.clone(),
                        cancel: CancelToken::default(),
                        progress: Progress::default(),
                        worker_binary: concbench::model::worker::worker_binary(),
                        runtime: None,
                    };
                    let mut trial = scenario.build(&context).expect("trial builds");
                    let id = BenchmarkId::new(variant.name, params.label());
                    group.bench_function(id, |b| {
                        b.iter_custom(|rounds| {
                            let sample = trial.run(rounds).expect("rounds run");
                            Duration::from_nanos(sample.ns)
                        })
                    });
                    trial.verify().expect("every hand-off verified");
                }
            }
        }
        group.finish();
    }
}

criterion_group!(benches, sync_family);
criterion_main!(benches);
