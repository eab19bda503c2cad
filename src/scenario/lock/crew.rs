//! Long-lived worker threads for the lock family. They start in `build()`
//! (untimed) and wait at a gate; each sample releases them for a batch of
//! operations, they meet at a start line (spinning, then yielding) so that
//! all begin together, and the batch is timed from the first thread's start
//! to the last thread's finish. Thread start-up and the wake-ups of the gate
//! stay outside the timing, as they do in a bare loop. With `pinned_cores`
//! the threads run all on one CPU or alternately on two. The workers run one
//! generic `Workload`, so the per-operation loop is monomorphised for each
//! lock type.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::Instant;

use anyhow::{Context, bail};
use crossbeam::utils::{Backoff, CachePadded};
use parking_lot::{Condvar, Mutex, MutexGuard};

use super::work::SEED;
use crate::model::latency::Recorder;
use crate::model::placement::{Placement, cpu_of_worker, spawn_pinned};
use crate::scenario::CancelToken;

/// What one thread did, kept across batches; only that thread touches it
/// while a batch runs.
#[derive(Debug)]
pub struct Tally {
    /// Operations in the last batch (for fairness).
    pub batch_ops: u64,
    /// Operations in all batches.
    pub total_ops: u64,
    pub reads: u64,
    pub writes: u64,
    /// Reads that saw a half-written state (must stay 0).
    pub torn_reads: u64,
    /// Work state the thread advances outside any lock (atomic, sharded).
    pub scratch: u64,
    /// The thread's random state (read/write mix).
    pub rng: u64,
    /// Sampled acquire latencies.
    pub recorder: Recorder,
    /// When this thread started and finished its last batch.
    began: Instant,
    ended: Instant,
}

impl Tally {
    fn new(index: usize) -> Tally {
        Tally {
            batch_ops: 0,
            total_ops: 0,
            reads: 0,
            writes: 0,
            torn_reads: 0,
            scratch: SEED,
            rng: (SEED ^ (index as u64 + 1).wrapping_mul(0xA076_1D64_78BD_642F)) | 1,
            recorder: Recorder::new(),
            began: Instant::now(),
            ended: Instant::now(),
        }
    }

    /// Count a batch's operations.
    pub fn finish_batch(&mut self, ops: u64) {
        self.batch_ops = ops;
        self.total_ops += ops;
    }
}

/// The work a crew runs: every thread calls `run_batch` once per batch.
pub trait Workload: Send + Sync + 'static {
    /// Main thread, before a batch: allow `budget` more operations in all.
    fn begin_batch(&self, budget: u64);

    /// Thread `index`: do operations until the batch's budget is used up
    /// (or `cancel` is raised), recording into `tally`.
    fn run_batch(&self, index: usize, tally: &mut Tally, cancel: &CancelToken);

    /// After all batches: prove that `ops` operations in `batches` batches
    /// really happened, from the shared state and the threads' tallies.
    fn verify(&self, tallies: &[&Tally], ops: u64, batches: u64) -> anyhow::Result<()>;

    /// Figures of this workload for the point's metrics.
    fn metrics(&self, _tallies: &[&Tally]) -> Vec<(&'static str, f64)> {
        Vec::new()
    }
}

/// A batch's budget handed out in chunks from one shared counter, for
/// workloads whose operations leave no shared count to stop at (sharded
/// slots, read locks): one shared increment per `CHUNK` operations.
#[derive(Debug, Default)]
pub struct Claims {
    next: CachePadded<AtomicU64>,
    limit: AtomicU64,
}

impl Claims {
    pub const CHUNK: u64 = 256;

    /// Main thread, before a batch (the gate orders it before the workers).
    pub fn begin(&self, budget: u64) {
        let start = self.next.load(Ordering::Relaxed);
        self.limit.store(start + budget, Ordering::Relaxed);
    }

