//! The spawn family: what it costs to start and finish N workers as threads,
//! pool tasks, tokio tasks and processes, and N workers that each sleep (the
//! tutorials' "1000 processes vs 1000 threads" start-up test).

mod launch;

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::ensure;

use super::{Measured, Scenario, ScenarioInfo, Trial, TrialContext, VariantInfo};
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

const START_VARIANTS: &[VariantInfo] = &[
    VariantInfo {
        name: "std_thread",
        models: &[Model::Thread],
        summary: "std::thread::spawn, then join each",
    },
    VariantInfo {
        name: "scoped_thread",
        models: &[Model::Thread],
        summary: "std::thread::scope, spawn inside",
    },
    VariantInfo {
        name: "rayon",
        models: &[Model::Pool],
        summary: "rayon scope spawn on a pool of one thread per core",
    },
    VariantInfo {
        name: "tokio",
        models: &[Model::Async],
        summary: "tokio::spawn on a multi-thread runtime, await each",
    },
    VariantInfo {
        name: "fork",
        models: &[Model::Process],
        summary: "fork, child bumps a shared counter and _exits, waitpid",
    },
    VariantInfo {
        name: "command",
        models: &[Model::Process],
        summary: "std::process::Command (posix_spawn) of `concbench worker`",
    },
];

const SLEEPER_VARIANTS: &[VariantInfo] = &[
    VariantInfo {
        name: "std_thread",
        models: &[Model::Thread],
        summary: "std::thread::spawn of a sleeping thread",
    },
    VariantInfo {
        name: "tokio",
        models: &[Model::Async],
        summary: "tokio task awaiting tokio::time::sleep",
    },
    VariantInfo {
        name: "fork",
        models: &[Model::Process],
        summary: "forked child in clock_nanosleep",
    },
    VariantInfo {
        name: "command",
        models: &[Model::Process],
        summary: "`concbench worker sleep` child process",
    },
];

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

impl Scenario for SpawnScenario {
    fn info(&self) -> &ScenarioInfo {
        &self.info
    }

    fn build(&self, context: &TrialContext) -> anyhow::Result<Box<dyn Trial>> {
        let workers = context.params.get("workers")?;
        let sleep = if self.sleeps {
            Some(Duration::from_millis(context.params.get("sleep_ms")?))
        } else {
            None
        };
        let launcher = Launcher::new(context, workers as usize, sleep)?;
        Ok(Box::new(SpawnTrial {
            launcher,
            per_round: self.sleeps,
            workers,
            sleep,
        }))
    }

    fn check_limits(&self, model: Model, params: &Params) -> Result<(), String> {
        let workers = params.get("workers").map_err(|e| e.to_string())?;
        let what = format!("workers={workers}");
        // Rough per-worker memory: a thread's touched stack and bookkeeping,
        // a forked child's page tables and copied pages, an exec'd child.
        let per_worker: u64 = match model {
            Model::Thread => 64 << 10,
            Model::Process => 4 << 20,
            _ => 4 << 10,
        };
        crate::model::limits::check_memory(workers * per_worker, &what)?;
        if matches!(model, Model::Thread | Model::Process) {
            crate::model::limits::check_tasks(workers, &what)?;
        }
        Ok(())
    }
}

/// One point of either spawn scenario: rounds of N workers, all awaited.
struct SpawnTrial {
    launcher: Launcher,
    /// Sleepers count a round as the operation, start counts each worker.
    per_round: bool,
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
        let ops = if self.per_round {
            rounds
        } else {
            rounds * self.workers
        };
        Ok(super::Sample { ops, ns })
    }

    fn verify(&mut self) -> anyhow::Result<()> {
        let (ran, expected) = self.launcher.counts();
        ensure!(
            ran == expected,
            "{ran} of {expected} workers ran to completion"
        );
        Ok(())
    }

    fn metrics(&self, measured: &Measured<'_>) -> BTreeMap<String, f64> {
        let resources = measured.resources;
        let rounds = if self.per_round {
            measured.total_ops()
        } else {
            measured.total_ops() / self.workers.max(1)
        };
        let workers_run = (rounds * self.workers).max(1) as f64;
        let cpu_ns = resources.user_ns
            + resources.sys_ns
            + resources.children.user_ns
            + resources.children.sys_ns;
        let mut metrics =
            BTreeMap::from([("cpu_ns_per_worker".to_string(), cpu_ns as f64 / workers_run)]);
        if self.launcher.is_process() {
            metrics.insert(
                "child_max_rss_bytes".into(),
                resources.children.max_rss_bytes as f64,
            );
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
