//! `pattern.worker_pool`: N tasks per round submitted one by one to a pool
//! of W long-lived workers, each task spinning for task_us and sending its
//! result back; the round ends when all N results are in. The hand-written
//! Mutex<VecDeque> + Condvar pool against the same pool on a crossbeam
//! channel and against rayon's work-stealing pool.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};

use super::condvar_pool::{CondvarPool, Job};
use super::work::{self, TaskResult};
use crate::scenario::{CancelToken, Measured, Trial, TrialContext};
use crate::vocab::Sample;

crate::variant_table! {
    /// `pattern.worker_pool`'s variants.
    pub enum WorkerPool in WORKER_POOL_VARIANTS {
        CondvarQueuePool = "condvar_queue_pool", [Thread], "hand-written pool: Mutex<VecDeque> + Condvar job queue (the tutorials' design)";
        CrossbeamChannelPool = "crossbeam_channel_pool", [Thread], "the same pool with a crossbeam unbounded channel as job queue";
        Rayon = "rayon", [Pool], "rayon ThreadPool::spawn of W threads (work stealing)";
    }
}

/// The same long-lived worker loop as the condvar pool, on a crossbeam
/// channel: what the queue alone costs.
struct ChannelPool {
    jobs: Option<crossbeam::channel::Sender<Job>>,
    workers: Vec<std::thread::JoinHandle<()>>,
}

impl ChannelPool {
    fn new(workers: usize) -> anyhow::Result<Self> {
        let (sender, receiver) = crossbeam::channel::unbounded::<Job>();
        let mut pool = ChannelPool {
            jobs: Some(sender),
            workers: Vec::with_capacity(workers),
        };
        for index in 0..workers {
            let receiver = receiver.clone();
            pool.workers
                .push(work::spawn_thread(format!("pool-{index}"), move || {
                    for job in receiver.iter() {
                        job();
                    }
                })?);
        }
        Ok(pool)
    }
}

impl Drop for ChannelPool {
    /// Closing the channel ends every worker once the queue is empty.
    fn drop(&mut self) {
        self.jobs = None;
        for worker in self.workers.drain(..) {
            let _ = worker.join();
        }
    }
}

enum Pool {
    Condvar(CondvarPool),
    Channel(ChannelPool),
    Rayon(rayon::ThreadPool),
}

impl Pool {
    fn execute(&self, job: impl FnOnce() + Send + 'static) -> anyhow::Result<()> {
        match self {
            Pool::Condvar(pool) => pool.execute(Box::new(job)),
            Pool::Channel(pool) => {
                let sent = pool.jobs.as_ref().map(|jobs| jobs.send(Box::new(job)));
                ensure!(matches!(sent, Some(Ok(()))), "the pool's queue is closed");
            }
            Pool::Rayon(pool) => pool.spawn(job),
        }
        Ok(())
    }
}

pub fn build(context: &TrialContext) -> anyhow::Result<Box<dyn Trial>> {
    Ok(Box::new(pool_trial(context)?))
}

fn pool_trial(context: &TrialContext) -> anyhow::Result<PoolTrial> {
    let workers = context.params.get("workers")? as usize;
    let tasks = context.params.get("tasks")?;
    let task = Duration::from_micros(context.params.get("task_us")?);
    ensure!(workers >= 1, "a pool needs at least 1 worker");
    ensure!(tasks >= 1, "a round needs at least 1 task");
    let pool = match WorkerPool::of(context.variant)? {
        WorkerPool::CondvarQueuePool => Pool::Condvar(CondvarPool::new(workers)?),
        WorkerPool::CrossbeamChannelPool => Pool::Channel(ChannelPool::new(workers)?),
        WorkerPool::Rayon => Pool::Rayon(
            rayon::ThreadPoolBuilder::new()
                .num_threads(workers)
                .stack_size(work::THREAD_STACK)
                .build()
                .context("starting a rayon pool")?,
        ),
    };
    let (results_sender, results) = crossbeam::channel::unbounded();
    Ok(PoolTrial {
        pool,
        workers,
        tasks,
        task,
        results_sender,
        results,
        cancel: context.cancel.clone(),
        rounds: 0,
        collected: 0,
        problem: None,
    })
}

