//! Futex wait and wake on a 32-bit atomic: the kernel primitive under the
//! ipc family's shared-memory ring and the switch family's thread and
//! process ping-pongs. Wraps rustix's safe futex calls; both are single
//! system calls, so they may be used between fork and `_exit`.

use std::sync::atomic::AtomicU32;

use nix::errno::Errno;
use rustix::thread::futex;

/// Who may wait on the word: threads of one process (private futex, the
/// cheaper kernel path) or processes sharing a `MAP_SHARED` mapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Private,
    Shared,
}

impl Scope {
    fn flags(self) -> futex::Flags {
        match self {
            Scope::Private => futex::Flags::PRIVATE,
            Scope::Shared => futex::Flags::empty(),
        }
    }
}

/// Sleep while `word` still holds `expected`. Returns when woken, when the
/// word had already changed (EAGAIN) or on a signal (EINTR): callers re-check
/// their condition in a loop. Other errors are returned.
pub fn wait(word: &AtomicU32, expected: u32, scope: Scope) -> Result<(), Errno> {
    match futex::wait(word, scope.flags(), expected, None) {
        Ok(()) => Ok(()),
        Err(e) if e == rustix::io::Errno::AGAIN || e == rustix::io::Errno::INTR => Ok(()),
        Err(e) => Err(Errno::from_raw(e.raw_os_error())),
    }
}

/// Wake up to `waiters` threads or processes sleeping on `word`; returns how
/// many were woken.
pub fn wake(word: &AtomicU32, waiters: u32, scope: Scope) -> Result<usize, Errno> {
    futex::wake(word, scope.flags(), waiters).map_err(|e| Errno::from_raw(e.raw_os_error()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::Ordering;

    #[test]
    fn a_waiter_sleeps_until_the_word_changes_and_is_woken() {
        let word = Arc::new(AtomicU32::new(0));
        // A stale expectation returns at once.
        wait(&word, 7, Scope::Private).expect("EAGAIN is not an error");
        let waiter = {
            let word = Arc::clone(&word);
            std::thread::spawn(move || {
                while word.load(Ordering::SeqCst) == 0 {
                    wait(&word, 0, Scope::Private).expect("futex wait");
                }
                word.load(Ordering::SeqCst)
            })
        };
        std::thread::sleep(std::time::Duration::from_millis(20));
        word.store(5, Ordering::SeqCst);
        wake(&word, 1, Scope::Private).expect("futex wake");
        assert_eq!(waiter.join().expect("waiter"), 5);
    }
}
