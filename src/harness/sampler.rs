//! Per-core utilisation while a point is measured, from a separate sampler
//! process (`concbench worker sample`, see `sampling`): started once and
//! kept between points, told `start` when a point's measurement begins and
//! `stop` when it ends, when it answers with the timeline and the CPU time
//! it used. A process, not a thread, so that what a scenario does to the
//! measured process's address space (fork write-protects all of it) neither
//! stalls the sampler nor bills it, and the sampler's own time stays out of
//! the point's rusage. One process per run rather than per point: starting
//! one costs a few milliseconds of CPU, which on a suite of short points was
//! over 1% of a core.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::Mutex;
use std::time::Duration;

use anyhow::{Context, bail};

use crate::results::Utilisation;

pub use super::sampling::{MIN_INTERVAL, run_sampler_process};

/// A sampler process and its two pipes.
struct SamplerProcess {
    child: Child,
    commands: ChildStdin,
    timelines: BufReader<ChildStdout>,
    binary: PathBuf,
    interval: Duration,
}

impl SamplerProcess {
    fn spawn(binary: &Path, interval: Duration) -> anyhow::Result<SamplerProcess> {
        let task = crate::model::worker::WorkerTask::Sample {
            interval_ms: interval.as_millis() as u64,
        };
        let mut child = Command::new(binary)
            .args(task.args())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("starting the sampler process {}", binary.display()))?;
        let (Some(commands), Some(timelines)) = (child.stdin.take(), child.stdout.take()) else {
            bail!("the sampler process has no pipes");
        };
        Ok(SamplerProcess {
            child,
            commands,
            timelines: BufReader::new(timelines),
            binary: binary.to_path_buf(),
            interval,
        })
    }

    fn send(&mut self, line: &str) -> std::io::Result<()> {
        writeln!(self.commands, "{line}")?;
        self.commands.flush()
    }

    fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The sampler between points, ready for the next one.
static IDLE: Mutex<Option<SamplerProcess>> = Mutex::new(None);
/// The samplers of points being measured, by pid (a timed-out or
/// interrupted point may never give its back).
static ACTIVE: Mutex<Vec<u32>> = Mutex::new(Vec::new());

fn set_active(pid: u32, active: bool) {
    let mut pids = ACTIVE.lock().unwrap_or_else(|e| e.into_inner());
    pids.retain(|&p| p != pid);
    if active {
        pids.push(pid);
    }
}

/// End every sampler process of this run, idle or still in an abandoned
/// point, and reap them: called when the run ends, however it ends.
pub fn shutdown() {
    if let Some(process) = IDLE.lock().unwrap_or_else(|e| e.into_inner()).take() {
        process.kill();
    }
    let active = std::mem::take(&mut *ACTIVE.lock().unwrap_or_else(|e| e.into_inner()));
    for pid in active {
        let pid = nix::unistd::Pid::from_raw(pid as i32);
        let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGKILL);
        let _ = nix::sys::wait::waitpid(pid, None);
    }
}

/// The sampler while one point is measured; `stop` returns its timeline.
pub struct Sampler {
    process: Option<SamplerProcess>,
}

impl Sampler {
    /// Start sampling every `interval` (at least `MIN_INTERVAL`), in the idle
    /// sampler process if there is one for this binary and interval, else a
    /// new one. The timeline ends by itself after `limit`, so the sampler of
    /// an abandoned point does not run forever.
    pub fn start(binary: &Path, interval: Duration, limit: Duration) -> anyhow::Result<Sampler> {
        let interval = interval.max(MIN_INTERVAL);
        let start = format!("start {}", limit.as_millis());
        let idle = IDLE.lock().unwrap_or_else(|e| e.into_inner()).take();
        let (reusable, other) = match idle {
            Some(p) if p.binary == binary && p.interval == interval => (Some(p), None),
            other => (None, other),
        };
        if let Some(process) = other {
            process.kill();
        }
        if let Some(mut process) = reusable {
            if process.send(&start).is_ok() {
                set_active(process.child.id(), true);
                return Ok(Sampler {
                    process: Some(process),
                });
            }
            // It died between points: start a fresh one.
            process.kill();
        }
        let mut process = SamplerProcess::spawn(binary, interval)?;
        process
            .send(&start)
            .context("telling the sampler process to start")?;
        set_active(process.child.id(), true);
        Ok(Sampler {
            process: Some(process),
        })
    }

    /// The sampler process's id.
    pub fn pid(&self) -> Option<u32> {
        self.process.as_ref().map(|p| p.child.id())
    }

    /// End the timeline and read it.
    pub fn stop(&mut self) -> anyhow::Result<Utilisation> {
        let Some(process) = self.process.as_mut() else {
            bail!("the sampler was already stopped");
        };
        process
            .send("stop")
            .context("telling the sampler process to stop")?;
        let mut line = String::new();
        process
            .timelines
            .read_line(&mut line)
            .context("reading the sampler's timeline")?;
        serde_json::from_str(&line).context("the sampler process returned no timeline")
    }

    /// Keep the process for the next point (after `stop`).
    pub fn release(mut self) {
        let Some(process) = self.process.take() else {
            return;
        };
        set_active(process.child.id(), false);
        let mut idle = IDLE.lock().unwrap_or_else(|e| e.into_inner());
        match idle.as_ref() {
            // A point abandoned earlier released its own late: keep one.
            Some(_) => process.kill(),
            None => *idle = Some(process),
        }
    }
}

impl Drop for Sampler {
    fn drop(&mut self) {
        // Dropped without `release` (a failed sample): the process is in the
        // middle of a timeline, so it goes.
        if let Some(process) = self.process.take() {
            set_active(process.child.id(), false);
            process.kill();
        }
    }
}
