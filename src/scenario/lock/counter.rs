//! `lock.counter` workloads: threads increment one counter until the batch's
//! budget is used up, so faster threads take more increments (which is what
//! the fairness figures measure). Behind a lock (std, parking_lot, spin,
//! re-entrant) the check against the budget, the increment and the work all
//! happen inside the critical section; `fetch_add` stops on the value it
//! returns; the sharded counter claims chunks of the budget and bumps its own
//! cache-padded slot, summed at the end. Without a lock (atomic, sharded) the
//! same work runs on thread-local state, outside any critical section.

use std::cell::Cell;
use std::sync::PoisonError;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use anyhow::ensure;
use crossbeam::utils::CachePadded;

use super::crew::{Claims, Tally, Workload};
use super::spin::SpinLock;
use super::work::{SEED, Shape, jump, work};
use crate::scenario::CancelToken;

/// What the lock protects: the counter and the critical section's work state.
#[derive(Debug, Clone, Copy)]
pub struct State {
    count: u64,
    scratch: u64,
}

const START: State = State {
    count: 0,
    scratch: SEED,
};

/// A lock around a `State`: the one thing the counter loop is generic over.
pub trait Protect: Send + Sync + 'static {
    fn new(state: State) -> Self;

    /// Run `f` on the state with the lock held.
    fn locked<R>(&self, f: impl FnOnce(&mut State) -> R) -> R;
}

impl Protect for std::sync::Mutex<State> {
    fn new(state: State) -> Self {
        std::sync::Mutex::new(state)
    }

    #[inline]
    fn locked<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        f(&mut self.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

impl Protect for parking_lot::Mutex<State> {
    fn new(state: State) -> Self {
        parking_lot::Mutex::new(state)
    }

    #[inline]
    fn locked<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        f(&mut self.lock())
    }
}

impl Protect for SpinLock<State> {
    fn new(state: State) -> Self {
        SpinLock::new(state)
    }

    #[inline]
    fn locked<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        self.with(f)
    }
}

/// A re-entrant lock hands out shared references only, so the state sits
/// in a `Cell`: copied out, changed, copied back, all under the lock.
impl Protect for parking_lot::ReentrantMutex<Cell<State>> {
    fn new(state: State) -> Self {
        parking_lot::ReentrantMutex::new(Cell::new(state))
    }

    #[inline]
    fn locked<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        let held = self.lock();
        let mut state = held.get();
        let result = f(&mut state);
        held.set(state);
        result
    }
}

/// The whole critical section: one increment and its work, if the budget
/// (the counter value to stop at) allows.
#[inline(always)]
fn step(state: &mut State, limit: u64, iters: u64) -> bool {
    if state.count >= limit {
        return false;
    }
    state.count += 1;
    state.scratch = work(state.scratch, iters);
    true
}

/// A counter behind the lock `L`.
pub struct LockedCounter<L> {
    lock: CachePadded<L>,
    /// The counter value at which the current batch ends.
    limit: AtomicU64,
    shape: Shape,
}

impl<L: Protect> LockedCounter<L> {
    pub fn new(shape: Shape) -> Self {
        LockedCounter {
            lock: CachePadded::new(L::new(START)),
            limit: AtomicU64::new(0),
            shape,
        }
    }

    /// One critical section with its acquire timed; false once the budget
    /// is used up.
    #[inline(never)]
    fn timed_step(&self, limit: u64, iters: u64, tally: &mut Tally) -> bool {
        let asked = Instant::now();
        let (acquired, stepped) = self
            .lock
            .locked(|state| (Instant::now(), step(state, limit, iters)));
        tally.recorder.record(nanos_between(asked, acquired));
        stepped
    }

    /// Up to `count` untimed critical sections; returns how many were done
    /// (fewer once the budget is used up).
    #[inline(always)]
    fn untimed_steps(&self, limit: u64, iters: u64, count: u64) -> u64 {
        let mut done = 0;
        while done < count && self.lock.locked(|state| step(state, limit, iters)) {
            done += 1;
        }
        done
    }
}

impl<L: Protect> Workload for LockedCounter<L> {
    fn begin_batch(&self, budget: u64) {
        self.limit.fetch_add(budget, Ordering::Relaxed);
    }

    /// Operations come in runs of `sample_mask + 1`: the first one timed
    /// (kept out of line), the rest in a loop with nothing else in it, so
    /// that the hot loop holds its few values in registers as a bare loop
    /// does.
    fn run_batch(&self, _index: usize, tally: &mut Tally, cancel: &CancelToken) {
        let limit = self.limit.load(Ordering::Relaxed);
        let Shape { iters, sample_mask } = self.shape;
        let mut mine = 0u64;
        while !cancel.is_cancelled() && self.timed_step(limit, iters, tally) {
            mine += 1;
            let untimed = self.untimed_steps(limit, iters, sample_mask);
            mine += untimed;
            if untimed < sample_mask {
                break;
            }
        }
        tally.finish_batch(mine);
    }

    fn verify(&self, tallies: &[&Tally], ops: u64, _batches: u64) -> anyhow::Result<()> {
        let state = self.lock.locked(|state| *state);
        ensure!(
            state.count == ops,
            "the counter reads {} after {ops} increments",
            state.count
        );
        ensure_counted(tallies, ops)?;
        ensure!(
            state.scratch == jump(SEED, ops.wrapping_mul(self.shape.iters)),
            "the work state inside the lock is not what {ops} critical sections of {} steps give: updates were lost",
            self.shape.iters
        );
        Ok(())
    }
}

