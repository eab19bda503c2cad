//! The turn two threads pass back and forth in `sync.handoff`, one kind per
//! variant: a condition variable (std or parking_lot) over a turn flag, two
//! hand-written semaphores, two hand-written events, or park/unpark with an
//! atomic flag per side. Every kind can be shut down, which wakes a blocked
//! side so that a trial's teardown never hangs.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock, PoisonError};
use std::thread::Thread;

use super::primitives::{Event, Semaphore, lock};

/// The side that starts with the turn (and times the round trips).
pub const PING: usize = 0;
/// The side that answers.
pub const PONG: usize = 1;

/// A turn that passes between side 0 and side 1.
pub trait Baton: Send + Sync {
    /// Give the turn to side `to` (called by the side holding it).
    fn pass(&self, to: usize);

    /// Block until side `side` has the turn and take it; false once shut down.
    fn take(&self, side: usize) -> bool;

    /// Wake both sides for good: every later `take` returns false.
    fn shutdown(&self);

    /// The threads that play each side, for kinds that wake a thread by name.
    fn attach(&self, _threads: [Thread; 2]) {}

    /// Releases the primitive refused (a broken hand-off); 0 when all is well.
    fn faults(&self) -> u64 {
        0
    }
}

crate::variant_table! {
    /// `sync.handoff`'s variants (here, below `handoff`, so that both the
    /// scenario and `for_variant` name them without an import circle).
    pub enum Handoff in HANDOFF_VARIANTS {
        Condvar = "condvar", [Thread], "std Mutex<turn> + Condvar: wait until it is my turn, set the other's, notify_one";
        ParkingLotCondvar = "parking_lot_condvar", [Thread], "the same on parking_lot::Mutex + parking_lot::Condvar";
        Semaphore = "semaphore", [Thread], "two hand-written counting semaphores (Mutex<usize> + Condvar), one per side";
        Event = "event", [Thread], "two hand-written events (Mutex<bool> + Condvar): set the other's, wait for and clear one's own";
        ParkUnpark = "park_unpark", [Thread], "an atomic flag per side + std::thread::park / Thread::unpark";
        TokioSemaphore = "tokio_semaphore", [Async], "two tokio tasks on a 2-worker runtime, one tokio::sync::Semaphore per side";
    }
}

/// The baton of a thread variant of `sync.handoff`; `None` for the tokio
/// variant, which passes its turn between tasks instead.
pub fn for_variant(variant: Handoff) -> Option<Arc<dyn Baton>> {
    Some(match variant {
        Handoff::Condvar => Arc::new(CondvarBaton::default()),
        Handoff::ParkingLotCondvar => Arc::new(ParkingLotBaton::default()),
        Handoff::Semaphore => Arc::new(SemaphoreBaton::default()),
        Handoff::Event => Arc::new(EventBaton::default()),
        Handoff::ParkUnpark => Arc::new(ParkBaton::default()),
        Handoff::TokioSemaphore => return None,
    })
}

/// Whose turn it is, under the condition variable's mutex.
#[derive(Debug, Default)]
struct Turn {
    holder: usize,
    stopped: bool,
}

/// `Mutex<Turn>` + `Condvar`: the classic condition-variable ping-pong.
#[derive(Debug, Default)]
pub struct CondvarBaton {
    turn: Mutex<Turn>,
    changed: Condvar,
}

impl Baton for CondvarBaton {
    fn pass(&self, to: usize) {
        lock(&self.turn).holder = to;
        self.changed.notify_one();
    }

    fn take(&self, side: usize) -> bool {
        let mut turn = lock(&self.turn);
        while turn.holder != side && !turn.stopped {
            turn = self
                .changed
                .wait(turn)
                .unwrap_or_else(PoisonError::into_inner);
        }
        !turn.stopped
    }

    fn shutdown(&self) {
        lock(&self.turn).stopped = true;
        self.changed.notify_all();
    }
}

/// The same ping-pong on parking_lot's `Mutex` and `Condvar`.
#[derive(Debug, Default)]
pub struct ParkingLotBaton {
    turn: parking_lot::Mutex<Turn>,
    changed: parking_lot::Condvar,
}

impl Baton for ParkingLotBaton {
    fn pass(&self, to: usize) {
        self.turn.lock().holder = to;
        self.changed.notify_one();
    }

    fn take(&self, side: usize) -> bool {
        let mut turn = self.turn.lock();
        while turn.holder != side && !turn.stopped {
            self.changed.wait(&mut turn);
        }
        !turn.stopped
    }

    fn shutdown(&self) {
        self.turn.lock().stopped = true;
        self.changed.notify_all();
    }
}

/// Two counting semaphores, one per side, each starting empty: passing the
/// turn releases the other side's semaphore.
#[derive(Debug)]
pub struct SemaphoreBaton {
    turns: [Semaphore; 2],
    stopped: AtomicBool,
    refused: AtomicU64,
}

