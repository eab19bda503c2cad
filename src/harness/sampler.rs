//! A thread that reads per-core busy time from /proc/stat at a fixed interval
//! while a point is measured, and reports the timeline and its own CPU cost.

use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use nix::time::{ClockId, clock_gettime};

use crate::results::Utilisation;
use crate::scenario::CancelToken;

/// /proc/stat ticks at 100 Hz: shorter intervals only measure rounding.
pub const MIN_INTERVAL: Duration = Duration::from_millis(10);

/// Busy and total jiffies of one core.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CoreTimes {
    pub busy: u64,
    pub total: u64,
}

/// Parse the `cpuN` lines of /proc/stat (not the aggregate `cpu` line).
/// Idle, iowait and steal (time the hypervisor gave elsewhere) count as not
/// busy; user, nice, system, irq and softirq as busy.
pub fn parse_proc_stat(text: &str) -> Vec<CoreTimes> {
    text.lines()
        .filter(|line| {
            line.starts_with("cpu") && line.as_bytes().get(3).is_some_and(u8::is_ascii_digit)
        })
        .map(|line| {
            let fields: Vec<u64> = line
                .split_whitespace()
                .skip(1)
                .filter_map(|f| f.parse().ok())
                .collect();
            let total: u64 = fields.iter().take(8).sum();
            let idle: u64 = [3, 4, 7].iter().filter_map(|&i| fields.get(i)).sum();
            CoreTimes {
                busy: total - idle.min(total),
                total,
            }
        })
        .collect()
}

fn read_cores() -> Vec<CoreTimes> {
    std::fs::read_to_string("/proc/stat")
        .map(|t| parse_proc_stat(&t))
        .unwrap_or_default()
}

fn thread_cpu_ns() -> u64 {
    clock_gettime(ClockId::CLOCK_THREAD_CPUTIME_ID)
        .map(|t| t.tv_sec() as u64 * 1_000_000_000 + t.tv_nsec() as u64)
        .unwrap_or(0)
}

/// A running sampler; `stop` ends it and returns the timeline.
pub struct Sampler {
    stop: mpsc::Sender<()>,
    thread: JoinHandle<Utilisation>,
}

impl Sampler {
    /// Start sampling every `interval` (at least `MIN_INTERVAL`). It also
    /// stops by itself if `cancel` is raised, so an abandoned point's sampler
    /// does not run forever.
    pub fn start(interval: Duration, cancel: CancelToken) -> std::io::Result<Sampler> {
        let interval = interval.max(MIN_INTERVAL);
        let (stop, stopped) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("concbench-sampler".into())
            .spawn(move || sample_until_stopped(interval, &stopped, &cancel))?;
        Ok(Sampler { stop, thread })
    }

    pub fn stop(self) -> Utilisation {
        let _ = self.stop.send(());
        self.thread.join().unwrap_or_default()
    }
}

fn sample_until_stopped(
    interval: Duration,
    stopped: &mpsc::Receiver<()>,
    cancel: &CancelToken,
) -> Utilisation {
    let cpu_at_start = thread_cpu_ns();
    let began = Instant::now();
    let mut previous = read_cores();
    let mut previous_at = began;
    let mut timeline = Utilisation {
        interval_ms: interval.as_millis() as u64,
        per_core: vec![Vec::new(); previous.len()],
        ..Utilisation::default()
    };
    loop {
        let last = match stopped.recv_timeout(interval) {
            Err(RecvTimeoutError::Timeout) if !cancel.is_cancelled() => false,
            _ => true,
        };
        // A final partial interval shorter than a tick carries no information.
        if !last || previous_at.elapsed() >= MIN_INTERVAL {
            let now = read_cores();
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
            previous = now;
            previous_at = Instant::now();
        }
        if last {
            break;
        }
    }
    timeline.sampler_cpu_ns = thread_cpu_ns().saturating_sub(cpu_at_start);
    timeline
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_per_core_lines_and_skips_the_aggregate() {
        let text = "cpu  10 0 10 80 0 0 0 0 0 0\n\
                    cpu0 5 0 5 40 0 0 0 0 0 0\n\
                    cpu1 1 1 1 90 5 1 1 4 0 0\n\
                    intr 12345\n";
        let cores = parse_proc_stat(text);
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
    fn sampler_records_one_column_per_core_and_its_own_cost() {
        let sampler = Sampler::start(MIN_INTERVAL, CancelToken::default()).expect("sampler starts");
        std::thread::sleep(Duration::from_millis(60));
        let timeline = sampler.stop();
        assert_eq!(timeline.per_core.len(), read_cores().len());
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
