//! The four ways a philosopher gets two forks: the naive left-then-right (which
//! can deadlock), a global order (lower fork first), try-lock with randomised
//! backoff (never blocks holding a fork), and an arbiter that seats at most
//! N - 1 philosophers. Each returns `None` only when told to stop.

use parking_lot::{Condvar, Mutex};

use super::table::{Table, WAIT_SLICE};

crate::variant_table! {
    /// How a philosopher reaches for the forks: one per variant of
    /// `pattern.philosophers`.
    pub enum Strategy in VARIANTS {
        Naive = "naive", [Thread], "left fork, then right fork: can deadlock (stopped by the stall watchdog)";
        Ordered = "ordered", [Thread], "lower-numbered fork first: a global lock order, no cycle";
        TryLock = "try_lock", [Thread], "try both forks, put down and back off (random, growing) on refusal";
        Arbiter = "arbiter", [Thread], "a waiter seats at most N - 1 philosophers (semaphore), then left-then-right";
    }
}

/// One philosopher's place and private state.
pub struct Diner {
    pub seat: usize,
    left: usize,
    right: usize,
    rng: fastrand::Rng,
    /// Has eaten (or reached for) a first meal: `all_hold_first` is over.
    met: bool,
}

impl Diner {
    /// Philosopher `seat` of `philosophers`: fork `seat` on the left, the
    /// next one (round the table) on the right.
    pub fn new(seat: usize, philosophers: usize) -> Diner {
        Diner {
            seat,
            left: seat,
            right: (seat + 1) % philosophers,
            rng: fastrand::Rng::with_seed(0x9E37_79B9 + seat as u64),
            met: false,
        }
    }
}

/// Eat one meal the table's way; `None` if the table asked to stop first.
pub fn meal(table: &Table, diner: &mut Diner) -> Option<()> {
    let (seat, left, right) = (diner.seat, diner.left, diner.right);
    match table.strategy() {
        Strategy::Naive if table.all_hold_first() && !diner.met => {
            diner.met = true;
            let mut a = table.take(left, seat)?;
            table.meet_holding_first_fork()?;
            let mut b = table.take(right, seat)?;
            table.eat(seat, &mut a, &mut b);
            Some(())
        }
        Strategy::Naive => in_order(table, seat, left, right),
        Strategy::Ordered => in_order(table, seat, left.min(right), left.max(right)),
        Strategy::Arbiter => {
            let _chair = table.arbiter().admit(|| table.should_stop())?;
            in_order(table, seat, left, right)
        }
        Strategy::TryLock => until_both_free(table, diner),
    }
}

/// Block for `first`, pause, block for `second`, eat, put both down.
fn in_order(table: &Table, seat: usize, first: usize, second: usize) -> Option<()> {
    let mut a = table.take(first, seat)?;
    table.pause_between_forks();
    let mut b = table.take(second, seat)?;
    table.eat(seat, &mut a, &mut b);
    Some(())
}

/// Try the left fork, pause, try the right one; on any refusal put down what
/// is held, back off for a random while and start over.
fn until_both_free(table: &Table, diner: &mut Diner) -> Option<()> {
    let mut failures = 0u64;
    loop {
        if let Some(mut a) = table.try_take(diner.left, diner.seat) {
            table.pause_between_forks();
            if let Some(mut b) = table.try_take(diner.right, diner.seat) {
                table.eat(diner.seat, &mut a, &mut b);
                table.count_failures(diner.seat, failures);
                return Some(());
            }
        }
        failures += 1;
        if table.should_stop() {
            table.count_failures(diner.seat, failures);
            return None;
        }
        back_off(&mut diner.rng, failures);
    }
}

/// Spin for a random count that doubles its range with each failure (up to
/// 64x), and after a few failures also yield: the fork's holder may be
/// waiting for this very core.
fn back_off(rng: &mut fastrand::Rng, failures: u64) {
    let range = 16u32 << failures.min(6);
    for _ in 0..rng.u32(0..=range) {
        std::hint::spin_loop();
    }
    if failures >= 3 {
        std::thread::yield_now();
    }
}

/// The waiter of the arbiter strategy: a counting semaphore with N - 1
/// chairs, so at least one philosopher is always out of the cycle.
pub struct Arbiter {
    free: Mutex<usize>,
    freed: Condvar,
}

/// A chair taken from the arbiter; given back when dropped.
pub struct Chair<'a>(&'a Arbiter);

impl Arbiter {
    pub fn new(chairs: usize) -> Arbiter {
        Arbiter {
            free: Mutex::new(chairs),
            freed: Condvar::new(),
        }
    }

    /// Wait for a free chair; `None` if `stop` says so while waiting.
    pub fn admit(&self, stop: impl Fn() -> bool) -> Option<Chair<'_>> {
        let mut free = self.free.lock();
        while *free == 0 {
            if stop() {
                return None;
            }
            self.freed.wait_for(&mut free, WAIT_SLICE);
        }
        *free -= 1;
        Some(Chair(self))
    }

    /// Chairs nobody sits on now.
    pub fn free(&self) -> usize {
        *self.free.lock()
    }
}

impl Drop for Chair<'_> {
    fn drop(&mut self) {
        *self.0.free.lock() += 1;
        self.0.freed.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_name_maps_to_a_strategy() {
        for info in VARIANTS {
            assert_eq!(Strategy::of(info.name).expect("known").name(), info.name);
        }
        assert!(Strategy::of("banker").is_err());
    }

    #[test]
    fn the_last_philosopher_reaches_round_the_table() {
        let last = Diner::new(4, 5);
        assert_eq!((last.left, last.right), (4, 0));
    }

    #[test]
    fn the_arbiter_hands_out_only_its_chairs_and_takes_them_back() {
        let arbiter = Arbiter::new(2);
        let first = arbiter.admit(|| false).expect("a free chair");
        let second = arbiter.admit(|| false).expect("a free chair");
        assert_eq!(arbiter.free(), 0);
        assert!(arbiter.admit(|| true).is_none(), "no third chair");
        drop((first, second));
        assert_eq!(arbiter.free(), 2);
    }
}
