//! Child processes for process models: fork with only async-signal-safe work
//! in the child, a counter in shared memory the children bump, and reaping
//! that insists on exit code 0.

use std::num::NonZeroUsize;
use std::ptr::NonNull;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use anyhow::{Context, bail};
use nix::sys::mman::{MapFlags, ProtFlags, mmap_anonymous, munmap};
use nix::sys::time::TimeSpec;
use nix::sys::wait::{WaitStatus, waitpid};
use nix::time::{ClockId, ClockNanosleepFlags, clock_gettime, clock_nanosleep};
use nix::unistd::Pid;

use super::fork::fork_child_raw;

/// A `u64` counter in an anonymous shared mapping: forked children see the
/// same memory, so each can prove it ran by bumping it.
pub struct SharedCounter {
    ptr: NonNull<AtomicU64>,
}

impl SharedCounter {
    pub fn new() -> anyhow::Result<Self> {
        let len =
            NonZeroUsize::new(std::mem::size_of::<AtomicU64>()).context("zero-sized counter")?;
        // SAFETY: a fresh anonymous mapping (no address hint, no file) cannot
        // alias any Rust object; the kernel zero-fills it and page-aligns it,
        // which satisfies AtomicU64's alignment, and zero is a valid AtomicU64.
        let ptr = unsafe {
            mmap_anonymous(
                None,
                len,
                ProtFlags::PROT_READ | ProtFlags::PROT_WRITE,
                MapFlags::MAP_SHARED,
            )
        }
        .context("mmap of a shared counter")?;
        Ok(SharedCounter { ptr: ptr.cast() })
    }

    pub fn get(&self) -> &AtomicU64 {
        // SAFETY: the mapping lives until `drop`, is aligned and initialised
        // (see `new`), and is only ever accessed through atomics.
        unsafe { self.ptr.as_ref() }
    }
}

impl Drop for SharedCounter {
    fn drop(&mut self) {
        // SAFETY: `ptr` came from mmap in `new` with this length and no
        // reference from `get` can outlive `self`.
        let _ = unsafe { munmap(self.ptr.cast(), std::mem::size_of::<AtomicU64>()) };
    }
}

/// Fork a child that runs `child_work` and leaves through `_exit` with the
/// code it returns. `child_work` must make only async-signal-safe calls
/// (atomics, `sleep_signal_safe`): the parent may have other threads.
/// The child joins the running point's process group (see `model::group`),
/// so the harness can kill it with the point.
pub fn fork_child(child_work: impl FnOnce() -> i32) -> anyhow::Result<Pid> {
    let group = super::group::current();
    let child = fork_child_raw(|| {
        super::group::join_in_child(group);
        child_work()
    })?;
    super::group::join_from_parent(child, group);
    Ok(child)
}

/// Sleep with nothing but `clock_gettime` and `clock_nanosleep`, safe
/// between fork and `_exit`; an absolute deadline survives interruptions.
/// True only if the clock shows the whole `duration` passed (false when the
/// clock cannot be read): a worker's proof that it slept.
pub fn sleep_signal_safe(duration: Duration) -> bool {
    slept_at_least(duration, duration)
}

/// Sleep `nap`, then say whether at least `wanted` passed by the clock. Only
/// tests make `nap` shorter than `wanted`, to show a cut-short sleep caught.
pub fn slept_at_least(wanted: Duration, nap: Duration) -> bool {
    let Ok(before) = clock_gettime(ClockId::CLOCK_MONOTONIC) else {
        return false;
    };
    let deadline = before + TimeSpec::from_duration(nap);
    let absolute = ClockNanosleepFlags::TIMER_ABSTIME;
    while matches!(
        clock_nanosleep(ClockId::CLOCK_MONOTONIC, absolute, &deadline),
        Err(nix::errno::Errno::EINTR)
    ) {}
    let Ok(after) = clock_gettime(ClockId::CLOCK_MONOTONIC) else {
        return false;
    };
    after - before >= TimeSpec::from_duration(wanted)
}

/// Reap `pid` and fail unless it exited with code 0.
pub fn wait_exit_ok(pid: Pid) -> anyhow::Result<()> {
    match waitpid(pid, None).with_context(|| format!("waitpid({pid})"))? {
        WaitStatus::Exited(_, 0) => Ok(()),
        WaitStatus::Exited(_, code) => bail!("child {pid} exited with code {code}"),
        WaitStatus::Signaled(_, signal, _) => bail!("child {pid} was killed by {signal}"),
        other => bail!("child {pid} ended unexpectedly: {other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::group::{PointGroup, current};
    use nix::sys::wait::WaitPidFlag;

    #[test]
    fn finishing_a_group_kills_and_reaps_its_children() {
        let group = PointGroup::start().expect("anchor starts");
        assert_eq!(current(), group.id());
        let child = fork_child(|| {
            sleep_signal_safe(Duration::from_secs(60));
            0
        })
        .expect("fork");
        assert_eq!(
            nix::unistd::getpgid(Some(child)).expect("child exists"),
            Pid::from_raw(group.id())
        );
        group.finish();
        assert_eq!(current(), 0);
        // Reaped: the pid is no longer our child.
        assert!(waitpid(child, Some(WaitPidFlag::WNOHANG)).is_err());
    }
}
