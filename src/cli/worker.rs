//! The hidden `worker` subcommand's table: which code each `WorkerTask` runs
//! in the child. It lives in the CLI layer, the only one allowed to reach both
//! the harness (the sampler) and the scenarios (the cpu family's children),
//! so the model layer that starts workers imports neither.

use std::time::Duration;

use crate::harness::sampler::run_sampler_process;
use crate::model::worker::WorkerTask;
use crate::scenario::cpu::child as cpu;

/// Run `task` in this (child) process; returns the exit code.
pub fn run(task: &WorkerTask) -> i32 {
    match task {
        WorkerTask::Noop => 0,
        WorkerTask::Sleep { ms } => {
            std::thread::sleep(Duration::from_millis(*ms));
            0
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
    }
}
