//! The state of the machine a run measured on, beyond its model: what the
//! figures depend on and the run cannot control (frequency scaling, SMT,
//! isolated CPUs, a CPU quota, time stolen by the hypervisor, load at the
//! start, huge pages, address randomisation, who may read performance
//! counters). Read from /proc and /sys without privileges; what cannot be
//! read stays empty, never guessed.

use serde::{Deserialize, Serialize};

/// The environment of one run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Environment {
    /// cpufreq's governor of each CPU that has one (`performance`,
    /// `powersave`, `schedutil`); empty where the kernel exposes none (a VM).
    pub governors: Vec<String>,
    /// Groups of SMT siblings (`0,4`) that have more than one CPU.
    pub smt_siblings: Vec<String>,
    /// `isolated` and `nohz_full` CPU lists (empty: none, or not exposed).
    pub isolated_cpus: String,
    pub nohz_full_cpus: String,
    /// The cgroup's CPU quota, in CPUs (cpu.max or cfs_quota/cfs_period);
    /// None when unlimited or not readable.
    pub cpu_quota: Option<f64>,
    /// The 1-minute load average when the run began (it trails: a run
    /// just finished still shows in it).
    pub load_at_start: Option<f64>,
    /// How busy all CPUs were, in percent, over the 200 ms before the run
    /// began (from /proc/stat): other work on the machine right then.
    #[serde(default)]
    pub busy_pct_at_start: Option<f64>,
    /// The share of all CPU time the hypervisor took (steal) over the run,
    /// in percent; None until the run ends, or where /proc/stat has none.
    pub steal_pct: Option<f64>,
    /// transparent_hugepage's mode (`madvise`), ASLR (randomize_va_space:
    /// 2 full), and perf_event_paranoid.
    pub transparent_hugepages: String,
    pub aslr: Option<u32>,
    pub perf_event_paranoid: Option<i32>,
    /// /proc/stat's total and steal ticks when the run began (to compute
    /// `steal_pct` at its end).
    #[serde(default, skip_serializing)]
    pub stat_at_start: Option<(u64, u64)>,
}

impl Environment {
    /// Read the environment as the run begins.
    pub fn at_start() -> Environment {
        Environment {
            governors: governors(),
            smt_siblings: smt_siblings(),
            isolated_cpus: read_trimmed("/sys/devices/system/cpu/isolated"),
            nohz_full_cpus: read_trimmed("/sys/devices/system/cpu/nohz_full"),
            cpu_quota: cpu_quota(),
            load_at_start: read_trimmed("/proc/loadavg")
                .split_whitespace()
                .next()
                .and_then(|l| l.parse().ok()),
            steal_pct: None,
            busy_pct_at_start: busy_pct_over(std::time::Duration::from_millis(200)),
            transparent_hugepages: selected_mode(&read_trimmed(
                "/sys/kernel/mm/transparent_hugepage/enabled",
            )),
            aslr: read_trimmed("/proc/sys/kernel/randomize_va_space")
                .parse()
                .ok(),
            perf_event_paranoid: read_trimmed("/proc/sys/kernel/perf_event_paranoid")
                .parse()
                .ok(),
            stat_at_start: total_and_steal_ticks(),
        }
    }

    /// The run is over: the steal time since it began.
    pub fn finish(&mut self) {
        if let (Some((total0, steal0)), Some((total1, steal1))) =
            (self.stat_at_start, total_and_steal_ticks())
        {
            let total = total1.saturating_sub(total0);
            if total > 0 {
                self.steal_pct = Some(100.0 * steal1.saturating_sub(steal0) as f64 / total as f64);
            }
        }
    }

