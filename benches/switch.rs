//! `cargo bench --bench switch`: the switch family's scenario code under
//! criterion, every variant and model unpinned, on one core and on two
//! (where the machine allows); one iteration is one round trip (two
//! switches). Every trial is verified afterwards.

use std::time::Duration;

use concbench::scenario::{self, CancelToken, Progress, TrialContext};
use concbench::vocab::Params;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

fn switch(c: &mut Criterion) {
    let scenario =
        scenario::registry::find("switch.pingpong").expect("switch.pingpong is registered");
    let mut group = c.benchmark_group("switch.pingpong");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1))
        .throughput(Throughput::Elements(2));
    for variant in scenario.info().variants {
        for &model in variant.models {
            for pinned in 0..=2u64 {
                let params = Params([("pinned_cores".to_string(), pinned)].into());
                if let Err(why) = scenario.check_variant_limits(variant.name, model, &params) {
                    eprintln!("skipping {}/{}/{pinned}: {why}", variant.name, model.name());
                    continue;
                }
                let context = TrialContext {
                    variant: variant.name,
                    model,
                    params,
                    cancel: CancelToken::default(),
                    progress: Progress::default(),
                    worker_binary: concbench::model::worker::worker_binary(),
                    runtime: None,
                };
                let mut trial = scenario.build(&context).expect("trial builds");
                let id = BenchmarkId::new(
                    format!("{}/{}", variant.name, model.name()),
                    format!("pinned_cores={pinned}"),
                );
                group.bench_function(id, |b| {
                    b.iter_custom(|round_trips| {
                        let sample = trial.run(round_trips).expect("a sample");
                        Duration::from_nanos(sample.ns)
                    })
                });
                trial.verify().expect("every turn was taken");
            }
        }
    }
    group.finish();
}

criterion_group!(benches, switch);
criterion_main!(benches);
