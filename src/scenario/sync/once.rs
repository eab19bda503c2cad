//! `sync.once`: k long-lived threads race to initialise a fresh `OnceLock`
//! per race (lazy one-time set-up, e.g. a shared connection made once); the
//! figure is ns per race. A batch lays out its locks in advance and the k
//! threads race through them together. Verification, per race: the
//! initialiser ran exactly once, the lock holds a value made for that race,
//! and all k threads saw that same value.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use anyhow::{bail, ensure};

use super::crew::Crew;
use super::support::cost_per_op;
use crate::scenario::{CancelToken, Measured, Scenario, ScenarioInfo, Trial, TrialContext};
use crate::vocab::{Family, ParamSpec, Sample};

const THREADS: ParamSpec = ParamSpec {
    name: "threads",
    default: 4,
    min: 2,
    max: 1024,
    help: "threads racing to initialise each lock (k)",
};

/// Races per crew batch at most: bounds a batch's memory (the harness may
/// ask for millions of rounds per sample).
const CHUNK: u64 = 1 << 16;

crate::variant_table! {
    /// `sync.once`'s variants.
    enum Once in ONCE_VARIANTS {
        StdOnceLock = "std_once_lock", [Thread], "std::sync::OnceLock::get_or_init by all k threads on each fresh lock";
    }
}

/// `sync.once`: k threads race to initialise each of a run of fresh locks.
pub static ONCE: OnceScenario = OnceScenario {
    info: ScenarioInfo {
        id: "sync.once",
        family: Family::Sync,
        summary: "k threads race to initialise a fresh OnceLock: ns per race",
        unit: "race",
        variants: ONCE_VARIANTS,
        params: &[THREADS],
        throughput_vs: None,
    },
};

pub struct OnceScenario {
    info: ScenarioInfo,
}

impl Scenario for OnceScenario {
    fn info(&self) -> &ScenarioInfo {
        &self.info
    }

    fn build(&self, context: &TrialContext) -> anyhow::Result<Box<dyn Trial>> {
        let Once::StdOnceLock = Once::of(context.variant)?;
        let threads = context.params.get("threads")? as usize;
        let wins: Arc<Vec<AtomicU64>> = Arc::new((0..threads).map(|_| AtomicU64::new(0)).collect());
        let counts = Arc::clone(&wins);
        let crew = Crew::start("sync-once", threads, move |index, batch| {
            race(batch, index, &counts[index]);
        })?;
        Ok(Box::new(OnceTrial {
            crew,
            wins,
            threads,
            races_done: 0,
            problem: None,
            cancel: context.cancel.clone(),
        }))
    }
}

/// The locks of one batch, and what the racers left behind.
struct Batch {
    first_race: u64,
    locks: Vec<OnceLock<u64>>,
    /// How often each lock's initialiser ran.
    inits: Vec<AtomicU32>,
    /// Per thread: a digest of the values it got, in race order.
    digests: Vec<AtomicU64>,
}

impl Batch {
    fn new(first_race: u64, races: u64, threads: usize) -> Batch {
        Batch {
            first_race,
            locks: (0..races).map(|_| OnceLock::new()).collect(),
            inits: (0..races).map(|_| AtomicU32::new(0)).collect(),
            digests: (0..threads).map(|_| AtomicU64::new(0)).collect(),
        }
    }
}

/// The value the winner of `race` stores: the race and the winner.
fn token(race: u64, thread: usize) -> u64 {
    (race << 16) | thread as u64
}

fn mix(digest: u64, value: u64) -> u64 {
    (digest ^ value)
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .rotate_left(23)
}

/// One crew thread's share: get (or be the one to make) every lock's value.
fn race(batch: &Batch, index: usize, wins: &AtomicU64) {
    let (mut digest, mut won) = (0, 0);
    for (offset, lock) in batch.locks.iter().enumerate() {
        let value = *lock.get_or_init(|| {
            batch.inits[offset].fetch_add(1, Ordering::Relaxed);
            won += 1;
            token(batch.first_race + offset as u64, index)
        });
        digest = mix(digest, value);
    }
    batch.digests[index].store(digest, Ordering::Relaxed);
    wins.fetch_add(won, Ordering::Relaxed);
}

