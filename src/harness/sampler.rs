//! Per-core utilisation while a point is measured: a separate sampler process
//! (`concbench worker sample`) reads /proc/stat at a fixed interval and, when
//! told to stop, returns the timeline and the CPU time it used. A process,
//! not a thread, so that what a scenario does to the measured process's
//! address space (fork write-protects all of it) neither stalls the sampler
//! nor bills it, and the sampler's own time stays out of the point's rusage.

use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use std::io::Read;
use std::process::{Command, Stdio};

use anyhow::Context;
use nix::sys::resource::{UsageWho, getrusage};
use nix::sys::time::TimeValLike;

use crate::results::Utilisation;

/// /proc/stat ticks at 100 Hz: shorter intervals only measure rounding.
pub const MIN_INTERVAL: Duration = Duration::from_millis(10);

/// Busy and total jiffies of one core.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CoreTimes {
    pub busy: u64,
    pub total: u64,
}

/// Parse the `cpuN` lines of /proc/stat (not the aggregate `cpu` line) into
/// `cores`, reusing its storage. Idle, iowait and steal (time the hypervisor
/// gave elsewhere) count as not busy; user, nice, system, irq and softirq as
/// busy.
pub fn parse_proc_stat(text: &str, cores: &mut Vec<CoreTimes>) {
    cores.clear();
    let per_core = text.lines().filter(|line| {
        line.starts_with("cpu") && line.as_bytes().get(3).is_some_and(u8::is_ascii_digit)
    });
    for line in per_core {
        let (mut busy, mut total) = (0u64, 0u64);
        let fields = line.split_ascii_whitespace().skip(1).take(8);
        for (index, value) in fields.map(|f| f.parse::<u64>().unwrap_or(0)).enumerate() {
            total += value;
            if !matches!(index, 3 | 4 | 7) {
                busy += value;
            }
        }
        cores.push(CoreTimes { busy, total });
    }
}

/// /proc/stat, opened once and re-read in place with `pread`.
struct ProcStat {
    file: Option<std::fs::File>,
    buffer: Vec<u8>,
}

impl ProcStat {
    fn open() -> ProcStat {
        ProcStat {
            file: std::fs::File::open("/proc/stat").ok(),
            buffer: vec![0; 64 * 1024],
        }
    }

    fn read_into(&mut self, cores: &mut Vec<CoreTimes>) {
        use std::os::unix::fs::FileExt;
        let Some(file) = &self.file else {
            cores.clear();
            return;
        };
        let length = file.read_at(&mut self.buffer, 0).unwrap_or(0);
        parse_proc_stat(
            std::str::from_utf8(&self.buffer[..length]).unwrap_or(""),
            cores,
        );
    }
}

/// A running sampler process; `stop` ends it and returns the timeline.
pub struct Sampler {
    child: std::process::Child,
}

impl Sampler {
    /// Start a sampler process reading every `interval` (at least
    /// `MIN_INTERVAL`); it stops by itself after `limit`, so the sampler of
    /// an abandoned point does not run forever.
    pub fn start(
        binary: &std::path::Path,
        interval: Duration,
        limit: Duration,
    ) -> anyhow::Result<Sampler> {
        let task = crate::model::worker::WorkerTask::Sample {
            interval_ms: interval.max(MIN_INTERVAL).as_millis() as u64,
            limit_ms: limit.as_millis() as u64,
        };
        let child = Command::new(binary)
            .args(task.args())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("starting the sampler process {}", binary.display()))?;
        Ok(Sampler { child })
    }

    /// Tell the sampler to stop (close its stdin) and read its timeline. The
    /// child is left to `reap` so that the caller decides which rusage
    /// window its CPU time falls in (none: it is reported on its own).
    pub fn stop(&mut self) -> anyhow::Result<Utilisation> {
        drop(self.child.stdin.take());
        let mut output = String::new();
        if let Some(mut stdout) = self.child.stdout.take() {
            stdout
                .read_to_string(&mut output)
                .context("reading the sampler's timeline")?;
        }
        serde_json::from_str(&output).context("the sampler process returned no timeline")
    }

    pub fn reap(mut self) {
        let _ = self.child.wait();
    }
}