    /// How many operations the caller may do next; 0 when the batch's
    /// budget is used up.
    #[inline]
    pub fn claim(&self) -> u64 {
        let limit = self.limit.load(Ordering::Relaxed);
        let first = self.next.fetch_add(Self::CHUNK, Ordering::Relaxed);
        limit.saturating_sub(first).min(Self::CHUNK)
    }
}

struct Gate {
    /// Bumped to release the workers for a batch.
    generation: u64,
    /// Workers still busy with the current batch.
    running: usize,
    stop: bool,
    failure: Option<String>,
}

struct Shared<W> {
    work: W,
    gate: Mutex<Gate>,
    go: Condvar,
    finished: Condvar,
    tallies: Vec<CachePadded<Mutex<Tally>>>,
    /// Threads at the start line of the current batch.
    arrived: CachePadded<AtomicUsize>,
    cancel: CancelToken,
}

/// `threads` workers waiting at a gate.
pub struct Crew<W: Workload> {
    shared: Arc<Shared<W>>,
    handles: Vec<JoinHandle<()>>,
}

impl<W: Workload> Crew<W> {
    /// Start the threads (untimed), each pinned as `placement` says for its
    /// index. On failure the ones started are stopped.
    pub fn start(
        work: W,
        threads: usize,
        cancel: CancelToken,
        placement: Placement,
    ) -> anyhow::Result<Self> {
        let shared = Arc::new(Shared {
            work,
            gate: Mutex::new(Gate {
                generation: 0,
                running: 0,
                stop: false,
                failure: None,
            }),
            go: Condvar::new(),
            finished: Condvar::new(),
            tallies: (0..threads)
                .map(|i| CachePadded::new(Mutex::new(Tally::new(i))))
                .collect(),
            arrived: CachePadded::new(AtomicUsize::new(0)),
            cancel,
        });
        let mut crew = Crew {
            shared,
            handles: Vec::with_capacity(threads),
        };
        for index in 0..threads {
            let shared = Arc::clone(&crew.shared);
            let builder = std::thread::Builder::new().name(format!("lock-worker-{index}"));
            let cpu = cpu_of_worker(placement, index);
            let (handle, _) = spawn_pinned(builder, cpu, move || worker(&shared, index))
                .with_context(|| format!("starting lock worker thread {index} of {threads}"))?;
            crew.handles.push(handle);
        }
        Ok(crew)
    }

    /// Release every thread for a batch of `budget` operations and wait for
    /// all of them; returns the nanoseconds from the first thread's start to
    /// the last thread's finish.
    pub fn batch(&self, budget: u64) -> anyhow::Result<u64> {
        let shared = &self.shared;
        shared.work.begin_batch(budget);
        let mut gate = shared.gate.lock();
        shared.arrived.store(0, Ordering::Relaxed);
        gate.generation += 1;
        gate.running = self.handles.len();
        shared.go.notify_all();
        while gate.running > 0 {
            shared.finished.wait(&mut gate);
        }
        if let Some(failure) = gate.failure.take() {
            bail!("a lock worker thread failed: {failure}");
        }
        drop(gate);
        if shared.cancel.is_cancelled() {
            bail!("cancelled by the watchdog");
        }
        let tallies = self.tallies();
        let began = tallies.iter().map(|t| t.began).min();
        let ended = tallies.iter().map(|t| t.ended).max();
        Ok(match (began, ended) {
            (Some(began), Some(ended)) => ended.saturating_duration_since(began).as_nanos() as u64,
            _ => 0,
        })
    }

    pub fn work(&self) -> &W {
        &self.shared.work
    }

    /// Every thread's tally (the threads are idle between batches).
    pub fn tallies(&self) -> Vec<MutexGuard<'_, Tally>> {
        self.shared.tallies.iter().map(|t| t.lock()).collect()
    }
}

