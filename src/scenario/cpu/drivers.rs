//! How one round's chunks get computed under each model: on the calling
//! thread, on k fresh threads, on a rayon pool, in tokio tasks (multi-thread,
//! spawn_blocking, or the current-thread mistake), and in child processes
//! (see `processes`). Every driver returns the round's `Tally`.

use anyhow::Context;
use rayon::prelude::*;

use super::processes::{ProcessPool, ProcessRounds};
use super::table::Split;
use super::work::{Job, Tally, share};
use crate::scenario::TrialContext;

/// A variant's machinery, set up once per point (untimed).
pub enum Driver {
    Serial,
    StdThread,
    Rayon(rayon::ThreadPool),
    /// Multi-thread runtime with k workers, one task per share.
    Tokio(tokio::runtime::Runtime),
    /// Current-thread runtime, one spawn_blocking per share on k blocking threads.
    TokioBlocking(tokio::runtime::Runtime),
    /// Current-thread runtime running every share as a task: one core.
    TokioCurrentThread(tokio::runtime::Runtime),
    Process(ProcessRounds),
    ProcessPool(ProcessPool),
}

impl Driver {
    /// Set up the context's variant for `job`.
    pub fn new(context: &TrialContext, job: &Job) -> anyhow::Result<Driver> {
        let k = job.workers as usize;
        Ok(match Split::of(context.variant)? {
            Split::Serial => Driver::Serial,
            Split::StdThread => Driver::StdThread,
            Split::Rayon => Driver::Rayon(
                rayon::ThreadPoolBuilder::new()
                    .num_threads(k)
                    .build()
                    .context("building a rayon pool")?,
            ),
            Split::Tokio => Driver::Tokio(
                tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(k)
                    .build()
                    .context("building a multi-thread tokio runtime")?,
            ),
            Split::TokioBlocking => Driver::TokioBlocking(
                tokio::runtime::Builder::new_current_thread()
                    .max_blocking_threads(k)
                    .build()
                    .context("building a tokio runtime")?,
            ),
            Split::TokioCurrentThread => Driver::TokioCurrentThread(
                tokio::runtime::Builder::new_current_thread()
                    .build()
                    .context("building a current-thread tokio runtime")?,
            ),
            Split::Process => Driver::Process(ProcessRounds::new(&context.worker_binary)),
            Split::ProcessPool => {
                Driver::ProcessPool(ProcessPool::start(&context.worker_binary, job)?)
            }
        })
    }

    /// Compute one round and return its tally.
    pub fn round(&mut self, job: &Job) -> anyhow::Result<Tally> {
        match self {
            Driver::Serial => Ok(Tally::of_range(0..job.chunks, job.points, &job.cancel)),
            Driver::StdThread => std_threads(job),
            Driver::Rayon(pool) => Ok(pool.install(|| {
                (0..job.chunks)
                    .into_par_iter()
                    .map(|index| Tally::of_range(index..index + 1, job.points, &job.cancel))
                    .reduce(Tally::default, |a, b| a + b)
            })),
            Driver::Tokio(runtime) | Driver::TokioCurrentThread(runtime) => {
                runtime.block_on(tokio_tasks(job))
            }
            Driver::TokioBlocking(runtime) => runtime.block_on(blocking_tasks(job)),
            Driver::Process(rounds) => rounds.round(job),
            Driver::ProcessPool(pool) => pool.round(job),
        }
    }

    /// CPU time of long-lived children (the process pool), which rusage of
    /// this process cannot see until they are reaped.
    pub fn live_children_cpu_ns(&self) -> u64 {
        match self {
            Driver::ProcessPool(pool) => pool.cpu_ns(),
            _ => 0,
        }
    }
}