/// The first problem with a finished batch, if any.
fn check(batch: &Batch) -> Option<String> {
    let mut expected = 0;
    for (offset, lock) in batch.locks.iter().enumerate() {
        let race = batch.first_race + offset as u64;
        let inits = batch.inits[offset].load(Ordering::Relaxed);
        if inits != 1 {
            return Some(format!("race {race}: the initialiser ran {inits} times"));
        }
        match lock.get() {
            Some(&value) if value >> 16 == race => expected = mix(expected, value),
            other => return Some(format!("race {race}: the lock holds {other:?}")),
        }
    }
    let differs = batch
        .digests
        .iter()
        .position(|d| d.load(Ordering::Relaxed) != expected)?;
    Some(format!(
        "thread {differs} saw other values than the locks hold in races {}..{}",
        batch.first_race,
        batch.first_race + batch.locks.len() as u64
    ))
}

struct OnceTrial {
    crew: Crew<Batch>,
    /// Races each thread won (ran the initialiser).
    wins: Arc<Vec<AtomicU64>>,
    threads: usize,
    races_done: u64,
    problem: Option<String>,
    cancel: CancelToken,
}

impl Trial for OnceTrial {
    fn run(&mut self, rounds: u64) -> anyhow::Result<Sample> {
        let (mut ns, mut left) = (0, rounds);
        while left > 0 {
            let races = left.min(CHUNK);
            // Laid out before the clock starts; checked after it stops.
            let batch = Arc::new(Batch::new(self.races_done, races, self.threads));
            let started = Instant::now();
            self.crew.run(Arc::clone(&batch), &self.cancel)?;
            ns += started.elapsed().as_nanos() as u64;
            self.races_done += races;
            left -= races;
            if self.problem.is_none() {
                self.problem = check(&batch);
            }
        }
        Ok(Sample { ops: rounds, ns })
    }

    fn verify(&mut self) -> anyhow::Result<()> {
        if let Some(problem) = &self.problem {
            bail!("{problem}");
        }
        let won: u64 = self.wins.iter().map(|w| w.load(Ordering::Relaxed)).sum();
        ensure!(
            won == self.races_done,
            "initialisers ran {won} times in {} races",
            self.races_done
        );
        Ok(())
    }

    /// Besides the cost: the share of races the most frequent winner won
    /// (1.0: one thread ran ahead and the others only read).
    fn metrics(&self, measured: &Measured<'_>) -> BTreeMap<String, f64> {
        let mut metrics = cost_per_op(measured, "race");
        let most = self.wins.iter().map(|w| w.load(Ordering::Relaxed)).max();
        if let Some(most) = most.filter(|_| self.races_done > 0) {
            metrics.insert(
                "top_winner_share".into(),
                most as f64 / self.races_done as f64,
            );
        }
        metrics
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::sync::test_support::every_variant_verifies;
    use crate::vocab::Model;

    #[test]
    fn every_race_has_one_initialiser_and_one_value() {
        for threads in [2, 5] {
            every_variant_verifies(&ONCE, &[("threads", threads)], 1);
        }
    }

    #[test]
    fn check_finds_a_double_initialisation_and_a_disagreement() {
        let batch = Batch::new(7, 2, 2);
        for (offset, lock) in batch.locks.iter().enumerate() {
            let _ = lock.set(token(7 + offset as u64, 0));
            batch.inits[offset].store(1, Ordering::Relaxed);
        }
        let agreed = mix(mix(0, token(7, 0)), token(8, 0));
        batch.digests[0].store(agreed, Ordering::Relaxed);
        batch.digests[1].store(agreed ^ 1, Ordering::Relaxed);
        let problem = check(&batch).expect("thread 1 disagrees");
        assert!(problem.contains("thread 1 saw other values"), "{problem}");
        batch.digests[1].store(agreed, Ordering::Relaxed);
        assert_eq!(check(&batch), None);
        batch.inits[1].store(2, Ordering::Relaxed);
        let problem = check(&batch).expect("ran twice");
        assert!(
            problem.contains("race 8: the initialiser ran 2 times"),
            "{problem}"
        );
    }

    #[test]
    fn a_long_run_is_split_into_bounded_batches() {
        let context = crate::scenario::sync::test_support::context(
            Once::StdOnceLock.name(),
            Model::Thread,
            &[("threads", 2)],
        );
        let mut trial = ONCE.build(&context).expect("builds");
        let sample = trial.run(CHUNK + 5).expect("two batches");
        assert_eq!(sample.ops, CHUNK + 5);
        trial.verify().expect("every race verified");
    }
}