/// A worker: wait for a batch, run it, report, repeat until stopped.
fn worker<W: Workload>(shared: &Shared<W>, index: usize) {
    let mut seen = 0;
    loop {
        {
            let mut gate = shared.gate.lock();
            while gate.generation == seen && !gate.stop {
                shared.go.wait(&mut gate);
            }
            if gate.stop {
                return;
            }
            seen = gate.generation;
        }
        start_line(shared);
        let outcome = {
            let mut tally = shared.tallies[index].lock();
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                tally.began = Instant::now();
                shared.work.run_batch(index, &mut tally, &shared.cancel);
                tally.ended = Instant::now();
            }))
        };
        let mut gate = shared.gate.lock();
        if let Err(payload) = outcome {
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "panic with a non-string payload".into());
            gate.failure.get_or_insert(message);
        }
        gate.running -= 1;
        if gate.running == 0 {
            shared.finished.notify_one();
        }
    }
}

/// Wait until every thread of the crew has been woken for this batch, so
/// that none starts its operations alone.
fn start_line<W>(shared: &Shared<W>) {
    let threads = shared.tallies.len();
    shared.arrived.fetch_add(1, Ordering::AcqRel);
    let backoff = Backoff::new();
    while shared.arrived.load(Ordering::Acquire) < threads && !shared.cancel.is_cancelled() {
        backoff.snooze();
    }
}

impl<W: Workload> Drop for Crew<W> {
    /// Stop and join the workers (they are idle at the gate).
    fn drop(&mut self) {
        self.shared.gate.lock().stop = true;
        self.shared.go.notify_all();
        for handle in self.handles.drain(..) {
            let _ = handle.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each thread takes ops one at a time from a shared budget.
    struct Take {
        left: AtomicU64,
        done: AtomicU64,
        panics: usize,
    }

    fn take(panics: usize) -> Take {
        Take {
            left: AtomicU64::new(0),
            done: AtomicU64::new(0),
            panics,
        }
    }

    impl Workload for Take {
        fn begin_batch(&self, budget: u64) {
            self.left.store(budget, Ordering::Relaxed);
        }

        fn run_batch(&self, index: usize, tally: &mut Tally, _cancel: &CancelToken) {
            assert_ne!(index, self.panics, "panics become failures");
            let mut mine = 0;
            while self
                .left
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
                .is_ok()
            {
                mine += 1;
            }
            self.done.fetch_add(mine, Ordering::Relaxed);
            tally.finish_batch(mine);
        }

        fn verify(&self, _: &[&Tally], ops: u64, _: u64) -> anyhow::Result<()> {
            anyhow::ensure!(self.done.load(Ordering::Relaxed) == ops);
            Ok(())
        }
    }

    #[test]
    fn every_batch_is_shared_out_and_counted() {
        let crew = Crew::start(
            take(usize::MAX),
            3,
            CancelToken::default(),
            Placement::UNPINNED,
        )
        .expect("starts");
        for _ in 0..5 {
            crew.batch(1000).expect("a batch");
        }
        let tallies = crew.tallies();
        let total: u64 = tallies.iter().map(|t| t.total_ops).sum();
        assert_eq!(total, 5000);
        let refs: Vec<&Tally> = tallies.iter().map(|t| &**t).collect();
        crew.work().verify(&refs, 5000, 5).expect("all done");
    }

    #[test]
    fn claims_hand_out_exactly_the_budget_in_chunks() {
        let claims = Claims::default();
        for budget in [1, Claims::CHUNK, 1000] {
            claims.begin(budget);
            let mut total = 0;
            loop {
                match claims.claim() {
                    0 => break,
                    n => total += n,
                }
            }
            assert_eq!(total, budget);
            assert_eq!(claims.claim(), 0, "stays used up");
        }
    }

    #[test]
    fn a_panicking_worker_fails_the_batch_without_hanging() {
        let crew =
            Crew::start(take(1), 2, CancelToken::default(), Placement::UNPINNED).expect("starts");
        let error = crew.batch(10).expect_err("thread 1 panics");
        assert!(
            error.to_string().contains("panics become failures"),
            "{error}"
        );
    }
}
