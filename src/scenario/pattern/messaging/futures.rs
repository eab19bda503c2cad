//! `pattern.futures`: K tasks of uneven CPU length (task 0 the longest) are
//! submitted at once and their results collected either as they complete
//! (`as_completed`) or in submission order (`map` / `join_all`), on tokio or
//! rayon. Per round: the time to the first result and to all of them.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};
use rayon::prelude::*;

use super::work::{self, TaskResult};
use crate::model::latency::Recorder;
use crate::scenario::{CancelToken, Measured, Trial, TrialContext};
use crate::vocab::{Params, Sample};

crate::variant_table! {
    /// `pattern.futures`'s variants.
    pub enum Futures in FUTURES_VARIANTS {
        JoinsetAsCompleted = "joinset_as_completed", [Async], "tokio JoinSet, join_next as tasks finish";
        HandlesInOrder = "handles_in_order", [Async], "tokio::spawn each, await the handles in submission order (join_all / Executor.map)";
        RayonAsCompleted = "rayon_as_completed", [Pool], "rayon spawn each, results over a channel as they finish";
        RayonInOrder = "rayon_in_order", [Pool], "rayon par_iter map collect: every result at once, in order";
    }
}

/// Where the tasks run and how their results are collected.
enum Collector {
    JoinSet(tokio::runtime::Runtime),
    HandlesInOrder(tokio::runtime::Runtime),
    RayonChannel(rayon::ThreadPool),
    RayonCollect(rayon::ThreadPool),
}

/// The shape of a round: how many tasks and how long each one is.
#[derive(Debug, Clone, Copy)]
struct Shape {
    tasks: u64,
    unit: Duration,
    spread: u64,
}

impl Shape {
    /// Length of task `index` in units, from `spread` (task 0) down to 1; a
    /// prime stride larger than any spread scatters the lengths unevenly.
    fn units(&self, index: u64) -> u64 {
        self.spread - (index.wrapping_mul(7919) % self.spread)
    }

    /// How long task `index` spins.
    fn length(&self, index: u64) -> Duration {
        self.unit * self.units(index) as u32
    }

    fn total_units(&self) -> u64 {
        (0..self.tasks).map(|i| self.units(i)).sum()
    }
}

/// One task: spin for its length, then return its result.
fn task(shape: Shape, index: u64, round: u64) -> TaskResult {
    TaskResult::new(index, round, work::spin(shape.length(index)))
}

pub fn build(context: &TrialContext) -> anyhow::Result<Box<dyn Trial>> {
    Ok(Box::new(futures_trial(context)?))
}

/// Operations in one round: each task submitted and collected.
pub fn round_ops(params: &Params) -> anyhow::Result<u64> {
    params.get("tasks")
}

fn futures_trial(context: &TrialContext) -> anyhow::Result<FuturesTrial> {
    let shape = Shape {
        tasks: context.params.get("tasks")?,
        unit: Duration::from_micros(context.params.get("unit_us")?),
        spread: context.params.get("spread")?,
    };
    ensure!(shape.tasks >= 1, "futures need at least 1 task");
    ensure!(shape.spread >= 1, "spread must be at least 1 unit");
    let rayon_pool = || {
        rayon::ThreadPoolBuilder::new()
            .num_threads(work::cores())
            .build()
            .context("starting a rayon pool")
    };
    let collector = match Futures::of(context.variant)? {
        Futures::JoinsetAsCompleted => Collector::JoinSet(work::runtime()?),
        Futures::HandlesInOrder => Collector::HandlesInOrder(work::runtime()?),
        Futures::RayonAsCompleted => Collector::RayonChannel(rayon_pool()?),
        Futures::RayonInOrder => Collector::RayonCollect(rayon_pool()?),
    };
    Ok(FuturesTrial {
        collector,
        shape,
        per_round: round_ops(&context.params)?,
        cancel: context.cancel.clone(),
        rounds: 0,
        collected: 0,
        first_ns: Vec::new(),
        all_ns: Vec::new(),
        arrivals: Recorder::new(),
        problem: None,
    })
}

