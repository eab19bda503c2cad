//! Every child process a point starts lives in that point's own process
//! group, anchored by a small paused child, so that the harness can kill all
//! of them at once (`kill(-group, SIGKILL)`) when the point is abandoned or
//! the run is interrupted, and reap what is left. Points run one at a time,
//! so there is one current group.

use std::sync::atomic::{AtomicI32, Ordering};

use anyhow::Context;
use nix::sys::signal::{Signal, kill};
use nix::sys::wait::{WaitPidFlag, waitpid};
use nix::unistd::{Pid, setpgid};

use super::fork::fork_child_raw;

/// The process group id of the running point's children (0: none).
static CURRENT: AtomicI32 = AtomicI32::new(0);

/// The current point's group id, for children to join (0: none).
pub fn current() -> i32 {
    CURRENT.load(Ordering::SeqCst)
}

/// Put a `Command`'s child into the current point's group (no-op outside a
/// point, e.g. in benches that build trials directly).
pub fn join_command(command: &mut std::process::Command) {
    use std::os::unix::process::CommandExt;
    let group = current();
    if group > 0 {
        command.process_group(group);
    }
}

/// Called in a freshly forked child (async-signal-safe: one syscall).
pub(crate) fn join_in_child(group: i32) {
    if group > 0 {
        let _ = setpgid(Pid::from_raw(0), Pid::from_raw(group));
    }
}

/// Called in the parent right after fork, so the child is in the group
/// before the parent can signal it (whichever side runs first wins).
pub(crate) fn join_from_parent(child: Pid, group: i32) {
    if group > 0 {
        let _ = setpgid(child, Pid::from_raw(group));
    }
}

/// The group of one point, from start to `finish`.
pub struct PointGroup {
    anchor: Pid,
}

impl PointGroup {
    /// Start the anchor (a child that pauses until killed, leader of a new
    /// group) and make its group the current one.
    pub fn start() -> anyhow::Result<PointGroup> {
        let anchor = fork_child_raw(|| {
            let _ = setpgid(Pid::from_raw(0), Pid::from_raw(0));
            loop {
                nix::unistd::pause();
            }
        })
        .context("starting the point's process-group anchor")?;
        let _ = setpgid(anchor, anchor);
        CURRENT.store(anchor.as_raw(), Ordering::SeqCst);
        Ok(PointGroup { anchor })
    }

    pub fn id(&self) -> i32 {
        self.anchor.as_raw()
    }

    /// Kill every process still in the group and reap those that are ours.
    /// After a normal point only the anchor is left.
    pub fn finish(self) {
        kill_and_reap(self.anchor);
    }
}

impl Drop for PointGroup {
    fn drop(&mut self) {
        if CURRENT.load(Ordering::SeqCst) == self.anchor.as_raw() {
            kill_and_reap(self.anchor);
        }
    }
}

fn kill_and_reap(anchor: Pid) {
    let _ = CURRENT.compare_exchange(anchor.as_raw(), 0, Ordering::SeqCst, Ordering::SeqCst);
    let group = Pid::from_raw(-anchor.as_raw());
    let _ = kill(group, Signal::SIGKILL);
    // Blocking waits on the group: everything in it was just sent SIGKILL,
    // so each wait returns promptly; ECHILD ends the loop.
    while waitpid(group, Some(WaitPidFlag::__WALL)).is_ok() {}
}

/// Kill the current group without reaping (from the interrupt path, where
/// the run is about to exit anyway).
pub fn kill_current() {
    let group = current();
    if group > 0 {
        let _ = kill(Pid::from_raw(-group), Signal::SIGKILL);
    }
}
