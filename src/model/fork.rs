//! The one call to `fork` of concbench: a child that runs async-signal-safe
//! work, dies with the thread that forked it, and `_exit`s. Its own room so
//! that process groups (`group`) and process models (`process`) both build
//! on it without importing each other.

use anyhow::Context;
use nix::sys::prctl::set_pdeathsig;
use nix::sys::signal::Signal;
use nix::unistd::{ForkResult, Pid, fork, getpid, getppid};

/// `fork_child` without joining the point's group. The child is killed if
/// the thread that forked it ends first (PR_SET_PDEATHSIG), so a `kill -9`
/// of concbench leaves no forked child behind.
pub fn fork_child_raw(child_work: impl FnOnce() -> i32) -> anyhow::Result<Pid> {
    let parent = getpid();
    // SAFETY: in the child only `child_work` runs, and callers keep it to
    // async-signal-safe operations; the child then calls `_exit`, which runs
    // no destructors, atexit handlers or stdio flushes of the parent's state.
    match unsafe { fork() }.context("fork")? {
        ForkResult::Parent { child } => Ok(child),
        ForkResult::Child => {
            // Two system calls, both async-signal-safe. A parent that died
            // before the first would never send the signal: leave now.
            let orphaned = set_pdeathsig(Signal::SIGKILL).is_err() || getppid() != parent;
            let code = if orphaned { 1 } else { child_work() };
            // SAFETY: `_exit` is async-signal-safe and never returns.
            unsafe { nix::libc::_exit(code) }
        }
    }
}

/// In a forked child: close every descriptor it inherited from 3 up except
/// `keep` (None: all of them), so that it holds nothing of what other trials
/// of the same process opened. A copy of another trial's socket held here
/// would keep that trial's peer from ever seeing end-of-file. Signal-safe:
/// at most two `close_range` system calls (Linux 5.9 and later; on older
/// kernels it does nothing, as before).
pub fn close_inherited_except(keep: Option<std::os::fd::RawFd>) {
    let close = |first: u32, last: u32| {
        if first <= last {
            // SAFETY: close_range(2) only closes this child's own descriptors;
            // the child uses none in these ranges (stdio and `keep` are
            // outside them), and the call takes no pointers.
            unsafe { nix::libc::syscall(nix::libc::SYS_close_range, first, last, 0u32) };
        }
    };
    match keep
        .and_then(|fd| u32::try_from(fd).ok())
        .filter(|&fd| fd >= 3)
    {
        Some(fd) => {
            close(3, fd - 1);
            close(fd + 1, u32::MAX);
        }
        None => close(3, u32::MAX),
    }
}