/// One `AtomicU64` incremented with `fetch_add`.
pub struct AtomicCounter {
    counter: CachePadded<AtomicU64>,
    limit: AtomicU64,
    threads: u64,
    shape: Shape,
}

impl AtomicCounter {
    pub fn new(threads: u64, shape: Shape) -> Self {
        AtomicCounter {
            counter: CachePadded::new(AtomicU64::new(0)),
            limit: AtomicU64::new(0),
            threads,
            shape,
        }
    }
}

impl Workload for AtomicCounter {
    fn begin_batch(&self, budget: u64) {
        let now = self.counter.load(Ordering::Relaxed);
        self.limit.store(now + budget, Ordering::Relaxed);
    }

    fn run_batch(&self, _index: usize, tally: &mut Tally, cancel: &CancelToken) {
        let limit = self.limit.load(Ordering::Relaxed);
        let Shape { iters, sample_mask } = self.shape;
        let (mut mine, mut scratch) = (0u64, tally.scratch);
        loop {
            let before = if mine & sample_mask == 0 {
                if cancel.is_cancelled() {
                    break;
                }
                let asked = Instant::now();
                let before = self.counter.fetch_add(1, Ordering::Relaxed);
                tally.recorder.record(nanos_between(asked, Instant::now()));
                before
            } else {
                self.counter.fetch_add(1, Ordering::Relaxed)
            };
            if before >= limit {
                break;
            }
            mine += 1;
            scratch = work(scratch, iters);
        }
        tally.scratch = scratch;
        tally.finish_batch(mine);
    }

    fn verify(&self, tallies: &[&Tally], ops: u64, batches: u64) -> anyhow::Result<()> {
        // Each thread ends each batch with one increment past the budget.
        let refused = self.threads * batches;
        let count = self.counter.load(Ordering::Relaxed);
        ensure!(
            count == ops + refused,
            "the counter reads {count} after {ops} increments and {refused} past the budget"
        );
        ensure_counted(tallies, ops)?;
        ensure_local_work(tallies, self.shape.iters)
    }
}

/// One cache-padded slot per thread, written only by its thread.
pub struct ShardedCounter {
    slots: Vec<CachePadded<AtomicU64>>,
    claims: Claims,
    shape: Shape,
}

impl ShardedCounter {
    pub fn new(threads: u64, shape: Shape) -> Self {
        ShardedCounter {
            slots: (0..threads)
                .map(|_| CachePadded::new(AtomicU64::new(0)))
                .collect(),
            claims: Claims::default(),
            shape,
        }
    }

    /// The counter's value: the sum of the slots.
    fn sum(&self) -> u64 {
        self.slots.iter().map(|s| s.load(Ordering::Relaxed)).sum()
    }
}

/// A single-writer increment: no locked instruction needed.
#[inline(always)]
fn bump(slot: &AtomicU64) {
    slot.store(slot.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
}

impl Workload for ShardedCounter {
    fn begin_batch(&self, budget: u64) {
        self.claims.begin(budget);
    }

    fn run_batch(&self, index: usize, tally: &mut Tally, cancel: &CancelToken) {
        let slot = &self.slots[index];
        let Shape { iters, sample_mask } = self.shape;
        let (mut mine, mut scratch) = (0u64, tally.scratch);
        'claims: loop {
            let granted = self.claims.claim();
            if granted == 0 {
                break;
            }
            for _ in 0..granted {
                if mine & sample_mask == 0 {
                    if cancel.is_cancelled() {
                        break 'claims;
                    }
                    let asked = Instant::now();
                    bump(slot);
                    tally.recorder.record(nanos_between(asked, Instant::now()));
                } else {
                    bump(slot);
                }
                mine += 1;
                scratch = work(scratch, iters);
            }
        }
        tally.scratch = scratch;
        tally.finish_batch(mine);
    }

    fn verify(&self, tallies: &[&Tally], ops: u64, _batches: u64) -> anyhow::Result<()> {
        let sum = self.sum();
        ensure!(sum == ops, "the slots sum to {sum} after {ops} increments");
        for (index, (slot, tally)) in self.slots.iter().zip(tallies).enumerate() {
            let value = slot.load(Ordering::Relaxed);
            ensure!(
                value == tally.total_ops,
                "thread {index}'s slot reads {value}, but it counted {} increments",
                tally.total_ops
            );
        }
        ensure_counted(tallies, ops)?;
        ensure_local_work(tallies, self.shape.iters)
    }
}

pub fn nanos_between(earlier: Instant, later: Instant) -> u64 {
    later.saturating_duration_since(earlier).as_nanos() as u64
}

/// The threads' own counts add up to the operations done.
pub fn ensure_counted(tallies: &[&Tally], ops: u64) -> anyhow::Result<()> {
    let counted: u64 = tallies.iter().map(|t| t.total_ops).sum();
    ensure!(
        counted == ops,
        "the threads counted {counted} operations, {ops} were done"
    );
    Ok(())
}

/// Each thread's thread-local work state went through all its steps.
fn ensure_local_work(tallies: &[&Tally], iters: u64) -> anyhow::Result<()> {
    for (index, tally) in tallies.iter().enumerate() {
        ensure!(
            tally.scratch == jump(SEED, tally.total_ops.wrapping_mul(iters)),
            "thread {index}'s work state is not what {} operations of {iters} steps give",
            tally.total_ops
        );
    }
    Ok(())
}
