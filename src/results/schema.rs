//! The results schema (v1): what a run writes and every report reads. Plain
//! serde data; `read` refuses files it does not understand, with a reason.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::vocab::{Family, Model, Params, Sample, Status};

pub const SCHEMA: &str = "concbench.results/2";
/// The previous schema, still read: its points' summaries are recomputed
/// from their samples on reading (v1's bootstrap intervals claimed 95% from
/// as few as 2 samples), otherwise it is v2 with fewer optional fields.
pub const SCHEMA_V1: &str = "concbench.results/1";

/// A whole run: header, host, harness and one record per point.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RunResults {
    pub schema: String,
    pub run: RunInfo,
    pub host: crate::host::HostInfo,
    /// The machine's state during the run (see `host::Environment`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<crate::host::Environment>,
    /// Which CPUs share what (see `host::Topology`); absent in files
    /// written before 2026-12.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topology: Option<crate::host::Topology>,
    pub harness: HarnessInfo,
    /// What each scenario of the run is, so readers need no registry.
    #[serde(default)]
    pub scenarios: BTreeMap<String, ScenarioMeta>,
    pub results: Vec<PointResult>,
}

/// The first line of results.jsonl: everything but the points.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Header {
    pub schema: String,
    pub run: RunInfo,
    pub host: crate::host::HostInfo,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<crate::host::Environment>,
    /// Which CPUs share what (see `host::Topology`); absent in files
    /// written before 2026-12.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topology: Option<crate::host::Topology>,
    pub harness: HarnessInfo,
    #[serde(default)]
    pub scenarios: BTreeMap<String, ScenarioMeta>,
}

/// A scenario as reports need it: a title, its unit, and how to chart it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ScenarioMeta {
    pub family: Family,
    pub summary: String,
    pub unit: String,
    /// When set, scaling charts plot operations/s against this parameter,
    /// with the linear-scaling ideal from the smallest value's figure.
    /// Otherwise they plot ns per operation (a cost).
    #[serde(default)]
    pub throughput_vs: Option<String>,
    /// The parameter values comparison charts are drawn at.
    #[serde(default)]
    pub defaults: Params,
}