/// k scoped threads, one per share, joined before the round ends.
fn std_threads(job: &Job) -> anyhow::Result<Tally> {
    std::thread::scope(|scope| {
        let mut handles = Vec::with_capacity(job.workers as usize);
        for worker in 0..job.workers {
            let handle = std::thread::Builder::new()
                .spawn_scoped(scope, move || job.share_tally(worker))
                .context("std::thread::spawn")?;
            handles.push(handle);
        }
        let mut tally = Tally::default();
        for handle in handles {
            let part = handle
                .join()
                .map_err(|_| anyhow::anyhow!("a worker thread panicked"))?;
            tally = tally + part;
        }
        Ok(tally)
    })
}

/// One tokio task per share, yielding after each chunk so the tasks of a
/// runtime take turns; on a current-thread runtime they all share one core.
async fn tokio_tasks(job: &Job) -> anyhow::Result<Tally> {
    let mut tasks = Vec::with_capacity(job.workers as usize);
    for worker in 0..job.workers {
        let job = job.clone();
        tasks.push(tokio::spawn(async move {
            let mut tally = Tally::default();
            for index in share(job.chunks, job.workers, worker) {
                tally = tally + Tally::of_range(index..index + 1, job.points, &job.cancel);
                tokio::task::yield_now().await;
            }
            tally
        }));
    }
    let mut tally = Tally::default();
    for task in tasks {
        tally = tally + task.await.context("a tokio task failed")?;
    }
    Ok(tally)
}

/// One spawn_blocking call per share, on the runtime's k blocking threads.
async fn blocking_tasks(job: &Job) -> anyhow::Result<Tally> {
    let mut tasks = Vec::with_capacity(job.workers as usize);
    for worker in 0..job.workers {
        let job = job.clone();
        tasks.push(tokio::task::spawn_blocking(move || job.share_tally(worker)));
    }
    let mut tally = Tally::default();
    for task in tasks {
        tally = tally + task.await.context("a blocking task failed")?;
    }
    Ok(tally)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::CancelToken;
    use crate::vocab::{Model, Params};

    /// The in-process variants (the process ones need the built binary and
    /// are tested through the CLI).
    const IN_PROCESS: [Split; 6] = [
        Split::Serial,
        Split::StdThread,
        Split::Rayon,
        Split::Tokio,
        Split::TokioBlocking,
        Split::TokioCurrentThread,
    ];

    fn context(variant: &'static str) -> TrialContext {
        TrialContext {
            variant,
            model: Model::Thread,
            params: Params::default(),
            cancel: CancelToken::default(),
            progress: Default::default(),
            worker_binary: "concbench".into(),
            runtime: None,
        }
    }

    #[test]
    fn every_in_process_driver_gives_the_kept_tally() {
        // The serial driver is the reference the harness checks rounds
        // against: it is held to the value computed once and kept.
        let (_, _, expected) = super::super::work::kept_tallies()
            .into_iter()
            .find(|(range, points, _)| *range == (0..7) && *points == 300)
            .expect("chunks 0..7 of 300 points are kept");
        for workers in [1, 3, 9] {
            let job = Job {
                chunks: 7,
                points: 300,
                workers,
                cancel: CancelToken::default(),
            };
            for variant in IN_PROCESS {
                let mut driver =
                    Driver::new(&context(variant.name()), &job).expect("driver builds");
                for _ in 0..2 {
                    let tally = driver.round(&job).expect("a round");
                    assert_eq!(tally, expected, "{variant:?} with k={workers}");
                }
            }
        }
    }

    #[test]
    fn a_cancelled_round_comes_up_short() {
        let job = Job {
            chunks: 4,
            points: 100,
            workers: 2,
            cancel: CancelToken::default(),
        };
        job.cancel.cancel();
        for variant in IN_PROCESS {
            let mut driver = Driver::new(&context(variant.name()), &job).expect("driver builds");
            let tally = driver.round(&job).expect("a round");
            assert_eq!(tally.chunks, 0, "{variant:?} stopped");
        }
    }

    #[test]
    fn an_unknown_variant_is_an_error() {
        let job = Job {
            chunks: 1,
            points: 1,
            workers: 1,
            cancel: CancelToken::default(),
        };
        let error = Driver::new(&context("green_threads"), &job).err();
        assert!(error.is_some_and(|e| e.to_string().contains("green_threads")));
    }
}