impl Default for SemaphoreBaton {
    fn default() -> Self {
        SemaphoreBaton {
            turns: [Semaphore::new(0), Semaphore::new(0)],
            stopped: AtomicBool::new(false),
            refused: AtomicU64::new(0),
        }
    }
}

impl Baton for SemaphoreBaton {
    fn pass(&self, to: usize) {
        if self.turns[to].release().is_err() {
            self.refused.fetch_add(1, Ordering::Relaxed);
        }
    }

    fn take(&self, side: usize) -> bool {
        self.turns[side].acquire();
        !self.stopped.load(Ordering::Acquire)
    }

    fn shutdown(&self) {
        self.stopped.store(true, Ordering::Release);
        for turn in &self.turns {
            // Unbounded: a release cannot be refused.
            let _ = turn.release();
        }
    }

    fn faults(&self) -> u64 {
        self.refused.load(Ordering::Relaxed)
    }
}

/// Two events, one per side: passing sets the other side's event; taking
/// waits for one's own event and clears it.
#[derive(Debug, Default)]
pub struct EventBaton {
    turns: [Event; 2],
    stopped: AtomicBool,
}

impl Baton for EventBaton {
    fn pass(&self, to: usize) {
        self.turns[to].set();
    }

    fn take(&self, side: usize) -> bool {
        self.turns[side].wait();
        self.turns[side].clear();
        !self.stopped.load(Ordering::Acquire)
    }

    fn shutdown(&self) {
        self.stopped.store(true, Ordering::Release);
        for turn in &self.turns {
            turn.set();
        }
    }
}

/// An atomic flag per side plus `Thread::unpark`; the taker parks until its
/// flag is up, so spurious wake-ups only cost a look at the flag.
#[derive(Debug, Default)]
pub struct ParkBaton {
    flags: [AtomicBool; 2],
    threads: OnceLock<[Thread; 2]>,
    stopped: AtomicBool,
}

impl ParkBaton {
    fn wake(&self, side: usize) {
        if let Some(threads) = self.threads.get() {
            threads[side].unpark();
        }
    }
}

impl Baton for ParkBaton {
    fn pass(&self, to: usize) {
        self.flags[to].store(true, Ordering::Release);
        self.wake(to);
    }

    fn take(&self, side: usize) -> bool {
        loop {
            if self.flags[side].swap(false, Ordering::Acquire) {
                return !self.stopped.load(Ordering::Acquire);
            }
            if self.stopped.load(Ordering::Acquire) {
                return false;
            }
            std::thread::park();
        }
    }

    fn shutdown(&self) {
        self.stopped.store(true, Ordering::Release);
        self.wake(PING);
        self.wake(PONG);
    }

    fn attach(&self, threads: [Thread; 2]) {
        let _ = self.threads.set(threads);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KINDS: [Handoff; 5] = [
        Handoff::Condvar,
        Handoff::ParkingLotCondvar,
        Handoff::Semaphore,
        Handoff::Event,
        Handoff::ParkUnpark,
    ];

    /// Ping-pong `trips` times; (round trips seen by ping, by pong).
    fn rally(baton: &Arc<dyn Baton>, trips: u64) -> (u64, u64) {
        let answerer = Arc::clone(baton);
        let pong = std::thread::spawn(move || {
            let mut got = 0;
            for _ in 0..trips {
                if !answerer.take(PONG) {
                    break;
                }
                got += 1;
                answerer.pass(PING);
            }
            got
        });
        baton.attach([std::thread::current(), pong.thread().clone()]);
        let mut back = 0;
        for _ in 0..trips {
            baton.pass(PONG);
            if baton.take(PING) {
                back += 1;
            }
        }
        (back, pong.join().expect("pong side"))
    }

    #[test]
    fn every_kind_completes_every_round_trip() {
        for kind in KINDS {
            let baton = for_variant(kind).expect("a thread variant");
            assert_eq!(rally(&baton, 500), (500, 500), "{kind:?}");
            assert_eq!(baton.faults(), 0, "{kind:?}");
        }
        assert!(for_variant(Handoff::TokioSemaphore).is_none());
    }

    #[test]
    fn shutdown_wakes_a_blocked_side_and_later_takes_fail() {
        for kind in KINDS {
            let baton = for_variant(kind).expect("a thread variant");
            let waiter = {
                let baton = Arc::clone(&baton);
                std::thread::spawn(move || baton.take(PONG))
            };
            baton.attach([std::thread::current(), waiter.thread().clone()]);
            baton.shutdown();
            assert!(
                !waiter.join().expect("waiter"),
                "{kind:?}: woken, not given"
            );
            assert!(!baton.take(PING), "{kind:?}: stopped for good");
        }
    }
}
