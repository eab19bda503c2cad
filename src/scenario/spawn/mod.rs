//! The spawn family: what it costs to start and finish N workers as threads,
//! pool tasks, tokio tasks and processes, and N workers that each sleep (the
//! tutorials' "1000 processes vs 1000 threads" start-up test).

mod launch;
mod table;

use std::collections::BTreeMap;
use std::time::Duration;
use table::{SLEEPER_VARIANTS, START_VARIANTS, Sleeper, Start};

use anyhow::ensure;

use super::{Measured, Scenario, ScenarioInfo, Trial, TrialContext};
use crate::vocab::{Family, Model, ParamSpec, Params};
use launch::Launcher;

const WORKERS: ParamSpec = ParamSpec {
    name: "workers",
    default: 1000,
    min: 1,
    max: 100_000,
    help: "workers started (and awaited) per round",
};

const SLEEP_MS: ParamSpec = ParamSpec {
    name: "sleep_ms",
    default: 1000,
    min: 1,
    max: 60_000,
    help: "how long each worker sleeps, in milliseconds",
};

/// `spawn.start`: start and finish N workers that only bump a counter.
pub static START: SpawnScenario = SpawnScenario {
    info: ScenarioInfo {
        id: "spawn.start",
        family: Family::Spawn,
        summary: "start and finish N workers that each bump a shared counter",
        unit: "worker",
        variants: START_VARIANTS,
        params: &[WORKERS],
        throughput_vs: None,
    },
    sleeps: false,
};

/// `spawn.sleepers`: N workers that each sleep, all at once.
pub static SLEEPERS: SpawnScenario = SpawnScenario {
    info: ScenarioInfo {
        id: "spawn.sleepers",
        family: Family::Spawn,
        summary: "N workers that each sleep S at the same time: wall time vs the ideal S",
        unit: "round",
        variants: SLEEPER_VARIANTS,
        params: &[WORKERS, SLEEP_MS],
        throughput_vs: None,
    },
    sleeps: true,
};

pub struct SpawnScenario {
    info: ScenarioInfo,
    sleeps: bool,
}

impl SpawnScenario {
    /// Operations in one round: each worker started (`spawn.start`), or the
    /// round itself, its N sleepers at once (`spawn.sleepers`).
    fn round_ops(&self, params: &Params) -> anyhow::Result<u64> {
        if self.sleeps {
            Ok(1)
        } else {
            params.get("workers")
        }
    }

    /// The way this scenario's variant `name` starts workers.
    fn way(&self, name: &str) -> anyhow::Result<Start> {
        if self.sleeps {
            Sleeper::of(name).map(Sleeper::way)
        } else {
            Start::of(name)
        }
    }

    fn trial(&self, context: &TrialContext) -> anyhow::Result<SpawnTrial> {
        let way = self.way(context.variant)?;
        let workers = context.params.get("workers")?;
        let sleep = if self.sleeps {
            Some(Duration::from_millis(context.params.get("sleep_ms")?))
        } else {
            None
        };
        let launcher = Launcher::new(context, way, workers as usize, sleep)?;
        Ok(SpawnTrial {
            launcher,
            per_round: self.round_ops(&context.params)?,
            workers,
            sleep,
        })
    }
}

impl Scenario for SpawnScenario {
    fn info(&self) -> &ScenarioInfo {
        &self.info
    }

    fn build(&self, context: &TrialContext) -> anyhow::Result<Box<dyn Trial>> {
        Ok(Box::new(self.trial(context)?))
    }

    fn ops_per_round(&self, params: &Params) -> anyhow::Result<Option<u64>> {
        self.round_ops(params).map(Some)
    }

    fn check_limits(&self, model: Model, params: &Params) -> Result<(), String> {
        self.check_variant_limits("", model, params)
    }

    fn check_variant_limits(
        &self,
        variant: &str,
        model: Model,
        params: &Params,
    ) -> Result<(), String> {
        let workers = params.get("workers").map_err(|e| e.to_string())?;
        let what = format!("workers={workers}");
        // A name outside the table (none, from `check_limits`) costs what
        // its model does.
        let way = self.way(variant).ok();
        // Every worker of a round may be alive at once (all are started
        // before any is awaited), so the round needs N times one worker.
        crate::model::limits::check_memory(workers * memory_per_worker(way, model), &what)?;
        if matches!(model, Model::Thread | Model::Process) {
            crate::model::limits::check_tasks(workers, &what)?;
        }
        Ok(())
    }
}

