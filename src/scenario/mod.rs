//! What concbench measures: the `Scenario` and `Trial` traits and a
//! scenario's self-description. The families live in the folders below; the
//! one list of them is `registry`. Adding a scenario is one item in a family
//! file plus one line in `registry::all()`.

pub mod cpu;
pub mod external;
pub mod io;
pub mod ipc;
pub mod lock;
pub mod pattern;
pub mod py_variants;
pub mod queue;
pub mod registry;
pub mod selftest;
pub mod spawn;
pub mod switch;
pub mod sync;
pub mod variant_table;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::vocab::{Family, Model, ParamSpec, Params, Sample};

pub use crate::vocab::VariantInfo;

/// How a scenario describes itself to `list`, the planner and the reports.
#[derive(Debug)]
pub struct ScenarioInfo {
    /// `family.scenario`, e.g. `spawn.start`.
    pub id: &'static str,
    pub family: Family,
    pub summary: &'static str,
    /// What one operation is (`worker`, `round`, `message`).
    pub unit: &'static str,
    pub variants: &'static [VariantInfo],
    pub params: &'static [ParamSpec],
    /// Chart operations/s against this parameter (with the linear-scaling
    /// ideal) rather than ns per operation; for parallel-throughput scenarios.
    pub throughput_vs: Option<&'static str>,
}

impl ScenarioInfo {
    pub fn variant(&self, name: &str) -> Option<&'static VariantInfo> {
        self.all_variants().find(|v| v.name == name)
    }

    /// Its Rust variants, then those that run in another runtime (`py_*`).
    pub fn all_variants(&self) -> impl Iterator<Item = &'static VariantInfo> + '_ {
        self.variants
            .iter()
            .chain(py_variants::variants_of(self.id))
    }

    pub fn param(&self, name: &str) -> Option<&'static ParamSpec> {
        self.params.iter().find(|p| p.name == name)
    }

    /// How the results file describes this scenario to reports.
    pub fn meta(&self) -> crate::results::ScenarioMeta {
        crate::results::ScenarioMeta {
            family: self.family,
            summary: self.summary.to_string(),
            unit: self.unit.to_string(),
            throughput_vs: self.throughput_vs.map(String::from),
            defaults: Params(
                self.params
                    .iter()
                    .map(|p| (p.name.to_string(), p.default))
                    .collect(),
            ),
        }
    }
}

/// What the harness hands a scenario when it builds a trial.
#[derive(Debug, Clone)]
pub struct TrialContext {
    pub variant: &'static str,
    pub model: Model,
    pub params: Params,
    /// Set by the watchdog when the point overran: long trials should stop.
    pub cancel: CancelToken,
    /// Bumped by trials that can stop making progress (deadlock-prone
    /// scenarios); the watchdog stops a point whose armed counter stalls.
    pub progress: Progress,
    /// The concbench binary that process models re-execute (`worker` subcommand).
    pub worker_binary: PathBuf,
    /// The runtime whose worker runs an external variant (`py_*`).
    pub runtime: Option<Arc<crate::model::runtime::Runtime>>,
}

/// A flag the watchdog raises to ask a running point to stop.
#[derive(Debug, Clone, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// A progress counter the stall watchdog reads. Inert until a trial arms it:
/// only trials that bump it as they go are watched for stalls.
#[derive(Debug, Clone, Default)]
pub struct Progress(Arc<ProgressState>);

#[derive(Debug, Default)]
struct ProgressState {
    armed: AtomicBool,
    /// True only while the harness is inside `Trial::run`: time the harness
    /// spends between samples (sampler, verification) is never a stall.
    busy: AtomicBool,
    count: std::sync::atomic::AtomicU64,
}

impl Progress {
    /// Ask the watchdog to treat a stall of this counter as a deadlock.
    pub fn arm(&self) {
        self.0.armed.store(true, Ordering::Relaxed);
    }

    /// Record `n` more units of progress (meals eaten, messages passed).
    pub fn bump(&self, n: u64) {
        self.0.count.fetch_add(n, Ordering::Relaxed);
    }

