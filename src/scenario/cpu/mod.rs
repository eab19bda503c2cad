//! The cpu family: a fixed amount of CPU work (Monte-Carlo chunks) split over
//! k workers as threads, a rayon pool, tokio tasks and processes, against the
//! serial reference measured in the same run: the tutorials' "threads vs
//! processes for compute" and "pool size = cores or cores + 1", measured.

pub mod child;
mod drivers;
mod processes;
mod table;
pub mod work;

use std::collections::BTreeMap;
use table::VARIANTS;

use super::{Measured, Scenario, ScenarioInfo, Trial, TrialContext};
use crate::vocab::{Family, Model, ParamSpec, Params, Sample};
use drivers::Driver;
use work::Job;
use work::{RoundCheck, Tally};

const WORKERS: ParamSpec = ParamSpec {
    name: "k",
    default: 4,
    min: 1,
    max: 4096,
    help: "workers the round's chunks are split over (the serial reference ignores it)",
};

const CHUNKS: ParamSpec = ParamSpec {
    name: "chunks",
    default: 64,
    min: 1,
    max: 1_000_000,
    help: "chunks of work per round (one chunk is one operation)",
};

const POINTS: ParamSpec = ParamSpec {
    name: "points",
    default: 100_000,
    min: 1,
    max: 1_000_000_000,
    help: "Monte-Carlo points thrown per chunk (about 1 ns each)",
};

/// `cpu.split`: one round's chunks split over k workers.
pub static SPLIT: CpuScenario = CpuScenario {
    info: ScenarioInfo {
        id: "cpu.split",
        family: Family::Cpu,
        summary: "a fixed Monte-Carlo workload split over k workers: speedup and efficiency vs serial (tokio_current_thread shows the classic mistake: one core whatever k)",
        unit: "chunk",
        variants: VARIANTS,
        params: &[WORKERS, CHUNKS, POINTS],
        throughput_vs: Some("k"),
    },
};

/// The family's scenarios, in listing order.
pub fn scenarios() -> Vec<&'static dyn Scenario> {
    vec![&SPLIT]
}

pub struct CpuScenario {
    info: ScenarioInfo,
}

impl Scenario for CpuScenario {
    fn info(&self) -> &ScenarioInfo {
        &self.info
    }

    fn build(&self, context: &TrialContext) -> anyhow::Result<Box<dyn Trial>> {
        let job = Job {
            chunks: context.params.get("chunks")?,
            points: context.params.get("points")?,
            workers: context.params.get("k")?,
            cancel: context.cancel.clone(),
        };
        anyhow::ensure!(
            job.chunks > 0 && job.points > 0 && job.workers > 0,
            "k, chunks and points must be at least 1"
        );
        // The reference every round is checked against, computed serially
        // and untimed.
        let expected = Tally::of_range(0..job.chunks, job.points, &job.cancel);
        let driver = Driver::new(context, &job)?;
        Ok(Box::new(CpuTrial {
            driver,
            job,
            per_round: round_ops(&context.params)?,
            check: RoundCheck::new(expected),
            children_cpu_at_start: 0,
        }))
    }

    fn ops_per_round(&self, params: &Params) -> anyhow::Result<Option<u64>> {
        round_ops(params).map(Some)
    }

    fn check_limits(&self, model: Model, params: &Params) -> Result<(), String> {
        if model == Model::Serial {
            return Ok(());
        }
        let k = params.get("k").map_err(|e| e.to_string())?;
        let what = format!("k={k}");
        crate::model::limits::check_tasks(k, &what)?;
        if matches!(model, Model::Process | Model::ProcessPool) {
            // Two pipe ends per child, plus what the harness itself keeps open.
            crate::model::limits::check_files(2 * k + 64, &what)?;
        }
        Ok(())
    }
}

/// Operations in one round: one per chunk, whatever the split.
fn round_ops(params: &Params) -> anyhow::Result<u64> {
    params.get("chunks")
}

/// One point: rounds of the job, each round's tally checked against the
/// serial reference.
struct CpuTrial {
    driver: Driver,
    job: Job,
    /// Operations per round (`round_ops`).
    per_round: u64,
    check: RoundCheck,
    /// CPU time of long-lived children when the timed samples began.
    children_cpu_at_start: u64,
}

impl Trial for CpuTrial {
    fn run(&mut self, rounds: u64) -> anyhow::Result<Sample> {
        let started = std::time::Instant::now();
        for _ in 0..rounds {
            anyhow::ensure!(!self.job.cancel.is_cancelled(), "cancelled by the watchdog");
            let tally = self.driver.round(&self.job)?;
            self.check.record(tally);
        }
        Ok(Sample {
            ops: rounds * self.per_round,
            ns: started.elapsed().as_nanos() as u64,
        })
    }

    fn verify(&mut self) -> anyhow::Result<()> {
        self.check.verdict().map_err(anyhow::Error::msg)
    }

    fn begin_measurement(&mut self) {
        self.children_cpu_at_start = self.driver.live_children_cpu_ns();
    }

    fn metrics(&self, measured: &Measured<'_>) -> BTreeMap<String, f64> {
        let resources = measured.resources;
        let live_children = self
            .driver
            .live_children_cpu_ns()
            .saturating_sub(self.children_cpu_at_start);
        let cpu_ns = resources.user_ns
            + resources.sys_ns
            + resources.children.user_ns
            + resources.children.sys_ns
            + live_children;
        let chunks = measured.total_ops().max(1) as f64;
        BTreeMap::from([
            ("cpu_ns_per_chunk".to_string(), cpu_ns as f64 / chunks),
            (
                // Cores kept busy on average: ~k for a model that scales,
                // ~1 for one that does not.
                "cpu_utilisation".to_string(),
                cpu_ns as f64 / resources.wall_ns.max(1) as f64,
            ),
            (
                "wall_ns_per_round".to_string(),
                measured.median_ns_per_op * self.job.chunks as f64,
            ),
            (
                "pi_estimate".to_string(),
                self.check.expected().pi_estimate(self.job.points),
            ),
        ])
    }
}