impl Header {
    /// The whole run, once its points are known.
    pub fn with_results(self, results: Vec<PointResult>) -> RunResults {
        RunResults {
            schema: self.schema,
            run: self.run,
            host: self.host,
            environment: self.environment,
            topology: self.topology,
            harness: self.harness,
            scenarios: self.scenarios,
            results,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RunInfo {
    pub id: String,
    pub started: String,
    pub finished: Option<String>,
    pub tool_version: String,
    pub git_commit: Option<String>,
    /// The suite file the plan came from.
    pub config: String,
    pub argv: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct HarnessInfo {
    pub sampler_interval_ms: u64,
    /// CPU time the utilisation sampler used over the whole run.
    pub sampler_cpu_ns: u64,
    pub warmup_ms: u64,
    pub measure_time_ms: u64,
    pub min_samples: u64,
    pub timeout_ms: u64,
    /// The drift monitor: the machine's speed through the run, timed on a
    /// fixed reference workload between groups of points.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub drift: Vec<DriftProbe>,
    /// Wall time the drift monitor's probes took in all.
    #[serde(default)]
    pub drift_cost_ns: u64,
}

/// One timing of the drift monitor's reference workload.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct DriftProbe {
    /// When, in ms since the run began.
    pub at_ms: u64,
    /// ns per step of the reference workload (lower is a faster machine).
    pub ns_per_step: f64,
    /// ns per step of the wide reference workload (independent multiplies:
    /// bound by the core's throughput, where the chain is bound by its
    /// latency). A busy neighbour on the host's core (an SMT sibling) slows
    /// it while the chain barely notices. Absent in files written before it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wide_ns_per_step: Option<f64>,
}

/// One measured point.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PointResult {
    /// `scenario/variant/model/params`: stable across runs, how `compare` pairs.
    pub id: String,
    pub family: Family,
    pub scenario: String,
    pub variant: String,
    pub model: Model,
    pub params: Params,
    pub status: Status,
    /// The outcome the suite declared this point is meant to show
    /// (`expect = "deadlocked"`); absent for points meant to finish ok.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected: Option<Status>,
    pub error: Option<String>,
    pub unit: String,
    /// Wall time of the whole point: setup, warm-up, samples, verification.
    pub elapsed_ns: u64,
    pub samples: Vec<Sample>,
    pub summary: Option<Summary>,
    pub latency_ns: Option<Latency>,
    pub resources: Option<Resources>,
    pub utilisation: Option<Utilisation>,
    /// Figures the scenario derives from the measurement (see `list`).
    pub metrics: BTreeMap<String, f64>,
    /// The group of points measured with this one in interleaved rounds
    /// (one sample of each point still wanting one per round, in a shuffled
    /// order), so any two of them compare round by round over the rounds
    /// both sampled (`paired_rounds`, `paired_ratios`). Absent for a point
    /// measured alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paired_group: Option<String>,
    /// For a point of a paired group: the round each sample was taken in.
    /// A point that has its samples sits out the group's later rounds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paired_rounds: Option<Vec<u32>>,
    /// For an external variant (`py_*`): the runtime it ran in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runtime: Option<RuntimeRecord>,
    /// When its group was measured in several fresh processes (`processes`
    /// setting): the process each sample was taken in, 0 up. Its summary's
    /// median and interval are then over the processes' own medians, and
    /// its comparisons use the process as the unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub draws: Option<Vec<u32>>,
    /// Where its parties ran, per sample (see `results::Observation`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placement: Option<super::placement::Observation>,
    /// Its median in each of the earlier runs of this machine the history
    /// store kept (the newest ten before this run), read when the run was
    /// written: a finding this run states is held against them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub earlier_medians: Vec<EarlierMedian>,
}

/// A point's median in one earlier run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct EarlierMedian {
    /// When that run started (RFC 3339): two points' medians of the same
    /// run are compared with each other.
    pub run: String,
    /// Median ns per operation.
    pub median: f64,
}

/// The runtime an external variant ran in, as its worker described itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RuntimeRecord {
    /// The name the run gave it (`python3.13t`), as in the point's id.
    pub name: String,
    /// What the worker says it is (`cpython`); empty if it never started.
    pub runtime: String,
    pub version: String,
    /// Whether its global interpreter lock was on (None: it has none, or
    /// the worker never started).
    pub gil_enabled: Option<bool>,
}

impl PointResult {
    /// Whether the point went wrong: a failure it was not meant to show, or
    /// an outcome it was meant to show that did not come (a point declared
    /// to deadlock that finished ok). Skipped is never a failure.
    pub fn is_failure(&self) -> bool {
        match self.expected {
            Some(expected) => self.status != expected && self.status != Status::Skipped,
            None => self.status.is_failure(),
        }
    }

    /// `other`'s time per operation over this point's, round by round (the
    /// rounds both took a sample in), when both were measured in the same
    /// interleaved rounds; None when they were not (a comparison of the two
    /// would then be unpaired) or shared fewer than two rounds.
    pub fn paired_ratios(&self, other: &PointResult) -> Option<Vec<f64>> {
        let same_group = self.paired_group.is_some() && self.paired_group == other.paired_group;
        if !same_group {
            return None;
        }
        let rounds = |p: &PointResult| -> Vec<u32> {
            p.paired_rounds
                .clone()
                .unwrap_or_else(|| (0..p.samples.len() as u32).collect())
        };
        let theirs: BTreeMap<u32, &Sample> =
            rounds(other).into_iter().zip(&other.samples).collect();
        let per_op = |s: &Sample| s.ns.max(1) as f64 / s.ops.max(1) as f64;
        let ratios: Vec<f64> = rounds(self)
            .into_iter()
            .zip(&self.samples)
            .filter_map(|(round, mine)| Some(per_op(theirs.get(&round)?) / per_op(mine)))
            .collect();
        (ratios.len() >= 2).then_some(ratios)
    }

