//! Where the two sides of a ping-pong run: unpinned (the scheduler decides),
//! both pinned to one core, or pinned to two different cores. Placement
//! changes hand-off and context-switch figures several-fold, so scenarios
//! take it as the `pinned_cores` parameter (0, 1 or 2) and the point id shows it.

use nix::sched::{CpuSet, sched_getaffinity, sched_setaffinity};
use nix::unistd::Pid;

use crate::vocab::ParamSpec;

/// The `pinned_cores` parameter shared by the ping-pong scenarios.
pub const PINNED_CORES: ParamSpec = ParamSpec {
    name: "pinned_cores",
    default: 0,
    min: 0,
    max: 2,
    help: "0: unpinned; 1: both sides pinned to one core; 2: pinned to two different cores",
};

/// The CPUs the two sides run on (`None`: not pinned).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placement {
    pub first: Option<usize>,
    pub second: Option<usize>,
}

impl Placement {
    /// Both sides where the scheduler puts them.
    pub const UNPINNED: Placement = Placement {
        first: None,
        second: None,
    };

    /// The placement for `pinned_cores`, on the CPUs this thread may use.
    pub fn new(pinned_cores: u64) -> Result<Placement, String> {
        let cpus = allowed_cpus();
        let needed = pinned_cores as usize;
        if cpus.len() < needed {
            return Err(format!(
                "pinned_cores={pinned_cores} needs {needed} CPUs; this process may run on {} (sched_getaffinity)",
                cpus.len()
            ));
        }
        Ok(match pinned_cores {
            0 => Placement::UNPINNED,
            1 => Placement {
                first: Some(cpus[0]),
                second: Some(cpus[0]),
            },
            2 => Placement {
                first: Some(cpus[0]),
                second: Some(cpus[1]),
            },
            other => return Err(format!("pinned_cores={other}: expected 0, 1 or 2")),
        })
    }

    /// Pin the calling thread as the first side; the guard restores its
    /// previous CPU mask when dropped.
    pub fn pin_first(&self) -> Result<PinGuard, String> {
        PinGuard::pin(self.first)
    }

    /// Pin the calling thread as the second side (threads it starts and
    /// children it forks inherit the pin); restored when the guard drops.
    pub fn pin_second(&self) -> Result<PinGuard, String> {
        PinGuard::pin(self.second)
    }
}

/// The CPUs the calling thread may run on, in order.
pub fn allowed_cpus() -> Vec<usize> {
    let Ok(set) = sched_getaffinity(Pid::from_raw(0)) else {
        return vec![0];
    };
    (0..CpuSet::count())
        .filter(|&cpu| set.is_set(cpu).unwrap_or(false))
        .collect()
}

/// Pin the calling thread (or a freshly forked child) to `cpu`.
/// Async-signal-safe: a stack `CpuSet` and one system call.
pub fn pin_current(cpu: usize) -> nix::Result<()> {
    let mut set = CpuSet::new();
    set.set(cpu)?;
    sched_setaffinity(Pid::from_raw(0), &set)
}

/// Start a thread that pins itself to `cpu` (if any) before `body` runs,
/// and wait until it has: returns its handle and kernel thread id, or why
/// the pin failed (the thread then ends without running `body`).
pub fn spawn_pinned(
    builder: std::thread::Builder,
    cpu: Option<usize>,
    body: impl FnOnce() + Send + 'static,
) -> anyhow::Result<(std::thread::JoinHandle<()>, Pid)> {
    let (pinned_tx, pinned_rx) = std::sync::mpsc::sync_channel(1);
    let handle = builder.spawn(move || {
        let pinned = cpu.map_or(Ok(()), pin_current);
        let ok = pinned.is_ok();
        let _ = pinned_tx.send(pinned.map(|()| nix::unistd::gettid()));
        if ok {
            body();
        }
    })?;
    match pinned_rx.recv() {
        Ok(Ok(thread_id)) => Ok((handle, thread_id)),
        Ok(Err(errno)) => {
            anyhow::bail!("pinning a thread to CPU {cpu:?}: sched_setaffinity: {errno}")
        }
        Err(_) => anyhow::bail!("a thread ended before it was pinned"),
    }
}

/// The CPU worker `index` of a crew runs on: all on the first CPU, or
/// alternately on the first and second (`None`: unpinned).
pub fn cpu_of_worker(placement: Placement, index: usize) -> Option<usize> {
    if index.is_multiple_of(2) {
        placement.first
    } else {
        placement.second
    }
}

