//! The hand-written primitives the sync family measures, built the way the
//! tutorials build them (Python's `threading.Semaphore`, `BoundedSemaphore`
//! and `Event` are a lock plus a condition variable): a counting semaphore on
//! `Mutex<usize>` + `Condvar`, and an event flag on `Mutex<bool>` + `Condvar`.

use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// Lock a mutex whose holders never panic; a poisoned one is still usable.
pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A release that would lift a bounded semaphore above its bound (what
/// Python's `BoundedSemaphore` raises `ValueError` for).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OverRelease {
    pub bound: usize,
}

impl std::fmt::Display for OverRelease {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "semaphore released above its bound of {}", self.bound)
    }
}

/// A counting semaphore: `acquire` takes a permit, waiting while there is
/// none; `release` gives one back and wakes one waiter.
#[derive(Debug)]
pub struct Semaphore {
    permits: Mutex<usize>,
    available: Condvar,
    bound: usize,
}

impl Semaphore {
    /// A semaphore holding `initial` permits, with no upper bound.
    pub fn new(initial: usize) -> Self {
        Semaphore {
            permits: Mutex::new(initial),
            available: Condvar::new(),
            bound: usize::MAX,
        }
    }

    /// A `BoundedSemaphore`: starts full with `permits`, and refuses a release
    /// that would hold more than that.
    pub fn bounded(permits: usize) -> Self {
        Semaphore {
            bound: permits,
            ..Semaphore::new(permits)
        }
    }

    /// Take a permit, waiting as long as it takes.
    pub fn acquire(&self) {
        let mut permits = lock(&self.permits);
        while *permits == 0 {
            permits = self
                .available
                .wait(permits)
                .unwrap_or_else(PoisonError::into_inner);
        }
        *permits -= 1;
    }

    /// Take a permit if one comes within `timeout`; false otherwise.
    pub fn acquire_timeout(&self, timeout: Duration) -> bool {
        let permits = lock(&self.permits);
        let (mut permits, _) = self
            .available
            .wait_timeout_while(permits, timeout, |p| *p == 0)
            .unwrap_or_else(PoisonError::into_inner);
        if *permits == 0 {
            return false;
        }
        *permits -= 1;
        true
    }

    /// Take a permit if one is free right now.
    pub fn try_acquire(&self) -> bool {
        let mut permits = lock(&self.permits);
        if *permits == 0 {
            return false;
        }
        *permits -= 1;
        true
    }

    /// Give a permit back and wake one waiter.
    pub fn release(&self) -> Result<(), OverRelease> {
        {
            let mut permits = lock(&self.permits);
            if *permits >= self.bound {
                return Err(OverRelease { bound: self.bound });
            }
            *permits += 1;
        }
        self.available.notify_one();
        Ok(())
    }

    /// Permits free right now.
    pub fn available(&self) -> usize {
        *lock(&self.permits)
    }
}

/// An event flag: `wait` blocks until the flag is set; `set` wakes every
/// waiter; `clear` lowers the flag again.
#[derive(Debug, Default)]
pub struct Event {
    flag: Mutex<bool>,
    changed: Condvar,
}

impl Event {
    pub fn new() -> Self {
        Event::default()
    }

    /// Raise the flag and wake every waiter.
    pub fn set(&self) {
        *lock(&self.flag) = true;
        self.changed.notify_all();
    }

    /// Lower the flag.
    pub fn clear(&self) {
        *lock(&self.flag) = false;
    }

    pub fn is_set(&self) -> bool {
        *lock(&self.flag)
    }

    /// Wait until the flag is raised.
    pub fn wait(&self) {
        let mut flag = lock(&self.flag);
        while !*flag {
            flag = self
                .changed
                .wait(flag)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// Wait at most `timeout` for the flag; whether it was raised.
    pub fn wait_timeout(&self, timeout: Duration) -> bool {
        let flag = lock(&self.flag);
        let (flag, _) = self
            .changed
            .wait_timeout_while(flag, timeout, |raised| !*raised)
            .unwrap_or_else(PoisonError::into_inner);
        *flag
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    const SHORT: Duration = Duration::from_millis(5);

    #[test]
    fn a_semaphore_hands_out_its_permits_then_refuses_until_a_release() {
        let semaphore = Semaphore::new(2);
        assert!(semaphore.try_acquire());
        semaphore.acquire();
        assert_eq!(semaphore.available(), 0);
        assert!(!semaphore.try_acquire());
        assert!(!semaphore.acquire_timeout(SHORT), "no permit to give");
        semaphore.release().expect("unbounded");
        assert!(semaphore.acquire_timeout(SHORT));
    }

    #[test]
    fn a_release_from_another_thread_wakes_a_waiting_acquire() {
        let semaphore = Arc::new(Semaphore::new(0));
        let waiter = {
            let semaphore = Arc::clone(&semaphore);
            std::thread::spawn(move || {
                semaphore.acquire();
                semaphore.acquire();
            })
        };
        semaphore.release().expect("unbounded");
        semaphore.release().expect("unbounded");
        waiter.join().expect("the waiter got both permits");
        assert_eq!(semaphore.available(), 0);
    }

    #[test]
    fn a_bounded_semaphore_refuses_a_release_above_its_bound() {
        let semaphore = Semaphore::bounded(1);
        assert_eq!(semaphore.release(), Err(OverRelease { bound: 1 }));
        semaphore.acquire();
        assert_eq!(semaphore.release(), Ok(()));
        assert_eq!(semaphore.available(), 1);
    }

    #[test]
    fn a_bounded_semaphore_never_lets_more_than_its_permits_in() {
        let semaphore = Arc::new(Semaphore::bounded(2));
        let (inside, most) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let threads: Vec<_> = (0..6)
            .map(|_| {
                let (semaphore, inside, most) = (semaphore.clone(), inside.clone(), most.clone());
                std::thread::spawn(move || {
                    for _ in 0..200 {
                        semaphore.acquire();
                        let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        std::thread::yield_now();
                        inside.fetch_sub(1, Ordering::SeqCst);
                        semaphore.release().expect("released once per acquire");
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().expect("worker");
        }
        assert!(most.load(Ordering::SeqCst) <= 2);
        assert_eq!(semaphore.available(), 2, "every permit came back");
    }

    #[test]
    fn an_event_stays_set_until_cleared() {
        let event = Event::new();
        assert!(!event.is_set());
        assert!(!event.wait_timeout(SHORT), "unset: the wait times out");
        event.set();
        event.wait();
        assert!(event.wait_timeout(SHORT), "still set: no wait");
        event.clear();
        assert!(!event.is_set());
        assert!(!event.wait_timeout(SHORT));
    }

    #[test]
    fn setting_an_event_wakes_every_waiter() {
        let event = Arc::new(Event::new());
        let woken = Arc::new(AtomicUsize::new(0));
        let waiters: Vec<_> = (0..3)
            .map(|_| {
                let (event, woken) = (event.clone(), woken.clone());
                std::thread::spawn(move || {
                    event.wait();
                    woken.fetch_add(1, Ordering::SeqCst);
                })
            })
            .collect();
        event.set();
        for waiter in waiters {
            waiter.join().expect("waiter");
        }
        assert_eq!(woken.load(Ordering::SeqCst), 3);
    }
}
