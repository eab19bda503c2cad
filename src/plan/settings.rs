//! A point's harness settings (warm-up, measuring time, samples, timeout,
//! sampler interval, the calibration knob) and the command line's overrides.

use std::time::Duration;

/// Harness settings of one point, fully resolved.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    pub warmup: Duration,
    pub measure_time: Duration,
    pub min_samples: u64,
    pub timeout: Duration,
    pub sampler_interval: Duration,
    /// Calibration knob, 0 normally: adds busy work worth this percentage of
    /// each sample's own time, inside the timed region. A real,
    /// measured slowdown for checking that the regression gate catches one.
    pub slowdown_pct: u64,
    /// How long a point that reports progress may make none before it is
    /// stopped as deadlocked.
    pub stall_timeout: Duration,
    /// In how many fresh processes the point's group is measured, each
    /// taking its share of the rounds: what a process draws once (where its
    /// memory lands, where its threads are placed) is then averaged, and the
    /// interval's unit is the process. 1: in this process only.
    pub processes: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            warmup: Duration::from_millis(200),
            measure_time: Duration::from_secs(1),
            min_samples: 10,
            timeout: Duration::from_secs(60),
            sampler_interval: Duration::from_millis(50),
            slowdown_pct: 0,
            stall_timeout: Duration::from_secs(2),
            processes: 1,
        }
    }
}

/// Settings given on the command line; they win over the config.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Overrides {
    pub warmup: Option<Duration>,
    pub measure_time: Option<Duration>,
    pub min_samples: Option<u64>,
    pub timeout: Option<Duration>,
    pub slowdown_pct: Option<u64>,
    /// `--processes`: fresh processes per group, for every point.
    pub processes: Option<u64>,
    /// `--python`: the runtimes external variants run in, instead of the
    /// suite's `interpreters`.
    pub interpreters: Vec<String>,
}

/// The shortest utilisation-sampling interval a suite may ask for; the
/// harness's sampler never samples faster. /proc/stat ticks at 100 Hz:
/// shorter intervals only measure rounding.
pub const MIN_SAMPLER_INTERVAL: Duration = Duration::from_millis(10);
