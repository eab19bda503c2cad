//! A spin lock written out because it is the subject: test-and-test-and-set
//! (spin on a plain load, which stays in the local cache, and only then try
//! the atomic swap) with crossbeam's `Backoff` between tries, which spins
//! with growing pauses and then yields the CPU.

use std::cell::UnsafeCell;
use std::sync::atomic::{AtomicBool, Ordering};

use crossbeam::utils::Backoff;

/// A value guarded by a spin lock.
pub struct SpinLock<T> {
    locked: AtomicBool,
    value: UnsafeCell<T>,
}

// SAFETY: the value is reached only through `with`, which holds the lock for
// the whole access, so at most one thread touches it at a time; moving
// values between threads that way needs `T: Send`, as for `Mutex<T>`.
unsafe impl<T: Send> Sync for SpinLock<T> {}

/// Releases the lock when dropped, also when the critical section panics.
struct Held<'a> {
    locked: &'a AtomicBool,
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        self.locked.store(false, Ordering::Release);
    }
}

impl<T> SpinLock<T> {
    pub fn new(value: T) -> Self {
        SpinLock {
            locked: AtomicBool::new(false),
            value: UnsafeCell::new(value),
        }
    }

    /// Acquire: try the swap; while it fails, wait with backoff until a
    /// plain load sees the lock free, then try again.
    fn acquire(&self) -> Held<'_> {
        let backoff = Backoff::new();
        while self.locked.swap(true, Ordering::Acquire) {
            while self.locked.load(Ordering::Relaxed) {
                backoff.snooze();
            }
        }
        Held {
            locked: &self.locked,
        }
    }

    /// Run `f` on the value with the lock held.
    #[inline]
    pub fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        let _held = self.acquire();
        // SAFETY: `_held` proves this thread owns the lock until the end of
        // this function, and the `&mut` does not outlive the call to `f`, so
        // no other reference to the value exists meanwhile.
        let value = unsafe { &mut *self.value.get() };
        f(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn increments_from_many_threads_are_never_lost() {
        let lock = SpinLock::new(0u64);
        std::thread::scope(|scope| {
            for _ in 0..4 {
                scope.spawn(|| {
                    for _ in 0..20_000 {
                        // A read-modify-write that would lose updates
                        // without mutual exclusion.
                        lock.with(|n| {
                            let seen = std::hint::black_box(*n);
                            *n = seen + 1;
                        });
                    }
                });
            }
        });
        assert_eq!(lock.with(|n| *n), 80_000);
    }

    #[test]
    fn a_panic_inside_releases_the_lock() {
        let lock = SpinLock::new(1u32);
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            lock.with(|_| panic!("inside the critical section"))
        }));
        assert!(caught.is_err());
        assert_eq!(lock.with(|n| *n), 1, "the lock is free again");
    }
}
