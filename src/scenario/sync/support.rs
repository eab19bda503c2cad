//! What the sync scenarios share: the per-operation cost figures (context
//! switches, CPU time), the core count that sizes runtimes, and the small
//! piece of work a thread does under a permit.

use std::collections::BTreeMap;

use crate::scenario::Measured;

/// Context switches and CPU time per operation: how a primitive waits (a
/// voluntary switch is a sleep in the kernel; CPU beyond the wall clock is
/// spinning or work on several cores).
pub(super) fn cost_per_op(measured: &Measured<'_>, unit: &str) -> BTreeMap<String, f64> {
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
pub(super) fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// A small fixed piece of work that the optimiser cannot drop: what a
/// thread does while it holds a permit.
pub(super) fn busy_work(seed: u64) -> u64 {
    let mut x = std::hint::black_box(seed);
    for _ in 0..32 {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
    }
    std::hint::black_box(x)
}
