//! One point of the lock family as the harness sees it: `run(rounds)` is one
//! batch of `rounds x threads x ops` operations shared out among the crew's
//! threads, timed from the first thread's start to the last one's finish;
//! `verify` hands the totals to the workload; the metrics add fairness and
//! what the point ran.

use std::collections::BTreeMap;

use anyhow::Context;

use super::crew::{Crew, Tally, Workload};
use super::fairness::Fairness;
use super::work::Shape;
use crate::model::latency::Recorder;
use crate::model::placement::Placement;
use crate::results::Latency;
use crate::scenario::{CancelToken, Measured, Trial};
use crate::vocab::Sample;

/// The parameters every lock point shares.
#[derive(Debug, Clone, Copy)]
pub struct Setup {
    pub threads: u64,
    /// Operations per round, all threads together (`round_ops`).
    pub per_round: u64,
    pub shape: Shape,
    /// Where the threads run (`pinned_cores`).
    pub placement: Placement,
}

pub struct LockTrial<W: Workload> {
    crew: Crew<W>,
    setup: Setup,
    /// Operations and batches done so far, warm-up included.
    ops_done: u64,
    batches: u64,
    fairness: Fairness,
}

impl<W: Workload> LockTrial<W> {
    /// Start the threads for `work` (untimed).
    pub fn start(work: W, setup: Setup, cancel: CancelToken) -> anyhow::Result<Self> {
        Ok(LockTrial {
            crew: Crew::start(work, setup.threads as usize, cancel, setup.placement)?,
            setup,
            ops_done: 0,
            batches: 0,
            fairness: Fairness::default(),
        })
    }
}

/// Look at every thread's tally at once.
fn with_tallies<W: Workload, R>(crew: &Crew<W>, f: impl FnOnce(&[&Tally]) -> R) -> R {
    let guards = crew.tallies();
    let tallies: Vec<&Tally> = guards.iter().map(|g| &**g).collect();
    f(&tallies)
}

impl<W: Workload> Trial for LockTrial<W> {
    fn run(&mut self, rounds: u64) -> anyhow::Result<Sample> {
        let budget = rounds
            .checked_mul(self.setup.per_round)
            .context("rounds x threads x ops overflows a 64-bit count")?;
        let ns = self.crew.batch(budget)?;
        self.ops_done += budget;
        self.batches += 1;
        let counts: Vec<u64> = self.crew.tallies().iter().map(|t| t.batch_ops).collect();
        self.fairness.add(&counts);
        Ok(Sample { ops: budget, ns })
    }

    fn verify(&mut self) -> anyhow::Result<()> {
        let (ops, batches) = (self.ops_done, self.batches);
        with_tallies(&self.crew, |tallies| {
            self.crew.work().verify(tallies, ops, batches)
        })
    }

    fn metrics(&self, _measured: &Measured<'_>) -> BTreeMap<String, f64> {
        let mut metrics = BTreeMap::from([
            ("cs_iters".to_string(), self.setup.shape.iters as f64),
            (
                "latency_sample_every".to_string(),
                (self.setup.shape.sample_mask + 1) as f64,
            ),
        ]);
        if let Some((min_max, jain)) = self.fairness.averages() {
            metrics.insert("fairness_min_max".into(), min_max);
            metrics.insert("fairness_jain".into(), jain);
        }
        let extra = with_tallies(&self.crew, |tallies| self.crew.work().metrics(tallies));
        metrics.extend(extra.into_iter().map(|(k, v)| (k.to_string(), v)));
        metrics
    }

    fn begin_measurement(&mut self) {
        for mut tally in self.crew.tallies() {
            tally.recorder.clear();
        }
        self.fairness.clear();
    }

    fn latency(&self) -> Option<Latency> {
        let mut all = Recorder::new();
        for tally in self.crew.tallies() {
            all.merge(&tally.recorder);
        }
        all.latency()
    }
}