/// What one live worker costs the machine, rounded up from what 2000 live
/// sleepers took off MemAvailable on the development VM (a forked child
/// ~130 KiB: page tables and the few pages it writes, the rest shared with
/// its parent; an exec'd `concbench worker` ~340 KiB). Conservative by
/// about 4x, so a point is skipped only when the machine really cannot
/// hold it.
fn memory_per_worker(way: Option<Start>, model: Model) -> u64 {
    match (way, model) {
        (Some(Start::Command), _) => 2 << 20,
        (_, Model::Process) => 512 << 10,
        (_, Model::Thread) => 64 << 10,
        _ => 4 << 10,
    }
}

/// One point of either spawn scenario: rounds of N workers, all awaited.
struct SpawnTrial {
    launcher: Launcher,
    /// Operations per round (`SpawnScenario::round_ops`).
    per_round: u64,
    workers: u64,
    sleep: Option<Duration>,
}

impl Trial for SpawnTrial {
    fn run(&mut self, rounds: u64) -> anyhow::Result<super::Sample> {
        let started = std::time::Instant::now();
        for _ in 0..rounds {
            self.launcher.round()?;
        }
        let ns = started.elapsed().as_nanos() as u64;
        Ok(super::Sample {
            ops: rounds * self.per_round,
            ns,
        })
    }

    fn verify(&mut self) -> anyhow::Result<()> {
        let (ran, expected) = self.launcher.counts();
        match self.sleep {
            Some(sleep) => ensure!(
                ran == expected,
                "{ran} of {expected} workers ran to completion having slept their full {sleep:?}"
            ),
            None => ensure!(
                ran == expected,
                "{ran} of {expected} workers ran to completion"
            ),
        }
        Ok(())
    }

    fn metrics(&self, measured: &Measured<'_>) -> BTreeMap<String, f64> {
        let resources = measured.resources;
        let rounds = measured.total_ops() / self.per_round.max(1);
        let workers_run = (rounds * self.workers).max(1) as f64;
        let cpu_ns = resources.user_ns
            + resources.sys_ns
            + resources.children.user_ns
            + resources.children.sys_ns;
        let mut metrics =
            BTreeMap::from([("cpu_ns_per_worker".to_string(), cpu_ns as f64 / workers_run)]);
        if self.launcher.is_process() {
            // Read from the live children (see `model::memory`); absent for
            // children that exit at once.
            if let Some(held) = self.launcher.held_per_child() {
                metrics.insert("child_memory_per_worker_bytes".into(), held as f64);
            }
        } else {
            let grown = resources
                .max_rss_bytes
                .saturating_sub(resources.start_rss_bytes);
            metrics.insert(
                "rss_per_worker_bytes".into(),
                grown as f64 / self.workers.max(1) as f64,
            );
        }
        if let Some(sleep) = self.sleep {
            let ideal = sleep.as_nanos() as f64;
            metrics.insert("ideal_ns".into(), ideal);
            metrics.insert("wall_vs_ideal".into(), measured.median_ns_per_op / ideal);
        }
        metrics
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{CancelToken, Progress};

    fn context(variant: &'static str, model: Model, sleep_ms: u64) -> TrialContext {
        TrialContext {
            variant,
            model,
            params: Params(
                [("workers", 3), ("sleep_ms", sleep_ms)]
                    .iter()
                    .map(|(k, v)| (k.to_string(), *v))
                    .collect(),
            ),
            cancel: CancelToken::default(),
            progress: Progress::default(),
            worker_binary: crate::model::worker::worker_binary(),
            runtime: None,
        }
    }

    /// Every sleeper variant but `command` (its children are the built
    /// binary's; the worker table's own test covers its proof).
    fn in_process_and_forked() -> impl Iterator<Item = (&'static str, Model)> {
        SLEEPERS
            .info
            .variants
            .iter()
            .filter(|v| v.name != Sleeper::Command.name())
            .flat_map(|v| v.models.iter().map(|&m| (v.name, m)))
    }

    #[test]
    fn sleepers_verify_when_every_worker_slept_its_full_time() {
        for (variant, model) in in_process_and_forked() {
            let mut trial = SLEEPERS
                .trial(&context(variant, model, 20))
                .expect("builds");
            assert_eq!(trial.run(2).expect("runs").ops, 2);
            trial.verify().expect("every sleeper slept");
        }
    }

    #[test]
    fn a_sleep_cut_short_fails_verification_for_every_model() {
        for (variant, model) in in_process_and_forked() {
            // 300 ms asked, none slept: only a 300 ms stall could hide it.
            let mut trial = SLEEPERS
                .trial(&context(variant, model, 300))
                .expect("builds");
            trial.launcher.cut_sleeps_short();
            trial.run(1).expect("the round itself completes");
            let error = trial.verify().expect_err(variant).to_string();
            assert!(error.contains("0 of 3 workers"), "{variant}: {error}");
            assert!(error.contains("slept their full"), "{variant}: {error}");
        }
    }
}
