//! The switch family: what one context switch costs, measured as half a
//! round trip of a turn passed between two sides: threads through a futex,
//! processes (and threads) through a pair of pipes (lmbench's lat_ctx),
//! threads spinning on `sched_yield`, and tokio tasks on one thread. Each
//! runs unpinned, with both sides on one core and on two different cores
//! (`pinned_cores` = 0, 1, 2): placement changes the figure several-fold.
//! `switch.c2c` (`c2c.rs`) is what lies under those figures: a cache line
//! handed between two given CPUs, for every pair of them.

pub mod c2c;
mod line;
mod peer;
mod tasks;
mod turns;

use std::collections::BTreeMap;

use super::ipc::link::Transport;
use super::ipc::pingpong::PingPong;
use super::{Measured, Scenario, ScenarioInfo, Trial, TrialContext};
use crate::model::futex::Scope;
use crate::model::placement::{PINNED_CORES, Placement};
use crate::vocab::{Family, Model, Params, Sample};
use tasks::{Handoff, Tasks};
use turns::{Turns, Waiting};

crate::variant_table! {
    /// `switch.pingpong`'s variants.
    enum Switch in VARIANTS {
        Futex = "futex", [Thread, Process], "turns through a futex word: wake the peer, sleep until it hands back";
        Pipe = "pipe", [Process, Thread], "a byte through a pair of pipes (lmbench lat_ctx)";
        SchedYield = "sched_yield", [Thread], "turns by calling sched_yield until the turn comes (a switch only on one core)";
        TokioNotify = "tokio_notify", [Async], "two tokio tasks on a current-thread runtime, handing over through Notify";
        TokioYield = "tokio_yield", [Async], "two tokio tasks on a current-thread runtime, yield_now until the turn comes";
    }
}

/// `switch.pingpong`: ns per switch = half a round trip.
pub static PINGPONG: SwitchScenario = SwitchScenario {
    info: ScenarioInfo {
        id: "switch.pingpong",
        family: Family::Switch,
        summary: "a turn passed back and forth between two threads, processes or tasks: ns per switch",
        unit: "switch",
        variants: VARIANTS,
        params: &[PINNED_CORES],
        throughput_vs: None,
    },
};

/// The family's scenarios, in listing order.
pub fn scenarios() -> Vec<&'static dyn Scenario> {
    vec![&PINGPONG, &c2c::C2C]
}

pub struct SwitchScenario {
    info: ScenarioInfo,
}

impl Scenario for SwitchScenario {
    fn info(&self) -> &ScenarioInfo {
        &self.info
    }

    fn build(&self, context: &TrialContext) -> anyhow::Result<Box<dyn Trial>> {
        let placement =
            Placement::new(context.params.get("pinned_cores")?).map_err(anyhow::Error::msg)?;
        let process = context.model == Model::Process;
        let scope = if process {
            Scope::Shared
        } else {
            Scope::Private
        };
        let trial: Box<dyn Trial> = match Switch::of(context.variant)? {
            Switch::Futex => Box::new(Turns::start(process, Waiting::Futex(scope), placement)?),
            Switch::SchedYield => Box::new(Turns::start(process, Waiting::Yield, placement)?),
            // Two switches per round trip of the byte.
            Switch::Pipe => Box::new(PingPong::build(context, Transport::Pipe, placement, 2)?),
            Switch::TokioNotify => Box::new(Tasks::start(Handoff::Notify, placement)?),
            Switch::TokioYield => Box::new(Tasks::start(Handoff::Yield, placement)?),
        };
        Ok(Box::new(Switches {
            trial,
            count_kernel_switches: context.model != Model::Process,
        }))
    }

    fn check_limits(&self, model: Model, params: &Params) -> Result<(), String> {
        let pinned = params.get("pinned_cores").map_err(|e| e.to_string())?;
        if model == Model::Async && pinned > 1 {
            return Err(format!(
                "pinned_cores={pinned}: tasks on a current-thread runtime share one thread, so one core"
            ));
        }
        Placement::new(pinned).map(|_| ())
    }
}

/// Any of the trials, plus the kernel's count of context switches per switch.
struct Switches {
    trial: Box<dyn Trial>,
    /// RUSAGE_SELF covers both sides only when they are threads (or tasks)
    /// of this process.
    count_kernel_switches: bool,
}

impl Trial for Switches {
    fn run(&mut self, rounds: u64) -> anyhow::Result<Sample> {
        self.trial.run(rounds)
    }

    fn verify(&mut self) -> anyhow::Result<()> {
        self.trial.verify()
    }

    fn begin_measurement(&mut self) {
        self.trial.begin_measurement();
    }

    fn latency(&self) -> Option<crate::results::Latency> {
        self.trial.latency()
    }

    fn metrics(&self, measured: &Measured<'_>) -> BTreeMap<String, f64> {
        let mut metrics = BTreeMap::new();
        metrics.insert("round_trip_ns".into(), 2.0 * measured.median_ns_per_op);
        let switches = measured.total_ops();
        if self.count_kernel_switches && switches > 0 {
            let kernel = measured.resources.voluntary_cs + measured.resources.involuntary_cs;
            metrics.insert(
                "kernel_switches_per_switch".into(),
                kernel as f64 / switches as f64,
            );
        }
        metrics
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{CancelToken, Progress};

    #[test]
    fn every_variant_and_placement_the_machine_allows_switches_and_verifies() {
        for variant in VARIANTS {
            for &model in variant.models {
                for pinned in 0..=2u64 {
                    let params = Params([("pinned_cores".to_string(), pinned)].into());
                    if let Err(why) = PINGPONG.check_limits(model, &params) {
                        assert!(why.contains("pinned_cores"), "{why}");
                        continue;
                    }
                    let context = TrialContext {
                        variant: variant.name,
                        model,
                        params,
                        cancel: CancelToken::default(),
                        progress: Progress::default(),
                        worker_binary: "concbench".into(),
                        runtime: None,
                    };
                    let what = format!("{}/{model:?}/{pinned}", variant.name);
                    let mut trial = PINGPONG.build(&context).expect("builds");
                    let sample = trial.run(100).unwrap_or_else(|e| panic!("{what}: {e:#}"));
                    assert_eq!(sample.ops, 200, "{what}: two switches per round trip");
                    trial.run(50).unwrap_or_else(|e| panic!("{what}: {e:#}"));
                    trial.verify().unwrap_or_else(|e| panic!("{what}: {e:#}"));
                }
            }
        }
    }

    #[test]
    fn tasks_on_one_thread_cannot_be_put_on_two_cores() {
        let params = Params([("pinned_cores".to_string(), 2)].into());
        let why = PINGPONG.check_limits(Model::Async, &params).unwrap_err();
        assert!(why.contains("one thread"), "{why}");
    }
}
