//! `cargo bench --bench ipc`: the ipc family's scenario code under
//! criterion: the ping-pong over every transport and model, and streams of
//! 4 KiB and 64 KiB messages; every trial is verified afterwards.

use std::time::Duration;

use concbench::scenario::{self, CancelToken, Progress, Scenario, TrialContext};
use concbench::vocab::Params;
use criterion::measurement::WallTime;
use criterion::{
    BenchmarkGroup, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main,
};

/// Messages per streamed round (one criterion iteration).
const MESSAGES_PER_ROUND: u64 = 16;

fn context(
    variant: &'static str,
    model: concbench::vocab::Model,
    params: &[(&str, u64)],
) -> TrialContext {
    TrialContext {
        variant,
        model,
        params: Params(params.iter().map(|(k, v)| (k.to_string(), *v)).collect()),
        cancel: CancelToken::default(),
        progress: Progress::default(),
        worker_binary: concbench::model::worker::worker_binary(),
        runtime: None,
    }
}

/// Bench every variant and model of `scenario` at `params`, skipping what
/// this machine lacks, verifying each trial at the end.
fn bench_all(
    group: &mut BenchmarkGroup<'_, WallTime>,
    scenario: &dyn Scenario,
    params: &[(&str, u64)],
    label: &str,
) {
    for variant in scenario.info().variants {
        for &model in variant.models {
            let context = context(variant.name, model, params);
            if let Err(why) = scenario.check_variant_limits(variant.name, model, &context.params) {
                eprintln!("skipping {}/{}: {why}", variant.name, model.name());
                continue;
            }
            let mut trial = scenario.build(&context).expect("trial builds");
            let id = BenchmarkId::new(format!("{}/{}", variant.name, model.name()), label);
            group.bench_function(id, |b| {
                b.iter_custom(|rounds| {
                    let sample = trial.run(rounds).expect("a sample");
                    Duration::from_nanos(sample.ns)
                })
            });
            trial.verify().expect("every byte arrived");
        }
    }
}

fn ipc(c: &mut Criterion) {
    let pingpong = scenario::registry::find("ipc.pingpong").expect("ipc.pingpong is registered");
    let mut group = c.benchmark_group("ipc.pingpong");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1));
    bench_all(&mut group, pingpong, &[("pinned_cores", 0)], "1B");
    group.finish();

    let stream = scenario::registry::find("ipc.stream").expect("ipc.stream is registered");
    let mut group = c.benchmark_group("ipc.stream");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1));
    for message_bytes in [4096u64, 65536] {
        let round_bytes = MESSAGES_PER_ROUND * message_bytes;
        group.throughput(Throughput::Bytes(round_bytes));
        let params = [
            ("message_bytes", message_bytes),
            ("round_bytes", round_bytes),
        ];
        bench_all(&mut group, stream, &params, &format!("{message_bytes}B"));
    }
    group.finish();
}

criterion_group!(benches, ipc);
criterion_main!(benches);
