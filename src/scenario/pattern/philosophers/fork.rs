//! A fork: a lock around what it records (meals served, the last dish), and
//! a mark saying who holds it, checked on every pick-up and put-down, so a
//! fork ever held by two philosophers at once is counted, not assumed away.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use parking_lot::{Mutex, MutexGuard};

#[derive(Default)]
pub struct Fork {
    pub state: Mutex<ForkState>,
    /// 0: on the table; otherwise the holder's seat + 1.
    owner: AtomicUsize,
}

#[derive(Default)]
pub struct ForkState {
    /// Meals this fork was used for.
    uses: u64,
    /// What the last meal cooked, so the work cannot be optimised away.
    last_dish: u64,
}

impl Fork {
    /// Mark the locked fork as `seat`'s; a mark already there is a clash.
    pub fn pick_up<'a>(
        &'a self,
        state: MutexGuard<'a, ForkState>,
        seat: usize,
        clashes: &'a AtomicU64,
    ) -> Held<'a> {
        if self.owner.swap(seat + 1, Ordering::AcqRel) != 0 {
            clashes.fetch_add(1, Ordering::Relaxed);
        }
        Held {
            state,
            fork: self,
            seat,
            clashes,
        }
    }

    /// Meals served, if the fork is on the table (unlocked and unmarked).
    pub fn uses_when_free(&self) -> Option<u64> {
        let state = self.state.try_lock()?;
        std::hint::black_box(state.last_dish);
        (self.owner.load(Ordering::Acquire) == 0).then_some(state.uses)
    }

    /// What a broken lock would allow: another seat's mark on this fork.
    #[cfg(test)]
    pub fn mark_as_held_by(&self, seat: usize) {
        self.owner.store(seat + 1, Ordering::Release);
    }
}

/// A fork in a philosopher's hand: put down (mark checked) when dropped.
pub struct Held<'a> {
    state: MutexGuard<'a, ForkState>,
    fork: &'a Fork,
    seat: usize,
    clashes: &'a AtomicU64,
}

impl Held<'_> {
    pub fn uses(&self) -> u64 {
        self.state.uses
    }

    /// Count a meal eaten with this fork.
    pub fn served(&mut self, dish: u64) {
        self.state.uses += 1;
        self.state.last_dish = dish;
    }
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        let mine = self.seat + 1;
        let put_down =
            self.fork
                .owner
                .compare_exchange(mine, 0, Ordering::AcqRel, Ordering::Relaxed);
        if put_down.is_err() {
            self.clashes.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// The short piece of work of a meal: `steps` rounds of xorshift.
pub fn cook(seed: u64, steps: u64) -> u64 {
    let mut x = seed | 1;
    for _ in 0..steps {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
    }
    std::hint::black_box(x)
}
