//! The sampler process's side: per-core utilisation read from /proc/stat at
//! a fixed interval, one timeline per `start`/`stop` pair of commands on
//! stdin, each printed as a JSON line with the CPU time the sampler used.

use std::io::Write;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use nix::sys::resource::{UsageWho, getrusage};
use nix::sys::time::TimeValLike;

use crate::results::Utilisation;

/// The shortest interval sampled (the planner's minimum).
pub use crate::plan::MIN_SAMPLER_INTERVAL as MIN_INTERVAL;

/// Busy and total jiffies of one core.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CoreTimes {
    pub busy: u64,
    pub total: u64,
}

impl CoreTimes {
    /// The core's busy % between `before` and these times (0 if no time
    /// passed).
    pub fn busy_percent_since(&self, before: &CoreTimes) -> f32 {
        let total = self.total.saturating_sub(before.total);
        let busy = self.busy.saturating_sub(before.busy);
        if total == 0 {
            0.0
        } else {
            100.0 * busy as f32 / total as f32
        }
    }
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
pub struct ProcStat {
    file: Option<std::fs::File>,
    buffer: Vec<u8>,
}

impl ProcStat {
    pub fn open() -> ProcStat {
        ProcStat {
            file: std::fs::File::open("/proc/stat").ok(),
            buffer: vec![0; 64 * 1024],
        }
    }

    pub fn read_into(&mut self, cores: &mut Vec<CoreTimes>) {
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

/// What the harness tells the sampler process, one line each on its stdin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// `start <limit_ms>`: begin a timeline, ending by itself after the limit.
    Start(Duration),
    /// `stop`: end the timeline and print it.
    Stop,
    /// stdin ended (the harness is gone) or said something else: exit.
    Quit,
}

impl Command {
    fn parse(line: &str) -> Command {
        let mut words = line.split_ascii_whitespace();
        match (words.next(), words.next().map(str::parse::<u64>)) {
            (Some("start"), Some(Ok(ms))) => Command::Start(Duration::from_millis(ms)),
            (Some("stop"), None) => Command::Stop,
            _ => Command::Quit,
        }
    }
}

/// The sampler process's side: for each `start`, sample until `stop` (or
/// the start's limit), then print the timeline as one JSON line with the CPU
/// time this process used since its last report (start-up included in the
/// first). Ends when stdin does. Returns the exit code.
pub fn run_sampler_process(interval: Duration) -> i32 {
    // Started from the point thread, which may be pinned: sample from
    // wherever the scheduler finds room instead. Pinned is still correct,
    // only costlier for the point, so a failure here is not one.
    let _ = crate::model::placement::unpin_current();
    let (send, commands) = mpsc::channel();
    let reader = std::thread::Builder::new()
        .name("stdin-watch".into())
        .spawn(move || {
            for line in std::io::stdin().lines() {
                let command = line.map_or(Command::Quit, |l| Command::parse(&l));
                if send.send(command).is_err() || command == Command::Quit {
                    return;
                }
            }
            let _ = send.send(Command::Quit);
        });
    if reader.is_err() {
        return 1;
    }
    let interval = interval.max(MIN_INTERVAL);
    let mut reported_cpu_ns = 0;
    loop {
        let limit = match commands.recv() {
            Ok(Command::Start(limit)) => limit,
            Ok(Command::Stop) => continue,
            _ => return 0,
        };
        let (mut timeline, ended_by) = sample_until_stopped(interval, &commands, limit);
        // Past its limit the timeline waits for the stop that asks for it.
        let ended_by = ended_by.unwrap_or_else(|| commands.recv().unwrap_or(Command::Quit));
        if ended_by != Command::Stop {
            return 0;
        }
        let cpu_ns = process_cpu_ns();
        timeline.sampler_cpu_ns = cpu_ns.saturating_sub(reported_cpu_ns);
        reported_cpu_ns = cpu_ns;
        let mut out = std::io::stdout().lock();
        let written = serde_json::to_writer(&mut out, &timeline)
            .map_err(std::io::Error::from)
            .and_then(|()| writeln!(out))
            .and_then(|()| out.flush());
        if written.is_err() {
            return 1;
        }
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

/// Sample until a command arrives (returned with the timeline) or `limit`
/// has passed (None).
pub fn sample_until_stopped(
    interval: Duration,
    commands: &mpsc::Receiver<Command>,
    limit: Duration,
) -> (Utilisation, Option<Command>) {
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
        let (last, ended_by) = match commands.recv_timeout(interval) {
            Err(RecvTimeoutError::Timeout) => (began.elapsed() >= limit, None),
            Err(RecvTimeoutError::Disconnected) => (true, Some(Command::Quit)),
            Ok(command) => (true, Some(command)),
        };
        // A final partial interval shorter than a tick says little; it is
        // kept only when it is all there is, so no timeline is empty.
        if !last || previous_at.elapsed() >= MIN_INTERVAL || timeline.t_ms.is_empty() {
            proc_stat.read_into(&mut now);
            for (core, (before, after)) in previous.iter().zip(&now).enumerate() {
                timeline.per_core[core].push(after.busy_percent_since(before));
            }
            timeline.t_ms.push(began.elapsed().as_millis() as u64);
            std::mem::swap(&mut previous, &mut now);
            previous_at = Instant::now();
        }
        if last {
            return (timeline, ended_by);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sampling_stops_by_itself_at_its_limit() {
        let (_keep, stopped) = mpsc::channel();
        let (timeline, ended_by) =
            sample_until_stopped(MIN_INTERVAL, &stopped, Duration::from_millis(30));
        assert!(!timeline.t_ms.is_empty());
        assert_eq!(ended_by, None);
    }

    #[test]
    fn commands_parse_and_anything_else_quits() {
        assert_eq!(
            Command::parse("start 1500"),
            Command::Start(Duration::from_millis(1500))
        );
        assert_eq!(Command::parse("stop"), Command::Stop);
        for odd in ["", "start", "start soon", "stop now", "go"] {
            assert_eq!(Command::parse(odd), Command::Quit, "{odd:?}");
        }
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
            stop.send(Command::Stop)
        });
        let (timeline, ended_by) =
            sample_until_stopped(MIN_INTERVAL, &stopped, Duration::from_secs(60));
        assert_eq!(ended_by, Some(Command::Stop));
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
