//! `io.waits`: N tasks that each wait d ms, r times over, all at once, as
//! threads, tokio tasks and forked processes: the tutorials' "threads for IO,
//! coroutines for many waits". A round ends when every task has finished;
//! the ideal round lasts r x d, and what a model adds to that is its cost.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, ensure};
use nix::unistd::Pid;

use crate::model::process::{SharedCounter, fork_child, sleep_signal_safe, wait_exit_ok};
use crate::scenario::{Measured, Scenario, ScenarioInfo, Trial, TrialContext};
use crate::vocab::{Family, Model, ParamSpec, Params, Sample};

const TASKS: ParamSpec = ParamSpec {
    name: "tasks",
    default: 1000,
    min: 1,
    max: 100_000,
    help: "tasks waiting at the same time",
};

const WAIT_MS: ParamSpec = ParamSpec {
    name: "wait_ms",
    default: 10,
    min: 1,
    max: 10_000,
    help: "how long each wait lasts, in milliseconds",
};

const REPEATS: ParamSpec = ParamSpec {
    name: "repeats",
    default: 10,
    min: 1,
    max: 1000,
    help: "waits each task does one after another per round",
};

crate::variant_table! {
    /// `io.waits`'s variants.
    enum Wait in VARIANTS {
        StdThread = "std_thread", [Thread], "one std::thread per task, std::thread::sleep";
        Tokio = "tokio", [Async], "one tokio task per task on a multi-thread runtime, tokio::time::sleep";
        Fork = "fork", [Process], "one forked child per task, clock_nanosleep";
    }
}

/// `io.waits`: N concurrent tasks, each waiting d ms r times.
pub static WAITS: WaitsScenario = WaitsScenario {
    info: ScenarioInfo {
        id: "io.waits",
        family: Family::Io,
        summary: "N tasks that each wait d ms r times, all at once: wall time vs the ideal r x d",
        unit: "round",
        variants: VARIANTS,
        params: &[TASKS, WAIT_MS, REPEATS],
        throughput_vs: None,
    },
};

pub struct WaitsScenario {
    info: ScenarioInfo,
}

/// Operations in one round: the round itself, its N tasks waiting at once.
const OPS_PER_ROUND: u64 = 1;

impl Scenario for WaitsScenario {
    fn info(&self) -> &ScenarioInfo {
        &self.info
    }

    fn build(&self, context: &TrialContext) -> anyhow::Result<Box<dyn Trial>> {
        let waiters = match Wait::of(context.variant)? {
            Wait::StdThread => Waiters::Threads,
            Wait::Tokio => Waiters::Tokio(
                tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(super::machine::cores())
                    .enable_time()
                    .build()
                    .context("building the tokio runtime")?,
            ),
            Wait::Fork => Waiters::Fork(SharedCounter::new()?),
        };
        let tasks = context.params.get("tasks")?;
        super::machine::release_freed_memory();
        Ok(Box::new(WaitsTrial {
            waiters,
            tasks,
            wait: Duration::from_millis(context.params.get("wait_ms")?),
            repeats: context.params.get("repeats")?,
            full_waits: Arc::new(AtomicU64::new(0)),
            expected: 0,
            // After the runtime exists: what the tasks add is measured.
            baseline_rss: super::machine::rss_now(),
            threads: Vec::with_capacity(tasks as usize),
            pids: Vec::with_capacity(tasks as usize),
            held_per_child: None,
            probe_memory: true,
        }))
    }

    fn ops_per_round(&self, _params: &Params) -> anyhow::Result<Option<u64>> {
        Ok(Some(OPS_PER_ROUND))
    }

    fn check_limits(&self, model: Model, params: &Params) -> Result<(), String> {
        if !matches!(model, Model::Thread | Model::Process) {
            return Ok(());
        }
        let tasks = params.get("tasks").map_err(|e| e.to_string())?;
        super::machine::check_nproc(&format!("tasks={tasks}"), tasks)
    }
}

