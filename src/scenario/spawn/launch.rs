//! Start N workers one way and await them all: the timed body of the spawn
//! family. Each worker proves it ran, and a sleeper that it slept its whole
//! time by the clock, by bumping a counter (shared memory for forked
//! children) or, for re-executed ones, by exiting 0 (the worker table's
//! `sleep` exits 0 only after a full sleep).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::{Context, bail};

use super::table::Start;
use crate::model::memory;
use crate::model::process::{SharedCounter, fork_child, slept_at_least, wait_exit_ok};
use crate::model::worker::{self, WorkerTask};
use crate::scenario::TrialContext;

/// How the workers are started, with whatever was set up for that.
enum Way {
    StdThread,
    ScopedThread,
    Rayon(rayon::ThreadPool),
    Tokio(tokio::runtime::Runtime),
    Fork(SharedCounter),
    Command(std::process::Command),
}

pub struct Launcher {
    way: Way,
    workers: usize,
    sleep: Option<Duration>,
    /// How long each worker really sleeps: `sleep`, except in the tests that
    /// cut sleeps short to show that verification catches it.
    nap: Option<Duration>,
    /// Workers that finished, having slept their full time if they sleep
    /// (in-process ways and `command`).
    counter: Arc<AtomicU64>,
    /// Workers that should have finished so far.
    expected: u64,
    threads: Vec<std::thread::JoinHandle<()>>,
    pids: Vec<nix::unistd::Pid>,
    children: Vec<std::process::Child>,
    /// Whether the next round reads what its child processes hold while
    /// they sleep (once: the first round, a warm-up one, never a sample).
    probe_memory: bool,
    /// What each child held of its own then, in bytes (see `model::memory`).
    held_per_child: Option<u64>,
}

impl Launcher {
    /// Set up (untimed) `way` of starting workers.
    pub fn new(
        context: &TrialContext,
        way: Start,
        workers: usize,
        sleep: Option<Duration>,
    ) -> anyhow::Result<Self> {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let way = match way {
            Start::StdThread => Way::StdThread,
            Start::ScopedThread => Way::ScopedThread,
            Start::Rayon => Way::Rayon(rayon::ThreadPoolBuilder::new().num_threads(cores).build()?),
            Start::Tokio => Way::Tokio(
                tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(cores)
                    .enable_time()
                    .build()?,
            ),
            Start::Fork => Way::Fork(SharedCounter::new()?),
            Start::Command => {
                let task = match sleep {
                    Some(d) => WorkerTask::Sleep {
                        ms: d.as_millis() as u64,
                    },
                    None => WorkerTask::Noop,
                };
                Way::Command(worker::command(&context.worker_binary, &task))
            }
        };
        // Only sleepers live long enough to be read; spawn.start's children
        // exit as soon as they start.
        let probe_memory = sleep.is_some() && matches!(way, Way::Fork(_) | Way::Command(_));
        Ok(Launcher {
            way,
            workers,
            sleep,
            nap: sleep,
            counter: Arc::new(AtomicU64::new(0)),
            expected: 0,
            threads: Vec::with_capacity(workers),
            pids: Vec::with_capacity(workers),
            children: Vec::with_capacity(workers),
            probe_memory,
            held_per_child: None,
        })
    }

    /// What each sleeping child process held of its own, read once while
    /// they slept: None for threads and tasks, for children too short-lived
    /// to read, and before the first round.
    pub fn held_per_child(&self) -> Option<u64> {
        self.held_per_child
    }

    /// Make every in-process and forked worker skip its sleep (tests).
    #[cfg(test)]
    pub fn cut_sleeps_short(&mut self) {
        self.nap = self.sleep.map(|_| Duration::ZERO);
    }

    pub fn is_process(&self) -> bool {
        matches!(self.way, Way::Fork(_) | Way::Command(_))
    }

    /// (workers that ran, workers started) over all rounds so far.
    pub fn counts(&self) -> (u64, u64) {
        let ran = match &self.way {
            Way::Fork(shared) => shared.get().load(Ordering::SeqCst),
            _ => self.counter.load(Ordering::SeqCst),
        };
        (ran, self.expected)
    }

    /// Start all workers and wait until every one has finished.
    pub fn round(&mut self) -> anyhow::Result<()> {
        self.expected += self.workers as u64;
        let (workers, counter) = (self.workers, &self.counter);
        let sleep = Sleep {
            wanted: self.sleep,
            nap: self.nap,
        };
        match &mut self.way {
            Way::StdThread => self.std_threads(),
            Way::ScopedThread => std::thread::scope(|scope| {
                // Each handle is joined, never dropped: a dropped handle
                // detaches its thread, and glibc's pthread_detach (2.36)
                // reads the thread's descriptor after marking it detached,
                // when a thread that was already exiting may have freed it
                // and its stack been unmapped. With 1000 threads a round the
                // stack cache is over its limit, so it is: a quick run
                // crashed there (SIGSEGV in pthread_detach, from a
                // discarded `scope.spawn` handle) on 2026-12-07.
                let handles: Vec<_> = (0..workers)
                    .map(|_| scope.spawn(|| worker_body(counter, sleep)))
                    .collect();
                handles.into_iter().try_for_each(|handle| {
                    handle
                        .join()
                        .map_err(|_| anyhow::anyhow!("a worker thread panicked"))
                })
            }),
            Way::Rayon(pool) => {
                pool.scope(|scope| {
                    for _ in 0..workers {
                        scope.spawn(|_| worker_body(counter, sleep));
                    }
                });
                Ok(())
            }
            Way::Tokio(runtime) => runtime.block_on(tokio_tasks(workers, sleep, counter)),
            Way::Fork(_) => self.forked_children(),
            Way::Command(_) => self.command_children(),
        }
    }

