//! `sync.semaphore`: k threads (or tokio tasks) contend for p < k permits,
//! each taking a permit, doing a little work, and giving it back (the
//! tutorials' `BoundedSemaphore` limiting concurrency); the figure is ns per
//! acquire-and-release. Every holder counts itself in and out; verification:
//! every acquire happened, never more than p were inside at once, no release
//! was refused, and all p permits came back.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Instant;

use anyhow::ensure;
use tokio::runtime::Runtime;
use tokio::sync::Semaphore as TokioSemaphore;

use super::crew::Crew;
use super::primitives::Semaphore;
use super::support::{busy_work, cores, cost_per_op};
use super::tasks;
use crate::scenario::{CancelToken, Measured, Scenario, ScenarioInfo, Trial, TrialContext};
use crate::vocab::{Family, Model, ParamSpec, Params, Sample};

const THREADS: ParamSpec = ParamSpec {
    name: "threads",
    default: 4,
    min: 2,
    max: 1024,
    help: "threads (tasks, for tokio) contending for the permits (k)",
};

const PERMITS: ParamSpec = ParamSpec {
    name: "permits",
    default: 2,
    min: 1,
    max: 1023,
    help: "permits of the semaphore (p, below k)",
};

crate::variant_table! {
    /// `sync.semaphore`'s variants.
    enum Sem in SEMAPHORE_VARIANTS {
        BoundedSemaphore = "bounded_semaphore", [Thread], "hand-written BoundedSemaphore (Mutex<usize> + Condvar), k threads";
        Tokio = "tokio", [Async], "tokio::sync::Semaphore, k tasks on a runtime of min(k, cores) workers";
    }
}

/// `sync.semaphore`: k contenders, p permits.
pub static SEMAPHORE: SemaphoreScenario = SemaphoreScenario {
    info: ScenarioInfo {
        id: "sync.semaphore",
        family: Family::Sync,
        summary: "k threads contend for p < k permits, each holding one briefly: ns per acquire",
        unit: "acquire",
        variants: SEMAPHORE_VARIANTS,
        params: &[THREADS, PERMITS],
        throughput_vs: None,
    },
};

pub struct SemaphoreScenario {
    info: ScenarioInfo,
}

impl Scenario for SemaphoreScenario {
    fn info(&self) -> &ScenarioInfo {
        &self.info
    }

    fn build(&self, context: &TrialContext) -> anyhow::Result<Box<dyn Trial>> {
        let threads = context.params.get("threads")? as usize;
        let permits = context.params.get("permits")? as usize;
        let occupancy = Arc::new(Occupancy::default());
        let gate = match Sem::of(context.variant)? {
            Sem::BoundedSemaphore => Gate::threads(threads, permits, &occupancy)?,
            Sem::Tokio => Gate::Tokio {
                runtime: tasks::runtime(threads.min(cores()))?,
                semaphore: Arc::new(TokioSemaphore::new(permits)),
            },
        };
        Ok(Box::new(SemaphoreTrial {
            gate,
            occupancy,
            threads,
            permits,
            rounds_done: 0,
            cancel: context.cancel.clone(),
        }))
    }

    fn validate(&self, _model: Model, params: &Params) -> Result<(), String> {
        let threads = params.get("threads").map_err(|e| e.to_string())?;
        let permits = params.get("permits").map_err(|e| e.to_string())?;
        if permits >= threads {
            return Err(format!(
                "permits={permits} must be less than threads={threads}, or nobody ever waits for a permit"
            ));
        }
        Ok(())
    }
}

/// Who is inside, counted by the holders themselves.
#[derive(Debug, Default)]
struct Occupancy {
    inside: AtomicUsize,
    most: AtomicUsize,
    /// Entries that found more than p holders inside.
    crowded: AtomicU64,
    /// Acquire-work-release passes completed.
    passes: AtomicU64,
    /// Releases the bounded semaphore refused.
    refused: AtomicU64,
}

impl Occupancy {
    /// One pass while holding a permit: count in, work, count out.
    fn hold(&self, permits: usize, seed: u64) {
        let now = self.inside.fetch_add(1, Ordering::AcqRel) + 1;
        self.most.fetch_max(now, Ordering::Relaxed);
        if now > permits {
            self.crowded.fetch_add(1, Ordering::Relaxed);
        }
        busy_work(seed);
        self.inside.fetch_sub(1, Ordering::AcqRel);
    }
}

/// The contenders and the semaphore they share.
enum Gate {
    Threads {
        crew: Crew<u64>,
        semaphore: Arc<Semaphore>,
    },
    Tokio {
        runtime: Runtime,
        semaphore: Arc<TokioSemaphore>,
    },
}

impl Gate {
    fn threads(threads: usize, permits: usize, occupancy: &Arc<Occupancy>) -> anyhow::Result<Gate> {
        let semaphore = Arc::new(Semaphore::bounded(permits));
        let (shared, counts) = (Arc::clone(&semaphore), Arc::clone(occupancy));
        let crew = Crew::start("sync-semaphore", threads, move |index, &rounds: &u64| {
            for round in 0..rounds {
                shared.acquire();
                counts.hold(permits, round ^ index as u64);
                if shared.release().is_err() {
                    counts.refused.fetch_add(1, Ordering::Relaxed);
                }
            }
            counts.passes.fetch_add(rounds, Ordering::Relaxed);
        })?;
        Ok(Gate::Threads { crew, semaphore })
    }