struct FuturesTrial {
    collector: Collector,
    shape: Shape,
    /// Operations per round (`round_ops`).
    per_round: u64,
    cancel: CancelToken,
    rounds: u64,
    /// Results that arrived once each with the right value.
    collected: u64,
    /// Per measured round: ns from submission to the first / last result.
    first_ns: Vec<u64>,
    all_ns: Vec<u64>,
    /// ns from submission to each result.
    arrivals: Recorder,
    problem: Option<String>,
}

/// A result and when it arrived, in ns since the round's submission began.
type Arrival = (TaskResult, u64);

impl FuturesTrial {
    /// Submit one round of tasks and collect their results.
    fn round(&self, round: u64) -> anyhow::Result<Vec<Arrival>> {
        let shape = self.shape;
        let mut arrivals = Vec::with_capacity(shape.tasks as usize);
        let started = Instant::now();
        let at = || started.elapsed().as_nanos() as u64;
        match &self.collector {
            Collector::JoinSet(runtime) => runtime.block_on(async {
                let mut set = tokio::task::JoinSet::new();
                for index in 0..shape.tasks {
                    set.spawn(async move { task(shape, index, round) });
                }
                while let Some(result) = set.join_next().await {
                    arrivals.push((result.context("a task failed")?, at()));
                }
                anyhow::Ok(())
            })?,
            Collector::HandlesInOrder(runtime) => runtime.block_on(async {
                let handles: Vec<_> = (0..shape.tasks)
                    .map(|index| tokio::spawn(async move { task(shape, index, round) }))
                    .collect();
                for handle in handles {
                    arrivals.push((handle.await.context("a task failed")?, at()));
                }
                anyhow::Ok(())
            })?,
            Collector::RayonChannel(pool) => {
                let (sender, results) = crossbeam::channel::unbounded();
                for index in 0..shape.tasks {
                    let sender = sender.clone();
                    pool.spawn(move || {
                        let _ = sender.send(task(shape, index, round));
                    });
                }
                drop(sender);
                for _ in 0..shape.tasks {
                    let result = work::receive(&results, &self.cancel, "a task's result")?;
                    arrivals.push((result, at()));
                }
            }
            Collector::RayonCollect(pool) => {
                let results: Vec<TaskResult> = pool.install(|| {
                    (0..shape.tasks)
                        .into_par_iter()
                        .map(|index| task(shape, index, round))
                        .collect()
                });
                let done = at();
                arrivals.extend(results.into_iter().map(|result| (result, done)));
            }
        }
        Ok(arrivals)
    }
}

impl Trial for FuturesTrial {
    fn run(&mut self, rounds: u64) -> anyhow::Result<Sample> {
        let mut ns = 0;
        for _ in 0..rounds {
            if self.cancel.is_cancelled() {
                bail!("cancelled between rounds");
            }
            let round = self.rounds;
            self.rounds += 1;
            let arrivals = self.round(round)?;
            let first = arrivals.iter().map(|&(_, at)| at).min().unwrap_or(0);
            let all = arrivals.iter().map(|&(_, at)| at).max().unwrap_or(0);
            ns += all;
            self.first_ns.push(first);
            self.all_ns.push(all);
            for &(_, at) in &arrivals {
                self.arrivals.record(at);
            }
            let results = arrivals.iter().map(|&(result, _)| result);
            let shape = self.shape;
            self.collected += work::check_results(
                round,
                shape.tasks,
                |index| shape.length(index),
                results,
                &mut self.problem,
            );
        }
        Ok(Sample {
            ops: rounds * self.per_round,
            ns,
        })
    }

    fn verify(&mut self) -> anyhow::Result<()> {
        if let Some(problem) = &self.problem {
            bail!("{problem}");
        }
        let expected = self.rounds * self.shape.tasks;
        ensure!(
            self.collected == expected,
            "{} of {expected} results were collected",
            self.collected
        );
        Ok(())
    }

    fn begin_measurement(&mut self) {
        self.first_ns.clear();
        self.all_ns.clear();
        self.arrivals.clear();
    }