impl Drop for Sampler {
    fn drop(&mut self) {
        // On an early exit (a failed sample) the child must not linger.
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The sampler process's side: sample until stdin closes or `limit` passes,
/// then print the timeline as JSON. Returns the exit code.
pub fn run_sampler_process(interval: Duration, limit: Duration) -> i32 {
    // Started from the point thread, which may be pinned: sample from
    // wherever the scheduler finds room instead. Pinned is still correct,
    // only costlier for the point, so a failure here is not one.
    let _ = crate::model::placement::unpin_current();
    let (stop, stopped) = mpsc::channel();
    let reader = std::thread::Builder::new()
        .name("stdin-watch".into())
        .spawn(move || {
            let mut sink = [0u8; 64];
            while matches!(std::io::stdin().read(&mut sink), Ok(n) if n > 0) {}
            let _ = stop.send(());
        });
    if reader.is_err() {
        return 1;
    }
    let mut timeline = sample_until_stopped(interval.max(MIN_INTERVAL), &stopped, limit);
    timeline.sampler_cpu_ns = process_cpu_ns();
    match serde_json::to_writer(std::io::stdout().lock(), &timeline) {
        Ok(()) => 0,
        Err(_) => 1,
    }
}

/// All the CPU this process used, start-up included: the sampler's full cost.
fn process_cpu_ns() -> u64 {
    getrusage(UsageWho::RUSAGE_SELF)
        .map(|u| {
            (u.user_time().num_nanoseconds() + u.system_time().num_nanoseconds()).max(0) as u64
        })
        .unwrap_or(0)
}

/// Sample until `stopped` fires or `limit` has passed.
pub fn sample_until_stopped(
    interval: Duration,
    stopped: &mpsc::Receiver<()>,
    limit: Duration,
) -> Utilisation {
    let began = Instant::now();
    let mut proc_stat = ProcStat::open();
    let (mut previous, mut now) = (Vec::new(), Vec::new());
    proc_stat.read_into(&mut previous);
    let mut previous_at = began;
    let mut timeline = Utilisation {
        interval_ms: interval.as_millis() as u64,
        per_core: vec![Vec::new(); previous.len()],
        ..Utilisation::default()
    };
    loop {
        let last = match stopped.recv_timeout(interval) {
            Err(RecvTimeoutError::Timeout) => began.elapsed() >= limit,
            _ => true,
        };
        // A final partial interval shorter than a tick says little; it is
        // kept only when it is all there is, so no timeline is empty.
        if !last || previous_at.elapsed() >= MIN_INTERVAL || timeline.t_ms.is_empty() {
            proc_stat.read_into(&mut now);
            for (core, (before, after)) in previous.iter().zip(&now).enumerate() {
                let total = after.total.saturating_sub(before.total);
                let busy = after.busy.saturating_sub(before.busy);
                let percent = if total == 0 {
                    0.0
                } else {
                    100.0 * busy as f32 / total as f32
                };
                timeline.per_core[core].push(percent);
            }
            timeline.t_ms.push(began.elapsed().as_millis() as u64);
            std::mem::swap(&mut previous, &mut now);
            previous_at = Instant::now();
        }
        if last {
            return timeline;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sampling_stops_by_itself_at_its_limit() {
        let (_keep, stopped) = mpsc::channel();
        let timeline = sample_until_stopped(MIN_INTERVAL, &stopped, Duration::from_millis(30));
        assert!(!timeline.t_ms.is_empty());
    }

    #[test]
    fn parses_per_core_lines_and_skips_the_aggregate() {
        let text = "cpu  10 0 10 80 0 0 0 0 0 0\n\
                    cpu0 5 0 5 40 0 0 0 0 0 0\n\
                    cpu1 1 1 1 90 5 1 1 4 0 0\n\
                    intr 12345\n";
        let mut cores = Vec::new();
        parse_proc_stat(text, &mut cores);
        assert_eq!(
            cores,
            vec![
                CoreTimes {
                    busy: 10,
                    total: 50
                },
                CoreTimes {
                    busy: 5,
                    total: 104
                }
            ]
        );
    }

    #[test]
    fn sampling_records_one_column_per_core() {
        let (stop, stopped) = mpsc::channel();
        let stopper = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(60));
            stop.send(())
        });
        let timeline = sample_until_stopped(MIN_INTERVAL, &stopped, Duration::from_secs(60));
        stopper
            .join()
            .expect("stopper thread")
            .expect("sampler listening");
        let mut cores = Vec::new();
        ProcStat::open().read_into(&mut cores);
        assert_eq!(timeline.per_core.len(), cores.len());
        assert!(!timeline.t_ms.is_empty());
        assert!(
            timeline
                .per_core
                .iter()
                .all(|core| core.len() == timeline.t_ms.len())
        );
        assert!(
            timeline
                .per_core
                .iter()
                .flatten()
                .all(|p| (0.0..=100.0).contains(p))
        );
    }
}