    /// Every contender does `rounds` passes.
    fn batch(
        &self,
        rounds: u64,
        threads: usize,
        permits: usize,
        occupancy: &Arc<Occupancy>,
        cancel: &CancelToken,
    ) -> anyhow::Result<()> {
        let (runtime, semaphore) = match self {
            Gate::Threads { crew, .. } => return crew.run(Arc::new(rounds), cancel),
            Gate::Tokio { runtime, semaphore } => (runtime, semaphore),
        };
        let passes = runtime.block_on(async {
            let tasks = (0..threads)
                .map(|index| {
                    let (semaphore, counts) = (Arc::clone(semaphore), Arc::clone(occupancy));
                    tokio::spawn(async move {
                        for round in 0..rounds {
                            let Ok(_permit) = semaphore.acquire().await else {
                                return round;
                            };
                            counts.hold(permits, round ^ index as u64);
                        }
                        rounds
                    })
                })
                .collect();
            tasks::join_all(tasks, cancel, || semaphore.close()).await
        })?;
        occupancy
            .passes
            .fetch_add(passes.iter().sum(), Ordering::Relaxed);
        Ok(())
    }

    fn available(&self) -> usize {
        match self {
            Gate::Threads { semaphore, .. } => semaphore.available(),
            Gate::Tokio { semaphore, .. } => semaphore.available_permits(),
        }
    }
}

struct SemaphoreTrial {
    gate: Gate,
    occupancy: Arc<Occupancy>,
    threads: usize,
    permits: usize,
    rounds_done: u64,
    cancel: CancelToken,
}

impl Trial for SemaphoreTrial {
    fn run(&mut self, rounds: u64) -> anyhow::Result<Sample> {
        let started = Instant::now();
        self.gate.batch(
            rounds,
            self.threads,
            self.permits,
            &self.occupancy,
            &self.cancel,
        )?;
        let ns = started.elapsed().as_nanos() as u64;
        self.rounds_done += rounds;
        Ok(Sample {
            ops: rounds * self.threads as u64,
            ns,
        })
    }

    fn verify(&mut self) -> anyhow::Result<()> {
        let counts = &self.occupancy;
        let expected = self.rounds_done * self.threads as u64;
        let passes = counts.passes.load(Ordering::Relaxed);
        ensure!(
            passes == expected,
            "{passes} of {expected} acquires happened"
        );
        let crowded = counts.crowded.load(Ordering::Relaxed);
        ensure!(
            crowded == 0,
            "{crowded} times more than {} holders were inside (at most {})",
            self.permits,
            counts.most.load(Ordering::Relaxed)
        );
        let refused = counts.refused.load(Ordering::Relaxed);
        ensure!(refused == 0, "{refused} releases were refused");
        let available = self.gate.available();
        ensure!(
            available == self.permits,
            "{available} of {} permits came back",
            self.permits
        );
        Ok(())
    }

    /// Besides the cost: the most holders seen inside at once.
    fn metrics(&self, measured: &Measured<'_>) -> BTreeMap<String, f64> {
        let mut metrics = cost_per_op(measured, "acquire");
        let most = self.occupancy.most.load(Ordering::Relaxed);
        metrics.insert("most_holders".into(), most as f64);
        metrics
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::sync::test_support::{context, every_variant_verifies};

    #[test]
    fn every_variant_keeps_within_its_permits_and_verifies() {
        every_variant_verifies(&SEMAPHORE, &[("threads", 4), ("permits", 2)], 4);
        every_variant_verifies(&SEMAPHORE, &[("threads", 3), ("permits", 1)], 3);
    }

    #[test]
    fn permits_must_be_fewer_than_threads() {
        let params = |threads: u64, permits: u64| {
            Params(
                [("threads", threads), ("permits", permits)]
                    .map(|(k, v)| (k.to_string(), v))
                    .into(),
            )
        };
        assert!(SEMAPHORE.validate(Model::Thread, &params(4, 3)).is_ok());
        let refused = SEMAPHORE
            .validate(Model::Async, &params(2, 2))
            .expect_err("no contention");
        assert!(refused.contains("permits=2 must be less than threads=2"));
    }

    #[test]
    fn a_crowded_semaphore_fails_verification() {
        let built = context(
            Sem::BoundedSemaphore.name(),
            Model::Thread,
            &[("threads", 3), ("permits", 1)],
        );
        let mut trial = SEMAPHORE.build(&built).expect("builds");
        trial.run(5).expect("runs");
        trial.verify().expect("within the permits");
        let occupancy = Arc::new(Occupancy::default());
        occupancy.hold(1, 0);
        occupancy.inside.store(1, Ordering::Relaxed);
        occupancy.hold(1, 0);
        occupancy.passes.store(2, Ordering::Relaxed);
        let mut broken = SemaphoreTrial {
            gate: Gate::threads(2, 1, &occupancy).expect("gate"),
            occupancy,
            threads: 2,
            permits: 1,
            rounds_done: 1,
            cancel: CancelToken::default(),
        };
        let error = broken.verify().expect_err("two were inside at once");
        assert!(error.to_string().contains("more than 1 holders"), "{error}");
    }
}