    pub fn is_armed(&self) -> bool {
        self.0.armed.load(Ordering::Relaxed)
    }

    /// Set by the harness around each `Trial::run`.
    pub fn set_busy(&self, busy: bool) {
        self.0.busy.store(busy, Ordering::Relaxed);
    }

    /// Whether a stall now would be the trial's: armed and inside `run`.
    pub fn is_watched(&self) -> bool {
        self.is_armed() && self.0.busy.load(Ordering::Relaxed)
    }

    pub fn count(&self) -> u64 {
        self.0.count.load(Ordering::Relaxed)
    }
}

/// What the harness measured, handed back to the trial for derived figures.
#[derive(Debug, Clone, Copy)]
pub struct Measured<'a> {
    pub samples: &'a [Sample],
    pub median_ns_per_op: f64,
    pub resources: &'a crate::results::Resources,
}

impl Measured<'_> {
    pub fn total_ops(&self) -> u64 {
        self.samples.iter().map(|s| s.ops).sum()
    }
}

/// One point's workload, set up and ready: the harness times `run` and calls
/// `verify` once at the end. Setup happens in `Scenario::build`, teardown in
/// `Drop`; neither is timed.
pub trait Trial {
    /// Do `rounds` rounds of the work and return how many operations that was
    /// and how long only the operations took.
    fn run(&mut self, rounds: u64) -> anyhow::Result<Sample>;

    /// Prove that every operation really happened (counts, bytes, exit codes).
    fn verify(&mut self) -> anyhow::Result<()>;

    /// Scenario-specific figures derived from the measurement (e.g. wall time
    /// against the ideal, memory per worker).
    fn metrics(&self, _measured: &Measured<'_>) -> BTreeMap<String, f64> {
        BTreeMap::new()
    }

    /// Called once between warm-up and the first timed sample: a trial that
    /// records latencies clears what warm-up recorded.
    fn begin_measurement(&mut self) {}

    /// Per-operation latency percentiles recorded during the timed samples
    /// (see `model::latency::Recorder`), for scenarios that record them.
    fn latency(&self) -> Option<crate::results::Latency> {
        None
    }
}

/// A measurable scenario: describes itself and builds trials for points.
pub trait Scenario: Sync {
    fn info(&self) -> &ScenarioInfo;

    /// Set up a trial for one point (outside the timed region).
    fn build(&self, context: &TrialContext) -> anyhow::Result<Box<dyn Trial>>;

    /// How many operations (of its `unit`) one round of a point is, from
    /// the point's parameters alone: the one definition the Rust trials
    /// count with and a runtime's worker (`external`) is held to. `None`
    /// where the count is the trial's own (meals eaten, messages that
    /// happened to arrive); such a scenario can have no external variants.
    fn ops_per_round(&self, _params: &Params) -> anyhow::Result<Option<u64>> {
        Ok(None)
    }

    /// Refuse a combination of parameters that makes no sense whatever the
    /// machine (e.g. as many permits as threads): bad input, exit 2, with the
    /// config's file and line. Single values are range-checked already.
    fn validate(&self, _model: Model, _params: &Params) -> Result<(), String> {
        Ok(())
    }

    /// Refuse, before anything starts, a point that this machine's limits
    /// (RLIMIT_NPROC, open files, memory, CPUs) cannot run; the harness
    /// records the point `skipped` with the message, which names the limit.
    fn check_limits(&self, _model: Model, _params: &Params) -> Result<(), String> {
        Ok(())
    }

    /// Thin a grid too large to measure whole (e.g. every pair of CPUs on a
    /// large machine), given the time one point takes (warm-up plus
    /// measuring). Keeps every point by default.
    fn select(&self, grid: Vec<Params>, _per_point: std::time::Duration) -> Vec<Params> {
        grid
    }

    /// `check_limits` for limits that depend on the variant too (a transport
    /// the system may lack); the harness calls this one. Defaults to
    /// `check_limits`.
    fn check_variant_limits(
        &self,
        _variant: &str,
        model: Model,
        params: &Params,
    ) -> Result<(), String> {
        self.check_limits(model, params)
    }
}
