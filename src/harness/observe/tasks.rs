//! One task (a thread of this process or of a child process) as the kernel
//! reports it in /proc, read without privileges: the CPU it last ran on
//! (`stat`), and its CPU time, migrations and voluntary and involuntary
//! switches so far (`sched`). The files stay open and are re-read from
//! offset 0, so a reading costs two reads, not two opens.

use std::fs::File;
use std::os::unix::fs::FileExt;

/// A task's figures at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct TaskState {
    pub cpu: u32,
    /// se.sum_exec_runtime, in ns.
    pub cpu_ns: u64,
    pub migrations: u64,
    pub voluntary: u64,
    pub involuntary: u64,
}

/// A task's /proc files, open.
pub struct TaskFiles {
    stat: File,
    sched: File,
}

impl TaskFiles {
    /// Open task `tid` of process `pid`; None when it is gone or the files
    /// cannot be read (a kernel without CONFIG_SCHED_DEBUG has no `sched`).
    pub fn open(pid: i32, tid: i32) -> Option<TaskFiles> {
        let base = format!("/proc/{pid}/task/{tid}");
        Some(TaskFiles {
            stat: File::open(format!("{base}/stat")).ok()?,
            sched: File::open(format!("{base}/sched")).ok()?,
        })
    }

    /// Read the task now; None once it has exited.
    pub fn read(&self, buffer: &mut Vec<u8>) -> Option<TaskState> {
        let cpu = parse_cpu(read_at_start(&self.stat, buffer)?)?;
        let mut state = parse_sched(read_at_start(&self.sched, buffer)?)?;
        state.cpu = cpu;
        Some(state)
    }
}

/// The whole file from its start, into `buffer`.
fn read_at_start<'a>(file: &File, buffer: &'a mut Vec<u8>) -> Option<&'a str> {
    buffer.resize(8192, 0);
    let mut filled = 0;
    loop {
        if filled == buffer.len() {
            buffer.resize(buffer.len() * 2, 0);
        }
        match file.read_at(&mut buffer[filled..], filled as u64) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(_) => return None,
        }
    }
    std::str::from_utf8(&buffer[..filled]).ok()
}

/// Field 39 of `stat` (the CPU the task last ran on), counted after the
/// command name's closing parenthesis, since the name may hold spaces.
fn parse_cpu(stat: &str) -> Option<u32> {
    let after_name = &stat[stat.rfind(')')? + 1..];
    // Fields 3.. follow the name; field 39 is the 37th of them.
    after_name.split_whitespace().nth(36)?.parse().ok()
}

/// The figures of `sched` this module keeps.
fn parse_sched(sched: &str) -> Option<TaskState> {
    let mut state = TaskState::default();
    let mut seen = 0;
    for line in sched.lines() {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match key.trim() {
            // Milliseconds with six decimals: ns exactly.
            "se.sum_exec_runtime" => state.cpu_ns = parse_ms_as_ns(value)?,
            "se.nr_migrations" => state.migrations = value.parse().ok()?,
            "nr_voluntary_switches" => state.voluntary = value.parse().ok()?,
            "nr_involuntary_switches" => state.involuntary = value.parse().ok()?,
            _ => continue,
        }
        seen += 1;
    }
    (seen == 4).then_some(state)
}

/// `1234.567890` (ms) -> 1 234 567 890 ns, without a float's rounding.
fn parse_ms_as_ns(value: &str) -> Option<u64> {
    let (whole, fraction) = value.split_once('.').unwrap_or((value, "0"));
    let mut digits = fraction.to_string();
    digits.truncate(6);
    while digits.len() < 6 {
        digits.push('0');
    }
    Some(whole.parse::<u64>().ok()? * 1_000_000 + digits.parse::<u64>().ok()?)
}

/// The thread ids of process `pid` now.
pub fn tids(pid: i32) -> Vec<i32> {
    std::fs::read_dir(format!("/proc/{pid}/task"))
        .map(|entries| {
            entries
                .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
                .collect()
        })
        .unwrap_or_default()
}

/// The children of every thread of this process now.
pub fn children() -> Vec<i32> {
    let me = std::process::id() as i32;
    let mut found = Vec::new();
    for tid in tids(me) {
        let path = format!("/proc/{me}/task/{tid}/children");
        if let Ok(list) = std::fs::read_to_string(path) {
            found.extend(
                list.split_whitespace()
                    .filter_map(|p| p.parse::<i32>().ok()),
            );
        }
    }
    found.sort_unstable();
    found.dedup();
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_and_sched_parse_as_the_kernel_writes_them() {
        let stat = "4242 (a (weird) name) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 1 0 0";
        assert_eq!(parse_cpu(stat), Some(1));
        let sched = "cat (15582, #threads: 1)\n---\nse.exec_start : 3235481.144982\n\
                     se.sum_exec_runtime : 12.062522\nse.nr_migrations : 3\nnr_switches : 9\n\
                     nr_voluntary_switches : 7\nnr_involuntary_switches : 2\n";
        let state = parse_sched(sched).expect("parsed");
        assert_eq!(
            (
                state.cpu_ns,
                state.migrations,
                state.voluntary,
                state.involuntary
            ),
            (12_062_522, 3, 7, 2)
        );
        assert_eq!(parse_ms_as_ns("5"), Some(5_000_000));
        assert_eq!(parse_sched("se.nr_migrations : 3\n"), None, "incomplete");
    }

    #[test]
    fn this_thread_reads_and_its_cpu_time_grows() {
        let (pid, tid) = (std::process::id() as i32, nix::unistd::gettid().as_raw());
        let files = TaskFiles::open(pid, tid).expect("this thread's files");
        let mut buffer = Vec::new();
        let before = files.read(&mut buffer).expect("read");
        let mut x = 0u64;
        for i in 0..2_000_000u64 {
            x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(i));
        }
        // The kernel adds a running task's time to se.sum_exec_runtime at a
        // tick or a switch: a new thread that has had neither reads 0 (and
        // failed this test 2 times in 5 while a build ran). A sleep is a
        // switch, so the loop's time is in by the next read.
        std::thread::sleep(std::time::Duration::from_millis(1));
        let after = files.read(&mut buffer).expect("read again");
        assert!(after.cpu_ns > before.cpu_ns, "{before:?} {after:?}");
        assert!(after.voluntary > before.voluntary, "the sleep was a switch");
        assert!(tids(pid).contains(&tid));
    }
}