struct PoolTrial {
    pool: Pool,
    workers: usize,
    tasks: u64,
    task: Duration,
    results_sender: crossbeam::channel::Sender<TaskResult>,
    results: crossbeam::channel::Receiver<TaskResult>,
    cancel: CancelToken,
    rounds: u64,
    /// Results that arrived once each with the right value.
    collected: u64,
    problem: Option<String>,
}

impl PoolTrial {
    /// Submit one round's tasks, then wait for all their results.
    fn round(&self, round: u64) -> anyhow::Result<Vec<TaskResult>> {
        for index in 0..self.tasks {
            let (sender, length) = (self.results_sender.clone(), self.task);
            self.pool.execute(move || {
                let spun = work::spin(length);
                let _ = sender.send(TaskResult::new(index, round, spun));
            })?;
        }
        (0..self.tasks)
            .map(|_| work::receive(&self.results, &self.cancel, "a task's result"))
            .collect()
    }
}

impl Trial for PoolTrial {
    fn run(&mut self, rounds: u64) -> anyhow::Result<Sample> {
        let mut ns = 0;
        for _ in 0..rounds {
            let round = self.rounds;
            self.rounds += 1;
            let started = Instant::now();
            let results = self.round(round)?;
            ns += started.elapsed().as_nanos() as u64;
            let length = self.task;
            self.collected +=
                work::check_results(round, self.tasks, |_| length, results, &mut self.problem);
        }
        Ok(Sample {
            ops: rounds * self.tasks,
            ns,
        })
    }

    fn verify(&mut self) -> anyhow::Result<()> {
        if let Some(problem) = &self.problem {
            bail!("{problem}");
        }
        let expected = self.rounds * self.tasks;
        ensure!(
            self.collected == expected,
            "{} of {expected} task results were collected",
            self.collected
        );
        Ok(())
    }

    /// Against the ideal: task time spread over the workers that can run
    /// at once (no more than the cores).
    fn metrics(&self, measured: &Measured<'_>) -> BTreeMap<String, f64> {
        let parallel = self.workers.min(work::cores()).max(1) as f64;
        let ideal = self.task.as_nanos() as f64 / parallel;
        if ideal <= 0.0 {
            return BTreeMap::new();
        }
        BTreeMap::from([
            ("ideal_ns_per_task".to_string(), ideal),
            ("vs_ideal".to_string(), measured.median_ns_per_op / ideal),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Progress;
    use crate::vocab::{Model, Params};

    fn context(variant: &'static str, task_us: u64) -> TrialContext {
        TrialContext {
            variant,
            model: Model::Thread,
            params: Params(
                [
                    ("workers".into(), 3),
                    ("tasks".into(), 20),
                    ("task_us".into(), task_us),
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
    fn every_pool_runs_every_task_once() {
        for variant in WORKER_POOL_VARIANTS.iter().map(|info| info.name) {
            for task_us in [0, 5] {
                let mut trial = build(&context(variant, task_us)).expect("builds");
                let sample = trial.run(3).expect("runs");
                assert_eq!(sample.ops, 60, "{variant}");
                trial.verify().expect("every result arrived");
            }
        }
    }

    #[test]
    fn a_lost_or_doubled_result_fails_verification() {
        let mut trial =
            pool_trial(&context(WorkerPool::CondvarQueuePool.name(), 0)).expect("builds");
        trial.run(1).expect("runs");
        trial.verify().expect("an honest round verifies");
        trial.rounds += 1;
        let error = trial.verify().unwrap_err().to_string();
        assert!(error.contains("20 of 40 task results"), "{error}");

        trial.problem = Some("round 1: result of task 18 was duplicated".into());
        let error = trial.verify().unwrap_err().to_string();
        assert!(error.contains("task 18"), "{error}");
    }
}
