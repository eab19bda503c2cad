//! The sync family: what it costs to hand control from one thread to another
//! through the synchronisation primitives the tutorials teach (Condition,
//! Semaphore / BoundedSemaphore, Event, Barrier, park/unpark, once-only
//! initialisation). Every scenario proves each hand-off happened.

mod barrier;
mod baton;
mod crew;
mod handoff;
mod once;
pub mod primitives;
mod relay;
mod semaphore;
mod tasks;

use std::collections::BTreeMap;

use super::{Measured, Scenario};

/// The family's scenarios, in listing order.
pub fn scenarios() -> Vec<&'static dyn Scenario> {
    vec![
        &handoff::HANDOFF,
        &semaphore::SEMAPHORE,
        &barrier::BARRIER,
        &once::ONCE,
    ]
}

/// Context switches and CPU time per operation: how a primitive waits (a
/// voluntary switch is a sleep in the kernel; CPU beyond the wall clock is
/// spinning or work on several cores).
fn cost_per_op(measured: &Measured<'_>, unit: &str) -> BTreeMap<String, f64> {
    let ops = measured.total_ops().max(1) as f64;
    let resources = measured.resources;
    BTreeMap::from([
        (
            format!("voluntary_cs_per_{unit}"),
            resources.voluntary_cs as f64 / ops,
        ),
        (
            format!("involuntary_cs_per_{unit}"),
            resources.involuntary_cs as f64 / ops,
        ),
        (
            format!("cpu_ns_per_{unit}"),
            (resources.user_ns + resources.sys_ns) as f64 / ops,
        ),
    ])
}

/// Logical cores, for sizing tokio runtimes.
fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// A small fixed piece of work that the optimiser cannot drop: what a
/// thread does while it holds a permit.
fn busy_work(seed: u64) -> u64 {
    let mut x = std::hint::black_box(seed);
    for _ in 0..32 {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
    }
    std::hint::black_box(x)
}

#[cfg(test)]
mod test_support {
    use crate::scenario::{CancelToken, Model, Params, Progress, Scenario, Trial, TrialContext};

    /// A context for `variant` under `model` with the given parameters.
    pub fn context(variant: &'static str, model: Model, params: &[(&str, u64)]) -> TrialContext {
        TrialContext {
            variant,
            model,
            params: Params(params.iter().map(|(k, v)| (k.to_string(), *v)).collect()),
            cancel: CancelToken::default(),
            progress: Progress::default(),
            worker_binary: crate::model::worker::worker_binary(),
        }
    }

    /// Build every variant of `scenario` with `params`, run it a few times,
    /// and check that it verifies and counts `ops_per_round` per round.
    pub fn every_variant_verifies(
        scenario: &dyn Scenario,
        params: &[(&str, u64)],
        ops_per_round: u64,
    ) {
        for variant in scenario.info().variants {
            for &model in variant.models {
                let context = context(variant.name, model, params);
                let mut trial: Box<dyn Trial> = scenario.build(&context).expect("trial builds");
                for rounds in [1, 3] {
                    let sample = trial.run(rounds).expect("rounds run");
                    assert_eq!(sample.ops, rounds * ops_per_round, "{}", variant.name);
                }
                trial.verify().expect("every operation verified");
            }
        }
    }
}