    fn std_threads(&mut self) -> anyhow::Result<()> {
        for _ in 0..self.workers {
            let counter = Arc::clone(&self.counter);
            let sleep = Sleep {
                wanted: self.sleep,
                nap: self.nap,
            };
            let handle = std::thread::Builder::new()
                .spawn(move || worker_body(&counter, sleep))
                .context("std::thread::spawn")?;
            self.threads.push(handle);
        }
        for handle in self.threads.drain(..) {
            handle
                .join()
                .map_err(|_| anyhow::anyhow!("a worker thread panicked"))?;
        }
        Ok(())
    }

    fn forked_children(&mut self) -> anyhow::Result<()> {
        let Way::Fork(shared) = &self.way else {
            bail!("not a fork launcher")
        };
        let (shared, wanted, nap) = (shared.get(), self.sleep, self.nap);
        for _ in 0..self.workers {
            self.pids.push(fork_child(|| {
                // Only clock_gettime, clock_nanosleep and an atomic here.
                let slept = match (wanted, nap) {
                    (Some(wanted), Some(nap)) => slept_at_least(wanted, nap),
                    _ => true,
                };
                if slept {
                    shared.fetch_add(1, Ordering::SeqCst);
                }
                0
            })?);
        }
        if std::mem::take(&mut self.probe_memory) {
            self.held_per_child = memory::held_per_child(&self.pids);
        }
        for pid in self.pids.drain(..) {
            wait_exit_ok(pid)?;
        }
        Ok(())
    }

    fn command_children(&mut self) -> anyhow::Result<()> {
        let Way::Command(command) = &mut self.way else {
            bail!("not a command launcher")
        };
        for _ in 0..self.workers {
            self.children
                .push(command.spawn().context("spawning a worker process")?);
        }
        if std::mem::take(&mut self.probe_memory) {
            let pids: Vec<nix::unistd::Pid> = self
                .children
                .iter()
                .map(|c| nix::unistd::Pid::from_raw(c.id() as i32))
                .collect();
            self.held_per_child = memory::held_per_child(&pids);
        }
        for mut child in self.children.drain(..) {
            let status = child.wait().context("waiting for a worker process")?;
            if !status.success() {
                bail!(
                    "worker process {} ended with {status}{}",
                    child.id(),
                    if self.sleep.is_some() {
                        " (a sleeper exits 0 only after its full sleep)"
                    } else {
                        ""
                    }
                );
            }
            self.counter.fetch_add(1, Ordering::Relaxed);
        }
        Ok(())
    }
}

/// Spawn `workers` tokio tasks and await every one.
async fn tokio_tasks(workers: usize, sleep: Sleep, counter: &Arc<AtomicU64>) -> anyhow::Result<()> {
    let mut tasks = Vec::with_capacity(workers);
    for _ in 0..workers {
        let counter = Arc::clone(counter);
        tasks.push(tokio::spawn(async move {
            let began = tokio::time::Instant::now();
            if let Some(nap) = sleep.nap {
                tokio::time::sleep(nap).await;
            }
            if sleep.wanted.is_none_or(|wanted| began.elapsed() >= wanted) {
                counter.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    for task in tasks {
        task.await.context("a tokio task failed")?;
    }
    Ok(())
}

/// A sleeper's time: what it must prove it slept, and what it sleeps.
#[derive(Debug, Clone, Copy)]
struct Sleep {
    wanted: Option<Duration>,
    nap: Option<Duration>,
}

/// What an in-process worker does: optionally sleep, then prove it ran (and
/// slept its whole time, by the clock).
fn worker_body(counter: &AtomicU64, sleep: Sleep) {
    let began = std::time::Instant::now();
    if let Some(nap) = sleep.nap {
        std::thread::sleep(nap);
    }
    if sleep.wanted.is_none_or(|wanted| began.elapsed() >= wanted) {
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

impl Drop for Launcher {
    /// After a failed round, leave no worker behind: join the threads that
    /// were started and kill and reap the children.
    fn drop(&mut self) {
        for handle in self.threads.drain(..) {
            let _ = handle.join();
        }
        for pid in self.pids.drain(..) {
            let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGKILL);
            let _ = nix::sys::wait::waitpid(pid, None);
        }
        for mut child in self.children.drain(..) {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