    /// One line for a report header: every fact, `-` where none was read.
    pub fn summary(&self) -> String {
        let or_none = |s: &str| {
            if s.is_empty() {
                "none".to_string()
            } else {
                s.to_string()
            }
        };
        let listed = |v: &[String]| {
            if v.is_empty() {
                "none".to_string()
            } else {
                v.join(" ")
            }
        };
        let number =
            |v: Option<f64>, unit: &str| v.map_or("-".to_string(), |v| format!("{v:.2}{unit}"));
        format!(
            "governor {}; SMT siblings {}; isolated CPUs {}; nohz_full {}; CPU quota {}; \
             load at start {}; busy at start {}; steal {}; THP {}; ASLR {}; perf_event_paranoid {}",
            if self.governors.is_empty() {
                "not exposed".to_string()
            } else {
                self.governors.join("/")
            },
            listed(&self.smt_siblings),
            or_none(&self.isolated_cpus),
            or_none(&self.nohz_full_cpus),
            self.cpu_quota
                .map_or("none".to_string(), |q| format!("{q:.2} CPUs")),
            number(self.load_at_start, ""),
            number(self.busy_pct_at_start, "%"),
            number(self.steal_pct, "%"),
            or_none(&self.transparent_hugepages),
            self.aslr.map_or("-".to_string(), |a| a.to_string()),
            self.perf_event_paranoid
                .map_or("-".to_string(), |p| p.to_string()),
        )
    }

    /// What makes this run's figures less comparable with another's, one
    /// line each: time stolen by the hypervisor, a CPU quota below the
    /// cores, a machine already busy when the run began.
    pub fn warnings(&self, cores: usize) -> Vec<String> {
        let mut warnings = Vec::new();
        if let Some(steal) = self.steal_pct.filter(|s| *s >= STEAL_WARN_PCT) {
            warnings.push(format!(
                "the hypervisor took {steal:.1}% of the CPU time during the run (steal): figures include waits for a real CPU"
            ));
        }
        if let Some(quota) = self.cpu_quota.filter(|q| *q < cores as f64) {
            warnings.push(format!(
                "a cgroup CPU quota of {quota:.2} CPUs, below the {cores} cores: parallel figures are capped by it"
            ));
        }
        if let Some(busy) = self.busy_pct_at_start.filter(|b| *b >= BUSY_WARN_PCT) {
            warnings.push(format!(
                "the machine was busy when the run began ({busy:.0}% of its {cores} cores in use): other work shared the CPUs"
            ));
        }
        warnings
    }
}

/// Steal at or above this share of the CPU time is warned about.
const STEAL_WARN_PCT: f64 = 1.0;
/// At or above this share of all CPUs in use just before the run, the
/// machine was busy.
const BUSY_WARN_PCT: f64 = 25.0;

/// How busy all CPUs were over `window`, in percent (idle and iowait ticks
/// are idle).
fn busy_pct_over(window: std::time::Duration) -> Option<f64> {
    let before = idle_and_total_ticks()?;
    std::thread::sleep(window);
    let after = idle_and_total_ticks()?;
    let total = after.1.saturating_sub(before.1);
    (total > 0).then(|| 100.0 * (1.0 - after.0.saturating_sub(before.0) as f64 / total as f64))
}

/// /proc/stat's aggregate line: (idle + iowait ticks, all ticks).
fn idle_and_total_ticks() -> Option<(u64, u64)> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let ticks: Vec<u64> = stat
        .lines()
        .next()?
        .split_whitespace()
        .skip(1)
        .filter_map(|w| w.parse().ok())
        .collect();
    Some((ticks.get(3)? + ticks.get(4)?, ticks.iter().take(8).sum()))
}

/// The CPUs the kernel has online (whether or not this process may use
/// them), for reading per-CPU files in /sys: one past the highest of
/// `/sys/devices/system/cpu/online` (`0-3,8-11`).
fn cpus_online() -> usize {
    read_trimmed("/sys/devices/system/cpu/online")
        .split([',', '-'])
        .filter_map(|n| n.parse::<usize>().ok())
        .max()
        .map_or_else(
            || std::thread::available_parallelism().map_or(1, |n| n.get()),
            |last| last + 1,
        )
}

fn read_trimmed(path: &str) -> String {
    std::fs::read_to_string(path)
        .map(|s| s.trim().to_string())
        .unwrap_or_default()
}

/// `always [madvise] never` -> `madvise`.
fn selected_mode(text: &str) -> String {
    text.split_whitespace()
        .find_map(|w| w.strip_prefix('[')?.strip_suffix(']'))
        .unwrap_or(text)
        .to_string()
}

