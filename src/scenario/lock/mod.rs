//! The lock family: what it costs to share one counter (`lock.counter`) or
//! one small board (`lock.rwlock`) between threads, by kind of lock, thread
//! count and length of the critical section (the tutorials' Lock, RLock,
//! read-write lock and "lock only what you modify").
//!
//! How a point runs (see `crew`, `trial`):
//! - The threads start in `build()` and wait at a gate; each sample releases
//!   them for one batch of `rounds x threads x ops` operations. They meet at
//!   a start line, and the sample is timed from the first thread's start to
//!   the last one's finish: thread start-up and wake-ups are not operations.
//!   The operation loop is generic over the lock type (monomorphised, no
//!   dynamic dispatch per operation); only sampled operations read the clock.
//! - Threads take operations from a shared budget until it is used up, so a
//!   thread that wins the lock more often does more of them. Lock variants
//!   stop at a limit checked inside the critical section; `fetch_add` stops
//!   on the value it returns; the sharded counter and the read-write locks
//!   claim the budget in chunks of 256 from one shared counter.
//! - Fairness (`fairness_min_max`, `fairness_jain`) compares the threads'
//!   shares of each sample's operations, averaged over the measured samples.
//!   For the chunked variants shares move in steps of 256 operations.
//! - Acquire latency: one operation in `latency_sample_every` (1024 with no
//!   work, 64 at 100 ns, 8 at 1 µs) reads the clock before asking for the
//!   lock and again once inside, into a per-thread HDR histogram merged at
//!   the end. The figure includes one clock read (~20 ns). For `atomic` it
//!   times the `fetch_add`, for `sharded` the slot increment.
//! - `cs_ns` is work inside the lock: steps of a multiply-add chain on the
//!   protected state, calibrated each time a trial is built (`cs_iters` in the
//!   metrics says how many steps ran). Lock-free variants do the same work on
//!   thread-local state, outside any critical section.
//! - Verification: the counter equals the operations done (for `atomic`,
//!   plus one refused increment per thread per batch), the threads' own
//!   counts agree, and the work state equals its closed form after that many
//!   steps, which a lost update would break; for read-write locks, writes
//!   counted equal writes done and no read saw a half-done write.

mod counter;
mod crew;
mod fairness;
mod rwlock;
mod spin;
mod trial;
mod work;

#[cfg(test)]
mod tests;

use std::cell::Cell;

use anyhow::Context;
use nix::sys::resource::{Resource, getrlimit};

use crate::model::placement::{PINNED_CORES, Placement};

use super::{Scenario, ScenarioInfo, Trial, TrialContext};
use crate::vocab::{Family, Model, ParamSpec, Params};
use counter::{AtomicCounter, LockedCounter, ShardedCounter, State};
use crew::Workload;
use rwlock::{Board, RwWork};
use spin::SpinLock;
use trial::{LockTrial, Setup};
use work::Shape;

const THREADS: ParamSpec = ParamSpec {
    name: "threads",
    default: 2,
    min: 1,
    max: 1024,
    help: "threads competing for the lock",
};

const CS_NS: ParamSpec = ParamSpec {
    name: "cs_ns",
    default: 0,
    min: 0,
    max: 100_000,
    help: "work inside the critical section, in nanoseconds (calibrated)",
};

const OPS: ParamSpec = ParamSpec {
    name: "ops",
    default: 10_000,
    min: 1,
    max: 100_000_000,
    help: "operations per thread per round",
};

const READ_PCT: ParamSpec = ParamSpec {
    name: "read_pct",
    default: 90,
    min: 0,
    max: 100,
    help: "share of operations that are reads, in percent",
};

crate::variant_table! {
    /// `lock.counter`'s variants.
    enum Counter in COUNTER_VARIANTS {
        StdMutex = "std_mutex", [Thread], "std::sync::Mutex";
        ParkingLotMutex = "parking_lot_mutex", [Thread], "parking_lot::Mutex";
        Spin = "spin", [Thread], "spin lock: test-and-test-and-set with crossbeam Backoff";
        Reentrant = "reentrant", [Thread], "parking_lot::ReentrantMutex (the RLock), one acquire per operation";
        Atomic = "atomic", [Thread], "AtomicU64::fetch_add, no lock";
        Sharded = "sharded", [Thread], "one cache-padded slot per thread, summed at the end";
    }
}

crate::variant_table! {
    /// `lock.rwlock`'s variants.
    enum Rw in RWLOCK_VARIANTS {
        StdRwlock = "std_rwlock", [Thread], "std::sync::RwLock";
        ParkingLotRwlock = "parking_lot_rwlock", [Thread], "parking_lot::RwLock";
    }
}