/// Let the calling thread run on any CPU again (the kernel keeps only those
/// the process's cpuset allows): for helper processes, such as the sampler,
/// started from a pinned point thread, which would otherwise inherit its
/// pin and compete with the point on that core.
pub fn unpin_current() -> nix::Result<()> {
    let mut every = CpuSet::new();
    for cpu in 0..CpuSet::count() {
        every.set(cpu)?;
    }
    sched_setaffinity(Pid::from_raw(0), &every)
}

/// The CPUs a thread may run on, captured to be put back: trials measured
/// in turns on one thread each find it as their own set-up left it.
#[derive(Clone)]
pub struct Affinity(CpuSet);

impl Affinity {
    /// The calling thread's affinity now (None if it cannot be read).
    pub fn capture() -> Option<Affinity> {
        sched_getaffinity(Pid::from_raw(0)).ok().map(Affinity)
    }

    /// Give the calling thread this affinity again.
    pub fn apply(&self) {
        let _ = sched_setaffinity(Pid::from_raw(0), &self.0);
    }
}

/// A thread pinned for the life of a trial, unpinned again on drop.
pub struct PinGuard {
    restore: Option<(Pid, CpuSet)>,
}

impl PinGuard {
    fn pin(cpu: Option<usize>) -> Result<PinGuard, String> {
        let Some(cpu) = cpu else {
            return Ok(PinGuard { restore: None });
        };
        let previous =
            sched_getaffinity(Pid::from_raw(0)).map_err(|e| format!("sched_getaffinity: {e}"))?;
        pin_current(cpu).map_err(|e| format!("sched_setaffinity to CPU {cpu}: {e}"))?;
        Ok(PinGuard {
            restore: Some((nix::unistd::gettid(), previous)),
        })
    }
}

impl Drop for PinGuard {
    fn drop(&mut self) {
        if let Some((thread, previous)) = self.restore.take() {
            let _ = sched_setaffinity(thread, &previous);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pinning_holds_until_the_guard_goes_and_too_many_cores_are_refused() {
        let cpus = allowed_cpus();
        assert!(!cpus.is_empty());
        let unpinned = Placement::new(0).expect("always possible");
        assert_eq!(unpinned.first, None);
        let error = Placement::new(cpus.len() as u64 + 1).unwrap_err();
        assert!(error.contains("sched_getaffinity"), "{error}");
        std::thread::spawn(|| {
            let before = allowed_cpus();
            let placement = Placement::new(1).expect("one core");
            assert_eq!(placement.first, placement.second);
            let guard = placement.pin_first().expect("pin");
            assert_eq!(allowed_cpus(), vec![placement.first.unwrap_or(0)]);
            drop(guard);
            assert_eq!(allowed_cpus(), before);
        })
        .join()
        .expect("pinning thread");
    }

    #[test]
    fn crew_workers_alternate_between_the_two_cpus() {
        let two = Placement {
            first: Some(3),
            second: Some(5),
        };
        let placed: Vec<Option<usize>> = (0..4).map(|i| cpu_of_worker(two, i)).collect();
        assert_eq!(placed, [Some(3), Some(5), Some(3), Some(5)]);
        assert_eq!(cpu_of_worker(Placement::UNPINNED, 1), None);
    }

    #[test]
    fn a_pinned_thread_runs_where_it_was_put() {
        let cpu = *allowed_cpus().last().expect("a CPU");
        let (seen_tx, seen_rx) = std::sync::mpsc::channel();
        let (handle, _) = spawn_pinned(std::thread::Builder::new(), Some(cpu), move || {
            let _ = seen_tx.send(allowed_cpus());
        })
        .expect("spawns");
        handle.join().expect("joins");
        assert_eq!(seen_rx.recv().expect("reported"), [cpu]);
    }

    #[test]
    fn unpinning_gives_back_every_cpu_the_process_may_use() {
        std::thread::spawn(|| {
            let before = allowed_cpus();
            pin_current(before[before.len() - 1]).expect("pin");
            assert_eq!(allowed_cpus().len(), 1);
            unpin_current().expect("unpin");
            let after = allowed_cpus();
            assert!(before.iter().all(|cpu| after.contains(cpu)), "{after:?}");
        })
        .join()
        .expect("pinning thread");
    }
}
