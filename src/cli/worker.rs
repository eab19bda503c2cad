//! The hidden `worker` subcommand's table: which code each `WorkerTask` runs
//! in the child. It lives in the CLI layer, the only one allowed to reach both
//! the harness (the sampler) and the scenarios (the cpu family's children),
//! so the model layer that starts workers imports neither.

use std::time::{Duration, Instant};

use crate::harness::sampler::run_sampler_process;
use crate::model::worker::WorkerTask;
use crate::scenario::cpu::child as cpu;

/// Run `task` in this (child) process; returns the exit code.
pub fn run(task: &WorkerTask) -> i32 {
    match task {
        WorkerTask::Noop => 0,
        WorkerTask::Serve => {
            let code =
                crate::harness::serve::serve(std::io::stdin().lock(), std::io::stdout().lock());
            crate::model::scratch::remove_all();
            code
        }
        WorkerTask::Sleep { ms } => {
            let wanted = Duration::from_millis(*ms);
            sleep_and_prove(wanted, wanted)
        }
        WorkerTask::Sample { interval_ms } => {
            run_sampler_process(Duration::from_millis(*interval_ms))
        }
        WorkerTask::Cpu {
            first,
            count,
            points,
        } => cpu::run_range(*first, *count, *points),
        WorkerTask::CpuPool { points } => cpu::serve_pool(*points),
        WorkerTask::Draw => {
            let code =
                crate::run::draws::serve_draw(std::io::stdin().lock(), std::io::stdout().lock());
            crate::model::scratch::remove_all();
            code
        }
    }
}

/// The exit code of a `sleep` worker that woke before its time was up.
pub const SLEPT_SHORT: i32 = 3;

/// Sleep `nap` and exit 0 only if at least `wanted` passed by the clock:
/// the `sleep` worker's proof to its parent that it slept its whole time.
/// Only the test makes `nap` shorter.
fn sleep_and_prove(wanted: Duration, nap: Duration) -> i32 {
    let began = Instant::now();
    std::thread::sleep(nap);
    if began.elapsed() >= wanted {
        0
    } else {
        SLEPT_SHORT
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sleep_worker_exits_0_only_after_its_full_sleep() {
        let wanted = Duration::from_millis(20);
        assert_eq!(sleep_and_prove(wanted, wanted), 0);
        // Only a 300 ms stall between two clock reads could hide this one.
        let long = Duration::from_millis(300);
        assert_eq!(sleep_and_prove(long, Duration::ZERO), SLEPT_SHORT);
    }
}