/// Each CPU's governor, de-duplicated in CPU order.
fn governors() -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for cpu in 0..cpus_online() {
        let governor = read_trimmed(&format!(
            "/sys/devices/system/cpu/cpu{cpu}/cpufreq/scaling_governor"
        ));
        if !governor.is_empty() && !found.contains(&governor) {
            found.push(governor);
        }
    }
    found
}

/// The sibling lists of more than one CPU, de-duplicated.
fn smt_siblings() -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for cpu in 0..cpus_online() {
        let list = read_trimmed(&format!(
            "/sys/devices/system/cpu/cpu{cpu}/topology/thread_siblings_list"
        ));
        let several = list.contains(',') || list.contains('-');
        if several && !found.contains(&list) {
            found.push(list);
        }
    }
    found
}

/// The CPU quota in CPUs: cgroup v2's cpu.max (`max 100000` or `50000
/// 100000`), else v1's cfs_quota_us over cfs_period_us (-1: none).
fn cpu_quota() -> Option<f64> {
    let v2 = read_trimmed("/sys/fs/cgroup/cpu.max");
    if !v2.is_empty() {
        return parse_quota(&v2);
    }
    let quota = read_trimmed("/sys/fs/cgroup/cpu/cpu.cfs_quota_us");
    let period = read_trimmed("/sys/fs/cgroup/cpu/cpu.cfs_period_us");
    parse_quota(&format!("{quota} {period}"))
}

fn parse_quota(text: &str) -> Option<f64> {
    let mut words = text.split_whitespace();
    let quota: f64 = words.next()?.parse().ok()?;
    let period: f64 = words.next()?.parse().ok()?;
    (quota > 0.0 && period > 0.0).then(|| quota / period)
}

/// /proc/stat's aggregate `cpu` line: (all ticks, steal ticks).
fn total_and_steal_ticks() -> Option<(u64, u64)> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    parse_cpu_line(stat.lines().next()?)
}

fn parse_cpu_line(line: &str) -> Option<(u64, u64)> {
    let mut words = line.split_whitespace();
    (words.next()? == "cpu").then_some(())?;
    let ticks: Vec<u64> = words.filter_map(|w| w.parse().ok()).collect();
    // user nice system idle iowait irq softirq steal [guest guest_nice]:
    // guest time is already counted in user, so the total stops at steal.
    let steal = *ticks.get(7)?;
    Some((ticks.iter().take(8).sum(), steal))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_files_read_as_they_are_written() {
        assert_eq!(selected_mode("always [madvise] never"), "madvise");
        assert_eq!(parse_quota("max 100000"), None);
        assert_eq!(parse_quota("-1 100000"), None);
        assert_eq!(parse_quota("150000 100000"), Some(1.5));
        let line = "cpu  370846 59 67990 179212 2262 0 657 638 0 0";
        assert_eq!(parse_cpu_line(line), Some((621664, 638)));
        assert_eq!(parse_cpu_line("intr 1 2 3"), None);
    }

    #[test]
    fn warnings_name_steal_a_quota_and_a_busy_start() {
        let quiet = Environment {
            steal_pct: Some(0.1),
            // A trailing load average alone (the run before) is no warning.
            load_at_start: Some(1.8),
            busy_pct_at_start: Some(3.0),
            ..Environment::default()
        };
        assert!(quiet.warnings(2).is_empty());
        let noisy = Environment {
            steal_pct: Some(4.0),
            cpu_quota: Some(1.0),
            busy_pct_at_start: Some(60.0),
            ..Environment::default()
        };
        let said = noisy.warnings(2).join("\n");
        assert!(
            said.contains("4.0%")
                && said.contains("quota of 1.00")
                && said.contains("60% of its 2"),
            "{said}"
        );
    }

    #[test]
    fn this_machine_reads_without_error() {
        let mut environment = Environment::at_start();
        environment.finish();
        assert!(
            environment
                .steal_pct
                .is_none_or(|s| (0.0..=100.0).contains(&s))
        );
    }
}