/// `lock.counter`: increments of one shared counter.
pub static COUNTER: LockScenario = LockScenario {
    info: ScenarioInfo {
        id: "lock.counter",
        family: Family::Lock,
        summary: "threads increment one shared counter under a lock, atomically or sharded, with work inside",
        unit: "operation",
        variants: COUNTER_VARIANTS,
        params: &[THREADS, CS_NS, OPS, PINNED_CORES],
        throughput_vs: Some("threads"),
    },
};

/// `lock.rwlock`: reads and writes of one board at a read ratio.
pub static RWLOCK: LockScenario = LockScenario {
    info: ScenarioInfo {
        id: "lock.rwlock",
        family: Family::Lock,
        summary: "threads read (read_pct%) or write one small board behind a read-write lock",
        unit: "operation",
        variants: RWLOCK_VARIANTS,
        params: &[THREADS, READ_PCT, CS_NS, OPS, PINNED_CORES],
        throughput_vs: Some("threads"),
    },
};

/// The family's scenarios, in listing order.
pub fn scenarios() -> Vec<&'static dyn Scenario> {
    vec![&COUNTER, &RWLOCK]
}

pub struct LockScenario {
    info: ScenarioInfo,
}

/// Operations in one round: `ops` by each of the `threads`.
fn round_ops(params: &Params) -> anyhow::Result<u64> {
    params
        .get("threads")?
        .checked_mul(params.get("ops")?)
        .context("threads x ops overflows a 64-bit count")
}

/// Start a trial running `work` (one monomorphised loop per lock type).
fn start<W: Workload>(
    work: W,
    setup: Setup,
    context: &TrialContext,
) -> anyhow::Result<Box<dyn Trial>> {
    Ok(Box::new(LockTrial::start(
        work,
        setup,
        context.cancel.clone(),
    )?))
}

fn build_counter(setup: Setup, context: &TrialContext) -> anyhow::Result<Box<dyn Trial>> {
    let shape = setup.shape;
    match Counter::of(context.variant)? {
        Counter::StdMutex => start(
            LockedCounter::<std::sync::Mutex<State>>::new(shape),
            setup,
            context,
        ),
        Counter::ParkingLotMutex => start(
            LockedCounter::<parking_lot::Mutex<State>>::new(shape),
            setup,
            context,
        ),
        Counter::Spin => start(LockedCounter::<SpinLock<State>>::new(shape), setup, context),
        Counter::Reentrant => start(
            LockedCounter::<parking_lot::ReentrantMutex<Cell<State>>>::new(shape),
            setup,
            context,
        ),
        Counter::Atomic => start(AtomicCounter::new(setup.threads, shape), setup, context),
        Counter::Sharded => start(ShardedCounter::new(setup.threads, shape), setup, context),
    }
}

fn build_rwlock(setup: Setup, context: &TrialContext) -> anyhow::Result<Box<dyn Trial>> {
    let (read_pct, shape) = (context.params.get("read_pct")?, setup.shape);
    match Rw::of(context.variant)? {
        Rw::StdRwlock => start(
            RwWork::<std::sync::RwLock<Board>>::new(read_pct, shape),
            setup,
            context,
        ),
        Rw::ParkingLotRwlock => start(
            RwWork::<parking_lot::RwLock<Board>>::new(read_pct, shape),
            setup,
            context,
        ),
    }
}

impl Scenario for LockScenario {
    fn info(&self) -> &ScenarioInfo {
        &self.info
    }

    fn build(&self, context: &TrialContext) -> anyhow::Result<Box<dyn Trial>> {
        let setup = Setup {
            threads: context.params.get("threads")?,
            per_round: round_ops(&context.params)?,
            shape: Shape::for_cs_ns(context.params.get("cs_ns")?),
            placement: Placement::new(context.params.get("pinned_cores")?)
                .map_err(anyhow::Error::msg)?,
        };
        if self.info.id == RWLOCK.info.id {
            build_rwlock(setup, context)
        } else {
            build_counter(setup, context)
        }
    }

    fn ops_per_round(&self, params: &Params) -> anyhow::Result<Option<u64>> {
        round_ops(params).map(Some)
    }

    fn check_limits(&self, _model: Model, params: &Params) -> Result<(), String> {
        Placement::new(params.get("pinned_cores").map_err(|e| e.to_string())?)?;
        let threads = params.get("threads").map_err(|e| e.to_string())?;
        match getrlimit(Resource::RLIMIT_NPROC) {
            Ok((soft, _)) if soft != nix::libc::RLIM_INFINITY && threads >= soft => Err(format!(
                "threads={threads} exceeds RLIMIT_NPROC ({soft} processes and threads for this user; raise it with `ulimit -u`)"
            )),
            _ => Ok(()),
        }
    }
}
