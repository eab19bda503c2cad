//! The words every layer shares: families, models, parameters, samples,
//! point ids and statuses. The bottom of the crate: it imports nothing of
//! concbench, and everything else may import it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The scenario families of the project's specification (kept outside this
/// repository; `docs/scenarios.md` lists them), plus `selftest` (the
/// harness's own checks).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    Spawn,
    Cpu,
    Io,
    Lock,
    Sync,
    Queue,
    Ipc,
    Switch,
    Pattern,
    Selftest,
}

/// How the workers of a point run.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Model {
    Serial,
    Thread,
    Pool,
    Process,
    ProcessPool,
    Async,
}

impl Model {
    pub const ALL: [Model; 6] = [
        Model::Serial,
        Model::Thread,
        Model::Pool,
        Model::Process,
        Model::ProcessPool,
        Model::Async,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Model::Serial => "serial",
            Model::Thread => "thread",
            Model::Pool => "pool",
            Model::Process => "process",
            Model::ProcessPool => "process_pool",
            Model::Async => "async",
        }
    }

    pub fn from_name(name: &str) -> Option<Model> {
        Model::ALL.into_iter().find(|m| m.name() == name)
    }
}

impl Family {
    pub fn name(self) -> &'static str {
        match self {
            Family::Spawn => "spawn",
            Family::Cpu => "cpu",
            Family::Io => "io",
            Family::Lock => "lock",
            Family::Sync => "sync",
            Family::Queue => "queue",
            Family::Ipc => "ipc",
            Family::Switch => "switch",
            Family::Pattern => "pattern",
            Family::Selftest => "selftest",
        }
    }
}

/// One knob of a scenario: an integer with a default and an inclusive range.
#[derive(Debug)]
pub struct ParamSpec {
    pub name: &'static str,
    pub default: u64,
    pub min: u64,
    pub max: u64,
    pub help: &'static str,
}

/// One timed sample: `ops` operations took `ns` nanoseconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Sample {
    pub ops: u64,
    pub ns: u64,
}

/// The parameter values of one point, all present (defaults filled in).
#[derive(
    Debug,
    Clone,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
pub struct Params(pub BTreeMap<String, u64>);

impl Params {
    /// The value of a declared parameter; a missing one is a planner bug,
    /// reported as an error rather than a panic.
    pub fn get(&self, name: &str) -> anyhow::Result<u64> {
        self.0
            .get(name)
            .copied()
            .ok_or_else(|| anyhow::anyhow!("parameter `{name}` missing from the point"))
    }

    /// `workers=1000,sleep_ms=100`: the form used in point ids.
    pub fn label(&self) -> String {
        let parts: Vec<String> = self.0.iter().map(|(k, v)| format!("{k}={v}")).collect();
        parts.join(",")
    }
}

/// `scenario/variant/model/params`: a point's id, stable across runs; the
/// key `compare` pairs points by.
pub fn point_id(scenario: &str, variant: &str, model: Model, params: &Params) -> String {
    let base = format!("{scenario}/{variant}/{}", model.name());
    if params.0.is_empty() {
        base
    } else {
        format!("{base}/{}", params.label())
    }
}

/// How a point ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Ok,
    Failed,
    TimedOut,
    Deadlocked,
    Skipped,
}

impl Status {
    /// How a person reads the status: `ok`, `failed`, `timed out`, ...
    pub fn word(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Failed => "failed",
            Status::TimedOut => "timed out",
            Status::Deadlocked => "deadlocked",
            Status::Skipped => "skipped",
        }
    }

    /// Whether the point failed to produce a verified figure (skipped is not
    /// a failure: it was decided before anything ran).
    pub fn is_failure(self) -> bool {
        matches!(self, Status::Failed | Status::TimedOut | Status::Deadlocked)
    }
}

/// A point this machine or runtime cannot run (a start method it lacks, too
/// few cores): the point is `skipped` with this reason, not `failed`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsupported(pub String);

impl std::fmt::Display for Unsupported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Unsupported {}

/// One implementation under test and the models it runs under.
#[derive(Debug)]
pub struct VariantInfo {
    pub name: &'static str,
    pub models: &'static [Model],
    pub summary: &'static str,
}