/// How the tasks run, with what was set up for that.
enum Waiters {
    Threads,
    Tokio(tokio::runtime::Runtime),
    /// Children bump this shared counter for each full wait.
    Fork(SharedCounter),
}

struct WaitsTrial {
    waiters: Waiters,
    tasks: u64,
    wait: Duration,
    repeats: u64,
    /// Waits that lasted at least `wait` (in-process models).
    full_waits: Arc<AtomicU64>,
    /// Waits started so far.
    expected: u64,
    /// Resident set before the first task: what per-task memory grows from.
    baseline_rss: u64,
    threads: Vec<std::thread::JoinHandle<()>>,
    pids: Vec<Pid>,
    /// What each forked waiter held of its own, read once while they waited
    /// in the first round (a warm-up one), in bytes (see `model::memory`).
    held_per_child: Option<u64>,
    probe_memory: bool,
}

impl WaitsTrial {
    fn round(&mut self) -> anyhow::Result<()> {
        self.expected += self.tasks * self.repeats;
        let (tasks, wait, repeats) = (self.tasks, self.wait, self.repeats);
        match &self.waiters {
            Waiters::Threads => self.thread_round(),
            Waiters::Tokio(runtime) => {
                runtime.block_on(tokio_round(tasks, wait, repeats, &self.full_waits))
            }
            Waiters::Fork(counter) => {
                let counter = counter.get();
                for _ in 0..tasks {
                    // Only clock_gettime, clock_nanosleep and an atomic in
                    // the child: all async-signal-safe.
                    self.pids.push(fork_child(|| {
                        for _ in 0..repeats {
                            if sleep_signal_safe(wait) {
                                counter.fetch_add(1, Ordering::SeqCst);
                            }
                        }
                        0
                    })?);
                }
                if std::mem::take(&mut self.probe_memory) {
                    self.held_per_child = crate::model::memory::held_per_child(&self.pids);
                }
                for pid in self.pids.drain(..) {
                    wait_exit_ok(pid).context("a waiting child failed")?;
                }
                Ok(())
            }
        }
    }

