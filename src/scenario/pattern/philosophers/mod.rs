//! `pattern.philosophers`: N philosophers share N forks round a table and each
//! meal needs both neighbours' forks. Four strategies: the naive
//! left-then-right (deadlocks; the stall watchdog catches it), a global lock
//! order, try-lock with randomised backoff, and an arbiter of N - 1 chairs.
//! Measures meals/s and how fairly the meals were shared.

mod fairness;
mod fork;
mod strategy;
mod table;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use anyhow::{Context, anyhow, ensure};

use crate::scenario::{Measured, Scenario, ScenarioInfo, Trial, TrialContext};
use crate::vocab::{Family, Model, ParamSpec, Params, Sample};
use strategy::{Strategy, VARIANTS};
use table::{Menu, Table};

const PARAMS: &[ParamSpec] = &[
    ParamSpec {
        name: "philosophers",
        default: 5,
        min: 2,
        max: 256,
        help: "philosophers (threads) and forks round the table",
    },
    ParamSpec {
        name: "meals",
        default: 1000,
        min: 1,
        max: 1_000_000,
        help: "meals per round, all philosophers together (the quick may eat more)",
    },
    ParamSpec {
        name: "eat_work",
        default: 100,
        min: 0,
        max: 1_000_000,
        help: "xorshift steps of work per meal, both forks in hand",
    },
    ParamSpec {
        name: "hold_us",
        default: 0,
        min: 0,
        max: 100_000,
        help: "microseconds a philosopher waits holding the first fork before reaching for the second; 1000 makes the naive deadlock near certain",
    },
    ParamSpec {
        name: "all_hold_first",
        default: 0,
        min: 0,
        max: 1,
        help: "naive only: 1 makes each philosopher, at its first meal, wait until all hold their first fork: a certain deadlock (needs meals >= philosophers)",
    },
];

/// `pattern.philosophers`.
pub static PHILOSOPHERS: PhilosophersScenario = PhilosophersScenario {
    info: ScenarioInfo {
        id: "pattern.philosophers",
        family: Family::Pattern,
        summary: "dining philosophers: naive (deadlocks), lock order, try-lock + backoff, arbiter of N-1",
        unit: "meal",
        variants: VARIANTS,
        params: PARAMS,
        throughput_vs: None,
    },
};

pub struct PhilosophersScenario {
    info: ScenarioInfo,
}

impl Scenario for PhilosophersScenario {
    fn info(&self) -> &ScenarioInfo {
        &self.info
    }

    fn validate(&self, _model: Model, params: &Params) -> Result<(), String> {
        let get = |name| params.get(name).map_err(|e| e.to_string());
        let (philosophers, meals) = (get("philosophers")?, get("meals")?);
        if get("all_hold_first")? == 1 && meals < philosophers {
            return Err(format!(
                "all_hold_first = 1 needs meals >= philosophers (meals = {meals}, philosophers = {philosophers}): every philosopher must come to the table"
            ));
        }
        Ok(())
    }

    fn build(&self, context: &TrialContext) -> anyhow::Result<Box<dyn Trial>> {
        let strategy = Strategy::of(context.variant)?;
        let philosophers = context.params.get("philosophers")?;
        ensure!(
            philosophers >= 2,
            "philosophers = {philosophers}: a table needs at least 2"
        );
        let menu = Menu {
            strategy,
            philosophers: usize::try_from(philosophers).context("philosophers")?,
            hold: Duration::from_micros(context.params.get("hold_us")?),
            eat_work: context.params.get("eat_work")?,
            all_hold_first: context.params.get("all_hold_first")? == 1,
        };
        let mut trial = PhilosophersTrial {
            table: Arc::new(Table::new(
                menu,
                context.cancel.clone(),
                context.progress.clone(),
            )),
            threads: Vec::with_capacity(menu.philosophers),
            meals: context.params.get("meals")?,
            asked: 0,
            baseline: Baseline::default(),
        };
        for seat in 0..menu.philosophers {
            // On an error the trial is dropped, which closes the table and
            // joins the philosophers already seated.
            let handle = table::seat_philosopher(&trial.table, seat)?;
            trial.threads.push(handle);
        }
        // A stall of the meal count from now on is a deadlock.
        context.progress.arm();
        Ok(Box::new(trial))
    }
}

/// Counts at the start of the timed samples, so warm-up meals are left out
/// of the fairness figures.
#[derive(Default)]
struct Baseline {
    meals: Vec<u64>,
    failed_attempts: u64,
}

/// One point: long-lived philosopher threads, one sitting per `run`.
struct PhilosophersTrial {
    table: Arc<Table>,
    threads: Vec<JoinHandle<()>>,
    /// Meals per round.
    meals: u64,
    /// Meals asked for by the sittings that finished.
    asked: u64,
    baseline: Baseline,
}

impl Trial for PhilosophersTrial {
    /// One sitting of `rounds` x `meals` meals: every philosopher starts
    /// together and eats until the meals run out.
    fn run(&mut self, rounds: u64) -> anyhow::Result<Sample> {
        let meals = rounds
            .checked_mul(self.meals)
            .ok_or_else(|| anyhow!("{rounds} rounds of {} meals overflow", self.meals))?;
        let took = self.table.serve(meals)?;
        self.asked += meals;
        Ok(Sample {
            ops: meals,
            ns: took.as_nanos() as u64,
        })
    }

    fn verify(&mut self) -> anyhow::Result<()> {
        self.table.audit(self.asked)
    }

    fn begin_measurement(&mut self) {
        self.baseline = Baseline {
            meals: self.table.meals(),
            failed_attempts: self.table.failed_attempts(),
        };
    }

    fn metrics(&self, _measured: &Measured<'_>) -> BTreeMap<String, f64> {
        let now = self.table.meals();
        let eaten: Vec<u64> = now
            .iter()
            .enumerate()
            .map(|(seat, &m)| m - self.baseline.meals.get(seat).copied().unwrap_or(0))
            .collect();
        let mut metrics = BTreeMap::new();
        if let Some(ratio) = fairness::min_over_max(&eaten) {
            metrics.insert("fairness_min_max".to_string(), ratio);
        }
        if let Some(index) = fairness::jain(&eaten) {
            metrics.insert("fairness_jain".to_string(), index);
        }
        let total: u64 = eaten.iter().sum();
        if self.table.strategy() == Strategy::TryLock && total > 0 {
            let failed = self.table.failed_attempts() - self.baseline.failed_attempts;
            metrics.insert(
                "failed_attempts_per_meal".to_string(),
                failed as f64 / total as f64,
            );
        }
        metrics
    }
}

impl Drop for PhilosophersTrial {
    /// Every wait at the table is timed and checks the closing flag, so this
    /// join ends within a wait slice plus one pause, deadlock or not.
    fn drop(&mut self) {
        self.table.close();
        for handle in self.threads.drain(..) {
            let _ = handle.join();
        }
    }
}