    /// `paired_ratios`, grouped by the process both samples of a round were
    /// taken in, when the two were measured in several fresh processes
    /// (`draws`); None otherwise.
    pub fn paired_ratios_by_draw(&self, other: &PointResult) -> Option<Vec<Vec<f64>>> {
        let (mine, theirs) = (self.draws.as_ref()?, other.draws.as_ref()?);
        let same_group = self.paired_group.is_some() && self.paired_group == other.paired_group;
        let (my_rounds, their_rounds) =
            (self.paired_rounds.as_ref()?, other.paired_rounds.as_ref()?);
        if !same_group {
            return None;
        }
        let per_op = |s: &Sample| s.ns.max(1) as f64 / s.ops.max(1) as f64;
        let theirs: BTreeMap<(u32, u32), &Sample> = their_rounds
            .iter()
            .zip(theirs)
            .map(|(&round, &draw)| (draw, round))
            .zip(&other.samples)
            .collect();
        let mut groups: BTreeMap<u32, Vec<f64>> = BTreeMap::new();
        for ((&round, &draw), sample) in my_rounds.iter().zip(mine).zip(&self.samples) {
            if let Some(their) = theirs.get(&(draw, round)) {
                groups
                    .entry(draw)
                    .or_default()
                    .push(per_op(their) / per_op(sample));
            }
        }
        (groups.len() >= 2).then(|| groups.into_values().collect())
    }

    /// How a person reads the outcome: `ok`, `deadlocked (as expected)`,
    /// `ok (expected deadlocked)`.
    pub fn status_text(&self) -> String {
        match self.expected {
            Some(expected) if expected == self.status => {
                format!("{} (as expected)", self.status.word())
            }
            Some(expected) if self.status != Status::Skipped => {
                format!("{} (expected {})", self.status.word(), expected.word())
            }
            _ => self.status.word().to_string(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Summary {
    pub ns_per_op: Estimate,
    pub ops_per_s: f64,
    pub outliers: Outliers,
}

impl Estimate {
    /// The 95% interval of the median, when there is one.
    pub fn interval(&self) -> Option<(f64, f64)> {
        self.ci95_lo.zip(self.ci95_hi)
    }
}

/// Statistics of the per-sample ns/op values.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Estimate {
    pub median: f64,
    /// The order-statistic 95% interval of the median (true at every n);
    /// absent with fewer than 6 samples, where no 95% interval exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ci95_lo: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ci95_hi: Option<f64>,
    pub mean: f64,
    pub stddev: f64,
    pub min: f64,
    pub max: f64,
}

/// Samples outside Tukey's fences (1.5 and 3 IQR beyond the quartiles).
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
pub struct Outliers {
    pub low_severe: u64,
    pub low_mild: u64,
    pub high_mild: u64,
    pub high_severe: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Latency {
    pub p50: u64,
    pub p90: u64,
    pub p99: u64,
    pub p999: u64,
    pub max: u64,
    pub count: u64,
}

/// getrusage deltas over the measured samples (warm-up excluded).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Resources {
    pub wall_ns: u64,
    pub user_ns: u64,
    pub sys_ns: u64,
    pub voluntary_cs: u64,
    pub involuntary_cs: u64,
    pub minor_faults: u64,
    /// Peak resident set of this process during the samples.
    pub max_rss_bytes: u64,
    /// Resident set when the samples began.
    pub start_rss_bytes: u64,
    /// Children reaped during the samples (RUSAGE_CHILDREN).
    pub children: ChildResources,
}

/// getrusage deltas of the children reaped during the samples: their CPU,
/// context switches and faults. No memory figure: results written before
/// 2026-12 also had `max_rss_bytes` here, RUSAGE_CHILDREN's largest resident
/// set of any descendant reaped so far (the compiler `cargo run` ran before,
/// an earlier point's child), never this point's. It is ignored when such a
/// file is read. What process workers hold while they live is the metric
/// `child_memory_per_worker_bytes` (`child_memory_per_task_bytes`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ChildResources {
    pub user_ns: u64,
    pub sys_ns: u64,
    pub voluntary_cs: u64,
    pub involuntary_cs: u64,
    pub minor_faults: u64,
}

/// Per-core busy percentage over time, from /proc/stat.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Utilisation {
    pub interval_ms: u64,
    /// End of each interval, ms since the samples began.
    pub t_ms: Vec<u64>,
    /// `per_core[core][i]`: busy % of `core` in interval `i`.
    pub per_core: Vec<Vec<f32>>,
    /// CPU time the sampler thread itself used during this point.
    pub sampler_cpu_ns: u64,
}
