//! `sync.barrier`: k long-lived threads meet at a `std::sync::Barrier` round
//! after round (the tutorials' `threading.Barrier`); the figure is ns per
//! barrier round. Each thread counts itself in before waiting and checks,
//! once through, that all k of the round had arrived; verification: every
//! thread passed every round, one leader per round, and nobody passed early.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Barrier};
use std::time::Instant;

use anyhow::ensure;

use super::crew::Crew;
use super::support::cost_per_op;
use crate::scenario::{CancelToken, Measured, Scenario, ScenarioInfo, Trial, TrialContext};
use crate::vocab::{Family, ParamSpec, Params, Sample};

const THREADS: ParamSpec = ParamSpec {
    name: "threads",
    default: 4,
    min: 2,
    max: 1024,
    help: "threads that meet at the barrier each round (k)",
};

crate::variant_table! {
    /// `sync.barrier`'s variants.
    enum BarrierVariant in BARRIER_VARIANTS {
        Std = "std", [Thread], "std::sync::Barrier::wait by all k threads each round";
    }
}

/// `sync.barrier`: rounds of k threads through one barrier.
pub static BARRIER: BarrierScenario = BarrierScenario {
    info: ScenarioInfo {
        id: "sync.barrier",
        family: Family::Sync,
        summary: "k threads pass a barrier together, round after round: ns per round",
        unit: "round",
        variants: BARRIER_VARIANTS,
        params: &[THREADS],
        throughput_vs: None,
    },
};

pub struct BarrierScenario {
    info: ScenarioInfo,
}

/// Operations in one round: the round itself, k threads through the barrier.
const OPS_PER_ROUND: u64 = 1;

impl Scenario for BarrierScenario {
    fn info(&self) -> &ScenarioInfo {
        &self.info
    }

    fn build(&self, context: &TrialContext) -> anyhow::Result<Box<dyn Trial>> {
        let BarrierVariant::Std = BarrierVariant::of(context.variant)?;
        let threads = context.params.get("threads")?;
        let tally = Arc::new(Tally {
            arrivals: AtomicU64::new(0),
            leaders: AtomicU64::new(0),
            early: AtomicU64::new(0),
            passes: (0..threads).map(|_| AtomicU64::new(0)).collect(),
        });
        let barrier = Arc::new(Barrier::new(threads as usize));
        let counts = Arc::clone(&tally);
        let crew = Crew::start("sync-barrier", threads as usize, move |index, batch| {
            meet(&barrier, &counts, index, batch, threads);
        })?;
        Ok(Box::new(BarrierTrial {
            crew,
            tally,
            threads,
            rounds_done: 0,
            cancel: context.cancel.clone(),
        }))
    }

    fn ops_per_round(&self, _params: &Params) -> anyhow::Result<Option<u64>> {
        Ok(Some(OPS_PER_ROUND))
    }
}

/// Rounds `first_round + 0 .. first_round + rounds` of the barrier.
struct Batch {
    first_round: u64,
    rounds: u64,
}

/// What the threads report.
struct Tally {
    /// Threads counted in before each wait, over all rounds.
    arrivals: AtomicU64,
    /// Rounds in which some thread was told it was the leader.
    leaders: AtomicU64,
    /// Times a thread got through while fewer than k had arrived.
    early: AtomicU64,
    /// Rounds each thread got through.
    passes: Vec<AtomicU64>,
}

/// One crew thread's share of a batch: count in, wait, check the count.
fn meet(barrier: &Barrier, tally: &Tally, index: usize, batch: &Batch, threads: u64) {
    let (mut passed, mut led, mut early) = (0, 0, 0);
    for round in batch.first_round..batch.first_round + batch.rounds {
        tally.arrivals.fetch_add(1, Ordering::AcqRel);
        led += u64::from(barrier.wait().is_leader());
        passed += 1;
        // Everyone of this round (and of all earlier ones) is in by now.
        if tally.arrivals.load(Ordering::Acquire) < threads * (round + 1) {
            early += 1;
        }
    }
    tally.passes[index].fetch_add(passed, Ordering::Relaxed);
    tally.leaders.fetch_add(led, Ordering::Relaxed);
    tally.early.fetch_add(early, Ordering::Relaxed);
}

struct BarrierTrial {
    crew: Crew<Batch>,
    tally: Arc<Tally>,
    threads: u64,
    rounds_done: u64,
    cancel: CancelToken,
}

impl Trial for BarrierTrial {
    fn run(&mut self, rounds: u64) -> anyhow::Result<Sample> {
        let batch = Arc::new(Batch {
            first_round: self.rounds_done,
            rounds,
        });
        let started = Instant::now();
        self.crew.run(batch, &self.cancel)?;
        let ns = started.elapsed().as_nanos() as u64;
        self.rounds_done += rounds;
        Ok(Sample {
            ops: rounds * OPS_PER_ROUND,
            ns,
        })
    }

    fn verify(&mut self) -> anyhow::Result<()> {
        let rounds = self.rounds_done;
        let load = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        for (index, passes) in self.tally.passes.iter().enumerate() {
            let passes = load(passes);
            ensure!(
                passes == rounds,
                "thread {index} passed the barrier {passes} times in {rounds} rounds"
            );
        }
        let early = load(&self.tally.early);
        ensure!(
            early == 0,
            "{early} times a thread got through before all {} had arrived",
            self.threads
        );
        let leaders = load(&self.tally.leaders);
        ensure!(leaders == rounds, "{leaders} leaders in {rounds} rounds");
        let arrivals = load(&self.tally.arrivals);
        ensure!(
            arrivals == self.threads * rounds,
            "{arrivals} arrivals, {} expected",
            self.threads * rounds
        );
        Ok(())
    }

    fn metrics(&self, measured: &Measured<'_>) -> BTreeMap<String, f64> {
        cost_per_op(measured, "round")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::sync::test_support::every_variant_verifies;
    use crate::vocab::Model;

    #[test]
    fn every_round_is_passed_by_every_thread() {
        for threads in [2, 5] {
            every_variant_verifies(&BARRIER, &[("threads", threads)], 1);
        }
    }

    #[test]
    fn a_thread_that_missed_rounds_fails_verification() {
        let context = crate::scenario::sync::test_support::context(
            BarrierVariant::Std.name(),
            Model::Thread,
            &[("threads", 3)],
        );
        let mut trial = BARRIER.build(&context).expect("builds");
        trial.run(4).expect("runs");
        trial.verify().expect("all passed");
        let tally = Tally {
            arrivals: AtomicU64::new(8),
            leaders: AtomicU64::new(4),
            early: AtomicU64::new(0),
            passes: vec![AtomicU64::new(4), AtomicU64::new(4), AtomicU64::new(0)],
        };
        let mut broken = BarrierTrial {
            crew: Crew::start("test", 1, |_, _: &Batch| {}).expect("crew"),
            tally: Arc::new(tally),
            threads: 3,
            rounds_done: 4,
            cancel: CancelToken::default(),
        };
        let error = broken.verify().expect_err("thread 2 never passed");
        assert!(error.to_string().contains("thread 2 passed"), "{error}");
    }
}
