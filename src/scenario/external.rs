//! Variants whose workload runs in another runtime (`py_*`: CPython): the
//! trial is a worker process speaking `concbench-runtime/1`. To the harness
//! it is a trial like any other; this side holds the worker to its word: the
//! count per round the scenario defines (`Scenario::ops_per_round`), a time
//! no longer than the request took and, over all its runs, not much shorter
//! than the requests took beyond the protocol's overhead (`model::clock`),
//! and its own verification at the end.

use std::time::Instant;

use anyhow::{anyhow, bail, ensure};

use super::{Scenario, Trial, TrialContext};
use crate::model::clock::RequestClock;
use crate::model::runtime::RuntimeWorker;
use crate::model::runtime::wire::{self, Reply};
use crate::vocab::{Model, Sample, Unsupported};

/// A workload in another runtime's worker.
pub struct ExternalTrial {
    worker: RuntimeWorker,
    /// Operations per round, as the scenario defines them for the point.
    per_round: u64,
    /// `cpu.split`, `chunk`: what a wrong count is said against.
    scenario: &'static str,
    unit: &'static str,
    /// Every run's request as this side timed it, against what was reported.
    clock: RequestClock,
    runs: u64,
    /// Since the measurement began: the work's ns and the CPU ns the worker
    /// and its children used (None once a run did not report it).
    measured_ns: u64,
    cpu_ns: Option<u64>,
}

/// Start the context's runtime and set the workload up.
pub fn build(
    scenario: &'static dyn Scenario,
    context: &TrialContext,
) -> anyhow::Result<Box<dyn Trial>> {
    let info = scenario.info();
    let per_round = scenario.ops_per_round(&context.params)?.ok_or_else(|| {
        anyhow!(
            "{} does not define how many operations a round is, so no runtime's worker can be held to it",
            info.id
        )
    })?;
    let runtime = context.runtime.as_ref().ok_or_else(|| {
        anyhow!(
            "{} needs a runtime (an interpreter) and none was given",
            context.variant
        )
    })?;
    let mut worker = RuntimeWorker::start(runtime)?;
    let mut line = format!("setup {} {}", info.id, context.variant);
    for (name, value) in &context.params.0 {
        line.push_str(&format!(" {name}={value}"));
    }
    // A variant under several models tells the worker which one.
    if info
        .variant(context.variant)
        .is_some_and(|v| v.models.len() > 1)
    {
        let in_process = u8::from(context.model != Model::Process);
        line.push_str(&format!(" in_process={in_process}"));
    }
    let answer = worker.ask(&line)?;
    match wire::parse_reply(&answer, "ready").map_err(anyhow::Error::msg)? {
        Reply::Fine(_) => {}
        Reply::Skip(why) => return Err(Unsupported(format!("{}: {why}", runtime.name)).into()),
        Reply::Error(why) => bail!("the worker could not set up {}: {why}", context.variant),
    }
    Ok(Box::new(ExternalTrial {
        worker,
        per_round,
        scenario: info.id,
        unit: info.unit,
        clock: RequestClock::default(),
        runs: 0,
        measured_ns: 0,
        cpu_ns: Some(0),
    }))
}

impl Trial for ExternalTrial {
    fn run(&mut self, rounds: u64) -> anyhow::Result<Sample> {
        let began = Instant::now();
        let answer = self.worker.ask(&format!("run {rounds}"))?;
        let asked_ns = began.elapsed().as_nanos() as u64;
        let wire::Done { sample, cpu_ns } =
            wire::parse_done(&answer).map_err(anyhow::Error::msg)?;
        ensure!(
            sample.ns <= asked_ns,
            "the worker says {rounds} rounds took {} ns, longer than the {asked_ns} ns the request took",
            sample.ns
        );
        if Some(sample.ops) != rounds.checked_mul(self.per_round) {
            let did = if sample.ops % rounds == 0 {
                format!("{} operations per round", sample.ops / rounds)
            } else {
                format!(
                    "{} operations in {rounds} rounds (not whole operations per round)",
                    sample.ops
                )
            };
            bail!(
                "the worker did {did}, but a round of {} at these parameters is {} (its unit: {})",
                self.scenario,
                self.per_round,
                self.unit
            );
        }
        self.clock.record(asked_ns, sample.ns);
        self.runs += 1;
        self.measured_ns += sample.ns;
        self.cpu_ns = self.cpu_ns.zip(cpu_ns).map(|(a, b)| a + b);
        Ok(sample)
    }

    fn begin_measurement(&mut self) {
        self.measured_ns = 0;
        self.cpu_ns = Some(0);
    }

    /// The CPU the worker and its children used while measured: per
    /// operation, and as cores kept busy (1.0: one core's worth).
    fn metrics(&self, measured: &super::Measured<'_>) -> std::collections::BTreeMap<String, f64> {
        let mut metrics = std::collections::BTreeMap::new();
        if let Some(cpu) = self.cpu_ns.filter(|_| self.measured_ns > 0) {
            let ops = measured.total_ops().max(1) as f64;
            metrics.insert("worker_cpu_ns_per_op".into(), cpu as f64 / ops);
            metrics.insert(
                "worker_cores_busy".into(),
                cpu as f64 / self.measured_ns as f64,
            );
        }
        metrics
    }

    fn verify(&mut self) -> anyhow::Result<()> {
        ensure!(self.runs > 0, "the worker never ran");
        self.clock
            .check()
            .map_err(|why| anyhow!("the worker {why}"))?;
        let answer = self.worker.ask("verify")?;
        match wire::parse_reply(&answer, "ok").map_err(anyhow::Error::msg)? {
            Reply::Fine(_) => Ok(()),
            Reply::Skip(why) | Reply::Error(why) => {
                bail!("the worker's verification failed: {why}")
            }
        }
    }
}