    fn thread_round(&mut self) -> anyhow::Result<()> {
        for _ in 0..self.tasks {
            let (full_waits, wait, repeats) =
                (Arc::clone(&self.full_waits), self.wait, self.repeats);
            let handle = std::thread::Builder::new()
                .spawn(move || {
                    for _ in 0..repeats {
                        let began = Instant::now();
                        std::thread::sleep(wait);
                        if began.elapsed() >= wait {
                            full_waits.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                })
                .context("std::thread::spawn")?;
            self.threads.push(handle);
        }
        for handle in self.threads.drain(..) {
            handle
                .join()
                .map_err(|_| anyhow::anyhow!("a waiting thread panicked"))?;
        }
        Ok(())
    }

    fn full_waits(&self) -> u64 {
        match &self.waiters {
            Waiters::Fork(counter) => counter.get().load(Ordering::SeqCst),
            _ => self.full_waits.load(Ordering::SeqCst),
        }
    }
}

/// One round of tokio tasks, each waiting `repeats` times; all awaited.
async fn tokio_round(
    tasks: u64,
    wait: Duration,
    repeats: u64,
    full_waits: &Arc<AtomicU64>,
) -> anyhow::Result<()> {
    let mut handles = Vec::with_capacity(tasks as usize);
    for _ in 0..tasks {
        let full_waits = Arc::clone(full_waits);
        handles.push(tokio::spawn(async move {
            for _ in 0..repeats {
                let began = tokio::time::Instant::now();
                tokio::time::sleep(wait).await;
                if began.elapsed() >= wait {
                    full_waits.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    for handle in handles {
        handle.await.context("a waiting tokio task failed")?;
    }
    Ok(())
}

impl Trial for WaitsTrial {
    fn run(&mut self, rounds: u64) -> anyhow::Result<Sample> {
        let started = Instant::now();
        for _ in 0..rounds {
            self.round()?;
        }
        Ok(Sample {
            ops: rounds * OPS_PER_ROUND,
            ns: started.elapsed().as_nanos() as u64,
        })
    }

    fn verify(&mut self) -> anyhow::Result<()> {
        let full = self.full_waits();
        ensure!(
            full == self.expected,
            "{full} of {} waits ran to completion and lasted the full {:?}",
            self.expected,
            self.wait
        );
        Ok(())
    }

    fn metrics(&self, measured: &Measured<'_>) -> BTreeMap<String, f64> {
        let resources = measured.resources;
        let tasks_run = (measured.total_ops() * self.tasks).max(1) as f64;
        let ideal = (self.wait.as_nanos() as u64 * self.repeats) as f64;
        let mut metrics = BTreeMap::from([
            ("ideal_ns".to_string(), ideal),
            (
                "wall_vs_ideal".to_string(),
                measured.median_ns_per_op / ideal,
            ),
            (
                "cpu_ns_per_task".to_string(),
                super::machine::cpu_ns(resources) as f64 / tasks_run,
            ),
        ]);
        if let Waiters::Fork(_) = self.waiters {
            if let Some(held) = self.held_per_child {
                metrics.insert("child_memory_per_task_bytes".into(), held as f64);
            }
        } else {
            let grown = resources.max_rss_bytes.saturating_sub(self.baseline_rss);
            metrics.insert(
                "rss_per_task_bytes".into(),
                grown as f64 / self.tasks as f64,
            );
        }
        metrics
    }
}

impl Drop for WaitsTrial {
    /// After a failed round, leave nothing behind: join the threads that
    /// were started, kill and reap the children.
    fn drop(&mut self) {
        for handle in self.threads.drain(..) {
            let _ = handle.join();
        }
        for pid in self.pids.drain(..) {
            let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGKILL);
            let _ = nix::sys::wait::waitpid(pid, None);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::CancelToken;

    fn trial(variant: &'static str, model: Model) -> Box<dyn Trial> {
        let params = [("tasks", 5), ("wait_ms", 2), ("repeats", 2)];
        let context = TrialContext {
            variant,
            model,
            params: Params(params.iter().map(|(k, v)| (k.to_string(), *v)).collect()),
            cancel: CancelToken::default(),
            progress: Default::default(),
            worker_binary: crate::model::worker::worker_binary(),
            runtime: None,
        };
        WAITS.build(&context).expect("trial builds")
    }

    #[test]
    fn every_model_waits_at_least_the_ideal_and_verifies() {
        for (variant, model) in [
            (Wait::StdThread, Model::Thread),
            (Wait::Tokio, Model::Async),
            (Wait::Fork, Model::Process),
        ] {
            let variant = variant.name();
            let mut trial = trial(variant, model);
            let sample = trial.run(2).expect("two rounds");
            assert_eq!(sample.ops, 2);
            assert!(sample.ns >= 2 * 2 * 2_000_000, "{variant}: {sample:?}");
            trial.verify().expect(variant);
        }
    }

    #[test]
    fn a_wait_that_did_not_happen_fails_verification() {
        let mut trial = WaitsTrial {
            waiters: Waiters::Threads,
            tasks: 2,
            wait: Duration::from_millis(1),
            repeats: 1,
            full_waits: Arc::new(AtomicU64::new(0)),
            expected: 0,
            baseline_rss: 0,
            threads: Vec::new(),
            pids: Vec::new(),
            held_per_child: None,
            probe_memory: false,
        };
        trial.run(1).expect("a round");
        trial.full_waits.fetch_sub(1, Ordering::SeqCst);
        let error = trial.verify().expect_err("one wait missing");
        assert!(error.to_string().contains("1 of 2 waits"), "{error}");
    }

    #[test]
    fn the_signal_safe_wait_reports_a_full_wait() {
        assert!(sleep_signal_safe(Duration::from_millis(1)));
    }
}