    fn latency(&self) -> Option<crate::results::Latency> {
        self.arrivals.latency()
    }

    fn metrics(&self, _measured: &Measured<'_>) -> BTreeMap<String, f64> {
        let (first, all) = (
            work::median_ns(&self.first_ns),
            work::median_ns(&self.all_ns),
        );
        let unit_ns = self.shape.unit.as_nanos() as f64;
        let longest = self.shape.spread as f64 * unit_ns;
        let spread_out = self.shape.total_units() as f64 * unit_ns / work::cores() as f64;
        BTreeMap::from([
            ("first_result_ns".to_string(), first),
            ("all_results_ns".to_string(), all),
            (
                "first_over_all".to_string(),
                if all > 0.0 { first / all } else { 0.0 },
            ),
            ("longest_task_ns".to_string(), longest),
            ("ideal_all_results_ns".to_string(), longest.max(spread_out)),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Progress;
    use crate::vocab::{Model, Params};

    fn context(variant: &'static str, tasks: u64) -> TrialContext {
        TrialContext {
            variant,
            model: Model::Async,
            params: Params(
                [
                    ("tasks".into(), tasks),
                    ("unit_us".into(), 5),
                    ("spread".into(), 4),
                ]
                .into(),
            ),
            cancel: CancelToken::default(),
            progress: Progress::default(),
            worker_binary: "concbench".into(),
            runtime: None,
        }
    }

    #[test]
    fn lengths_are_uneven_and_task_zero_is_the_longest() {
        let shape = Shape {
            tasks: 8,
            unit: Duration::from_micros(1),
            spread: 4,
        };
        let units: Vec<u64> = (0..8).map(|i| shape.units(i)).collect();
        assert_eq!(units[0], 4);
        assert!(units.iter().all(|&u| (1..=4).contains(&u)));
        assert!(units.contains(&1) && units.contains(&2) && units.contains(&3));
        assert_eq!(shape.total_units(), units.iter().sum::<u64>());
    }

    #[test]
    fn every_variant_collects_every_result_once() {
        for variant in FUTURES_VARIANTS.iter().map(|info| info.name) {
            let mut trial = build(&context(variant, 6)).expect("builds");
            trial.begin_measurement();
            let sample = trial.run(3).expect("runs");
            assert_eq!(sample.ops, 18, "{variant}");
            trial.verify().expect("every result arrived");
            let latency = trial.latency().expect("arrivals recorded");
            assert_eq!(latency.count, 18, "{variant}");
            let measured = Measured {
                samples: &[sample],
                median_ns_per_op: 1.0,
                resources: &Default::default(),
            };
            let metrics = trial.metrics(&measured);
            assert!(metrics["first_result_ns"] <= metrics["all_results_ns"]);
        }
    }

    #[test]
    fn in_order_variants_hand_back_results_in_submission_order() {
        for variant in [Futures::HandlesInOrder, Futures::RayonInOrder].map(Futures::name) {
            let trial = futures_trial(&context(variant, 7)).expect("builds");
            let arrivals = trial.round(0).expect("a round");
            let order: Vec<u64> = arrivals.iter().map(|(result, _)| result.index).collect();
            assert_eq!(order, (0..7).collect::<Vec<_>>(), "{variant}");
            let times: Vec<u64> = arrivals.iter().map(|&(_, at)| at).collect();
            assert!(times.is_sorted(), "{variant}: arrival times never go back");
        }
    }

    #[test]
    fn a_missing_result_fails_verification() {
        let mut trial = futures_trial(&context(Futures::RayonInOrder.name(), 2)).expect("builds");
        trial.run(1).expect("runs");
        trial.verify().expect("an honest round verifies");
        trial.rounds += 1;
        let error = trial.verify().unwrap_err().to_string();
        assert!(error.contains("2 of 4 results"), "{error}");
        trial.problem = Some("round 1: no result from task 0".into());
        let error = trial.verify().unwrap_err().to_string();
        assert!(error.contains("no result from task 0"), "{error}");
    }
}
