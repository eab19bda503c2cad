//! Where the two sides of a thread hand-off run: wherever the scheduler puts
//! them, both on one CPU (each hand-off is a context switch on that CPU), or
//! each on its own CPU (each hand-off wakes a thread on the other CPU). The
//! two cost differently, and a free placement drifts between them.

use anyhow::{Context, bail};
use nix::sched::{CpuSet, sched_getaffinity, sched_setaffinity};
use nix::unistd::Pid;

/// The CPUs of the two sides, or none for the scheduler's choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    Free,
    Pinned([usize; 2]),
}

impl Placement {
    /// From the `cpus` parameter: 0 free, 1 one shared CPU, 2 two CPUs.
    pub fn from_cpus(cpus: u64) -> anyhow::Result<Placement> {
        if cpus == 0 {
            return Ok(Placement::Free);
        }
        let allowed = allowed_cpus()?;
        match (cpus, allowed.as_slice()) {
            (1, [first, ..]) => Ok(Placement::Pinned([*first, *first])),
            (2, [first, second, ..]) => Ok(Placement::Pinned([*first, *second])),
            _ => bail!(
                "cpus={cpus}: this process may run on {} CPU(s)",
                allowed.len()
            ),
        }
    }

    /// The CPU side `side` is pinned to, if any.
    pub fn cpu_of(self, side: usize) -> Option<usize> {
        match self {
            Placement::Free => None,
            Placement::Pinned(cpus) => Some(cpus[side]),
        }
    }
}

/// The CPUs this process may run on (its affinity mask), in order.
pub fn allowed_cpus() -> anyhow::Result<Vec<usize>> {
    let set = sched_getaffinity(Pid::from_raw(0)).context("reading the CPU affinity")?;
    Ok((0..CpuSet::count())
        .filter(|&cpu| set.is_set(cpu).unwrap_or(false))
        .collect())
}

/// Keep the calling thread on `cpu` from now on.
pub fn pin_current_thread(cpu: usize) -> anyhow::Result<()> {
    let mut set = CpuSet::new();
    set.set(cpu)
        .with_context(|| format!("CPU {cpu} is beyond the CPU set"))?;
    sched_setaffinity(Pid::from_raw(0), &set)
        .with_context(|| format!("pinning a thread to CPU {cpu}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placements_follow_the_allowed_cpus() {
        let allowed = allowed_cpus().expect("affinity");
        assert!(!allowed.is_empty());
        assert_eq!(Placement::from_cpus(0).expect("free"), Placement::Free);
        assert_eq!(Placement::Free.cpu_of(1), None);
        let shared = Placement::from_cpus(1).expect("one CPU is always there");
        assert_eq!(shared.cpu_of(0), Some(allowed[0]));
        assert_eq!(shared.cpu_of(1), Some(allowed[0]));
        match Placement::from_cpus(2) {
            Ok(apart) => assert_ne!(apart.cpu_of(0), apart.cpu_of(1)),
            Err(error) => {
                assert_eq!(allowed.len(), 1);
                assert!(error.to_string().contains("1 CPU(s)"), "{error}");
            }
        }
    }

    #[test]
    fn a_pinned_thread_runs_only_on_its_cpu() {
        let cpu = allowed_cpus().expect("affinity")[0];
        let seen = std::thread::spawn(move || {
            pin_current_thread(cpu).expect("pinned");
            allowed_cpus().expect("affinity")
        })
        .join()
        .expect("thread");
        assert_eq!(seen, vec![cpu]);
    }
}
