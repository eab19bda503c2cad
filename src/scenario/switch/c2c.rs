//! `switch.c2c`: the machine's own map. One point per ordered pair of CPUs
//! (`cpu_a`, `cpu_b`; `"cpus"` in a config lists every CPU the process may
//! run on), a cache line bounced between two sides pinned there, ns per
//! round trip. Each point carries its pair's topology class (same CPU, SMT
//! sibling, same LLC, other LLC, other package). A machine with more pairs
//! than `ALL_PAIRS_UP_TO` is sampled: the same number of pairs from each
//! class, spread evenly over it, as many as `SAMPLE_BUDGET` allows.

use std::collections::BTreeMap;
use std::time::Duration;

use super::line::{Line, Protocol, Setup};
use crate::host::{PairClass, Topology};
use crate::scenario::{Measured, Scenario, ScenarioInfo, Trial, TrialContext};
use crate::vocab::{Family, Model, ParamSpec, Params, Sample};

/// Every ordered pair is measured up to this many (24 CPUs).
pub const ALL_PAIRS_UP_TO: usize = 576;
/// Beyond that, the sample's measuring time per variant and model.
pub const SAMPLE_BUDGET: Duration = Duration::from_secs(120);
/// At least this many pairs per class, whatever the budget.
const MIN_PER_CLASS: usize = 2;

const CPU_A: ParamSpec = ParamSpec {
    name: "cpu_a",
    default: 0,
    min: 0,
    max: 4095,
    help: "the measuring side's CPU (\"cpus\" in a config: every CPU the process may run on)",
};

const CPU_B: ParamSpec = ParamSpec {
    name: "cpu_b",
    default: 1,
    min: 0,
    max: 4095,
    help: "the peer's CPU (\"cpus\" in a config: every CPU the process may run on)",
};

crate::variant_table! {
    /// `switch.c2c`'s variants: the line's protocols.
    enum C2c in VARIANTS {
        CasPingpong = "cas_pingpong", [Thread, Process], "both sides compare-and-swap one cache line, each from the other's value to its own";
        OneWay = "one_way", [Thread, Process], "a sequence number written into one line, echoed back in another (two one-way messages)";
    }
}

pub static C2C: C2cScenario = C2cScenario {
    info: ScenarioInfo {
        id: "switch.c2c",
        family: Family::Switch,
        summary: "a cache line handed between two sides pinned to a given pair of CPUs: ns per round trip, the core-to-core matrix",
        unit: "round_trip",
        variants: VARIANTS,
        params: &[CPU_A, CPU_B],
        throughput_vs: None,
    },
};

pub struct C2cScenario {
    info: ScenarioInfo,
}

fn cpus_of(params: &Params) -> anyhow::Result<(usize, usize)> {
    Ok((params.get("cpu_a")? as usize, params.get("cpu_b")? as usize))
}

impl Scenario for C2cScenario {
    fn info(&self) -> &ScenarioInfo {
        &self.info
    }

    fn build(&self, context: &TrialContext) -> anyhow::Result<Box<dyn Trial>> {
        let cpus = cpus_of(&context.params)?;
        let protocol = match C2c::of(context.variant)? {
            C2c::CasPingpong => Protocol::Cas,
            C2c::OneWay => Protocol::OneWay,
        };
        let line = Line::start(Setup {
            protocol,
            cpus,
            process: context.model == Model::Process,
            cancel: context.cancel.clone(),
        })?;
        // Read for these two CPUs, not the calling thread's mask: the line
        // has just pinned this thread to `cpu_a` alone.
        let (a, b) = (cpus.0 as u32, cpus.1 as u32);
        let map = Topology::read(
            std::path::Path::new(crate::host::topology::SYSFS_ROOT),
            &[a, b],
        );
        let class = map.classify(a, b);
        Ok(Box::new(Pair { line, class }))
    }

    fn ops_per_round(&self, _params: &Params) -> anyhow::Result<Option<u64>> {
        Ok(Some(1))
    }

    fn check_limits(&self, _model: Model, params: &Params) -> Result<(), String> {
        let (a, b) = cpus_of(params).map_err(|e| e.to_string())?;
        let allowed = crate::host::topology::allowed_cpus();
        for (name, cpu) in [("cpu_a", a), ("cpu_b", b)] {
            if !allowed.contains(&(cpu as u32)) {
                return Err(format!(
                    "{name}={cpu}: not among the CPUs this process may run on ({}, sched_getaffinity)",
                    crate::host::topology::format_cpu_list(&allowed)
                ));
            }
        }
        Ok(())
    }

    fn select(&self, grid: Vec<Params>, per_point: Duration) -> Vec<Params> {
        if grid.len() <= ALL_PAIRS_UP_TO {
            return grid;
        }
        let wanted = (SAMPLE_BUDGET.as_secs_f64() / per_point.as_secs_f64().max(1e-3)) as usize;
        stratified(grid, &Topology::detect(), wanted)
    }
}

/// `wanted` of the `grid`'s pairs (at least `MIN_PER_CLASS` of each class):
/// an equal share per class, a small class's leftover shared by the others,
/// each class's pairs taken evenly spaced in grid order. Pairs the map does
/// not know are dropped.
pub fn stratified(grid: Vec<Params>, map: &Topology, wanted: usize) -> Vec<Params> {
    let mut classes: BTreeMap<PairClass, Vec<Params>> = BTreeMap::new();
    for params in grid {
        let Ok((a, b)) = cpus_of(&params) else {
            continue;
        };
        if let Some(class) = map.classify(a as u32, b as u32) {
            classes.entry(class).or_default().push(params);
        }
    }
    let mut sizes: Vec<(PairClass, usize)> = classes.iter().map(|(c, p)| (*c, p.len())).collect();
    sizes.sort_by_key(|(_, n)| *n);
    let (mut left, mut quota) = (wanted, BTreeMap::new());
    for (i, (class, size)) in sizes.iter().enumerate() {
        let share = (left / (sizes.len() - i)).max(MIN_PER_CLASS).min(*size);
        quota.insert(*class, share);
        left = left.saturating_sub(share);
    }
    classes
        .into_iter()
        .flat_map(|(class, pairs)| {
            let take = quota.get(&class).copied().unwrap_or(0);
            let n = pairs.len();
            (0..take).map(move |i| pairs[i * n / take.max(1)].clone())
        })
        .collect()
}

/// A pair's trial and its class, for the metrics.
struct Pair {
    line: Line,
    class: Option<PairClass>,
}

impl Trial for Pair {
    fn run(&mut self, rounds: u64) -> anyhow::Result<Sample> {
        self.line.run(rounds)
    }

    fn verify(&mut self) -> anyhow::Result<()> {
        self.line.verify()
    }

    fn metrics(&self, measured: &Measured<'_>) -> BTreeMap<String, f64> {
        let mut metrics = BTreeMap::new();
        metrics.insert("one_way_ns".into(), measured.median_ns_per_op / 2.0);
        if let Some(class) = self.class {
            metrics.insert("pair_class".into(), class.index() as f64);
        }
        metrics
    }
}

#[cfg(test)]
#[path = "c2c_tests.rs"]
mod tests;
