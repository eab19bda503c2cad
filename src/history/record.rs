//! What the store keeps of one run or one gate comparison: its key (commit,
//! time, host) and one figure per point, read from the files concbench
//! writes (results.json, results.jsonl, gate.json).

use std::path::Path;

use crate::error::BadInput;
use crate::gate::GateOutcome;
use crate::host::HostInfo;
use crate::results::{PlacementClass, RunResults};
use crate::vocab::Status;

/// Where a record came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A run of a suite: per point, its median and interval.
    Run,
    /// An interleaved gate comparison: per point, new/base and its verdict.
    Gate,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Run => "run",
            Kind::Gate => "gate",
        }
    }

    pub fn from_name(name: &str) -> Option<Kind> {
        match name {
            "run" => Some(Kind::Run),
            "gate" => Some(Kind::Gate),
            _ => None,
        }
    }
}

/// One run or comparison, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct RunRecord {
    pub kind: Kind,
    /// Unique per run: adding the same run twice keeps one copy.
    pub key: String,
    /// The commit measured ("unknown" when the build did not know it).
    pub commit: String,
    /// When it started, RFC 3339.
    pub started: String,
    pub host: HostKey,
    /// The file it was read from, for people.
    pub source: String,
    pub figures: Vec<Figure>,
    pub verdicts: Vec<VerdictFigure>,
    /// Where each observed point's parties ran (runs only).
    pub placements: Vec<PlacementFigure>,
    /// How busy the machine was over the run (runs that timed the wide
    /// probe only).
    pub machine: Option<MachineState>,
}

/// The machine a series belongs to: series never mix machines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostKey {
    /// CPU model, logical CPUs, memory and OS (and a CPU quota where one
    /// applies): not the host name, which a CI runner changes every run.
    pub key: String,
    /// The host name of the first run seen, for people.
    pub label: String,
}

/// A run's figure for one point: ns per operation.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    pub point: String,
    pub median: f64,
    pub lo: Option<f64>,
    pub hi: Option<f64>,
    pub samples: u32,
    /// The share of its group's wide probes that read slow, in percent
    /// (`machine_busy_pct`), where the run recorded it.
    pub busy_pct: Option<f64>,
}

/// A gate comparison's figure for one point: new/base.
#[derive(Debug, Clone, PartialEq)]
pub struct VerdictFigure {
    pub point: String,
    pub verdict: String,
    pub ratio: Option<f64>,
    pub lo: Option<f64>,
    pub hi: Option<f64>,
    pub threshold_pct: f64,
}

impl HostKey {
    pub fn of(host: &HostInfo, quota: Option<f64>) -> HostKey {
        let gib = (host.memory_bytes as f64 / (1u64 << 30) as f64).round();
        let mut key = format!(
            "{} | {} CPUs | {gib} GiB | {}",
            host.cpu_model.trim(),
            host.logical_cores,
            host.os.trim()
        );
        if let Some(quota) = quota {
            key.push_str(&format!(" | quota {quota:.2} CPUs"));
        }
        HostKey {
            key,
            label: host.hostname.clone(),
        }
    }
}

/// What one run's wide probes read (`HarnessInfo::wide_slowdowns`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MachineState {
    /// Probes that timed the wide work.
    pub wide_probes: u32,
    /// Of them, those at least `WIDE_SLOW` times the run's median.
    pub wide_slow: u32,
    /// The slowest over the run's median.
    pub wide_worst: f64,
}

impl MachineState {
    /// The run's state; None when no probe timed the wide work (runs
    /// before the wide probe existed).
    pub fn of(results: &RunResults) -> Option<MachineState> {
        let (slow, worst, probes) = results.harness.wide_slowdowns()?;
        let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        (probes > 0 && worst.is_finite()).then(|| MachineState {
            wide_probes: count(probes),
            wide_slow: count(slow),
            wide_worst: worst,
        })
    }
}

/// One placement class a run counted for one point.
#[derive(Debug, Clone, PartialEq)]
pub struct PlacementFigure {
    pub point: String,
    pub class: PlacementClass,
    pub samples: u32,
    /// Median ns per operation of the class's samples.
    pub median: f64,
}

/// Each observed, unpinned point's counted placement classes (3 samples
/// and 5% of its own). The one-party class is kept too: it says the run
/// observed the point, though nothing shared or crossed CPUs.
pub fn placement_figures(results: &RunResults) -> Vec<PlacementFigure> {
    results
        .results
        .iter()
        .filter(|p| p.status == Status::Ok && !p.is_pinned() && p.placement.is_some())
        .flat_map(|p| {
            p.counted_placements()
                .into_iter()
                .filter(|c| c.median.is_finite() && c.median > 0.0)
                .map(|c| PlacementFigure {
                    point: p.id.clone(),
                    class: c.class,
                    samples: c.samples.min(u32::MAX as usize) as u32,
                    median: c.median,
                })
        })
        .collect()
}

/// A run's record: every point that finished ok with a summary.
pub fn of_run(results: &RunResults, source: &Path, commit: Option<&str>) -> RunRecord {
    let quota = results.environment.as_ref().and_then(|e| e.cpu_quota);
    let host = HostKey::of(&results.host, quota);
    let figures = results
        .results
        .iter()
        .filter(|p| !p.is_failure() && p.status == crate::vocab::Status::Ok)
        .filter_map(|p| {
            let estimate = p.summary.as_ref()?.ns_per_op;
            let (lo, hi) = estimate.interval().unzip();
            (estimate.median.is_finite() && estimate.median > 0.0).then(|| Figure {
                point: p.id.clone(),
                median: estimate.median,
                lo,
                hi,
                samples: p.samples.len().min(u32::MAX as usize) as u32,
                busy_pct: p.metrics.get("machine_busy_pct").copied(),
            })
        })
        .collect();
    RunRecord {
        kind: Kind::Run,
        key: run_key(results, &host),
        commit: commit_or_unknown(commit.or(results.run.git_commit.as_deref())),
        started: results.run.started.clone(),
        host,
        source: source.display().to_string(),
        figures,
        verdicts: Vec::new(),
        placements: placement_figures(results),
        machine: MachineState::of(results),
    }
}

/// The key a run is stored under: its id, start and machine.
pub fn run_key(results: &RunResults, host: &HostKey) -> String {
    format!(
        "run|{}|{}|{}",
        results.run.id, results.run.started, host.key
    )
}

/// A gate comparison's record. Its host and time come from the new side's
/// results (`new.json` beside gate.json), its commit from `commit` (the
/// gate does not know which commit its binaries were built from).
pub fn of_gate(
    outcome: &GateOutcome,
    new_side: &RunResults,
    source: &Path,
    commit: &str,
) -> RunRecord {
    let host = HostKey::of(&new_side.host, None);
    let verdicts = outcome
        .points
        .iter()
        .map(|p| VerdictFigure {
            point: p.id.clone(),
            verdict: p.verdict.word().to_lowercase(),
            ratio: p.ratio.filter(|r| r.is_finite()),
            lo: p.ratio_lo.filter(|r| r.is_finite()),
            hi: p.ratio_hi.filter(|r| r.is_finite()),
            threshold_pct: p.threshold_pct,
        })
        .collect();
    RunRecord {
        kind: Kind::Gate,
        key: format!(
            "gate|{}|{}|{}",
            new_side.run.id, new_side.run.started, host.key
        ),
        commit: commit_or_unknown(Some(commit)),
        started: new_side.run.started.clone(),
        host,
        source: source.display().to_string(),
        figures: Vec::new(),
        verdicts,
        placements: Vec::new(),
        machine: None,
    }
}

fn commit_or_unknown(commit: Option<&str>) -> String {
    match commit.map(str::trim) {
        Some(c) if !c.is_empty() => c.to_string(),
        _ => "unknown".to_string(),
    }
}

/// Read one file given to `history add`: a results file, or a gate.json
/// with its new side's results beside it (new.json, as the interleaved
/// gate writes them). `commit` names the commit where the file does not.
pub fn read(path: &Path, commit: Option<&str>) -> Result<RunRecord, BadInput> {
    let bad = |message: String| BadInput::Results {
        path: path.to_path_buf(),
        message,
    };
    let text = std::fs::read_to_string(path).map_err(|e| bad(format!("cannot read: {e}")))?;
    if !looks_like_gate(&text) {
        let is_lines = path.extension().is_some_and(|e| e == "jsonl");
        let results = RunResults::parse(&text, is_lines, path)?;
        return Ok(of_run(&results, path, commit));
    }
    let outcome = parse_gate(&text).map_err(bad)?;
    let beside = path.with_file_name("new.json");
    let new_side = RunResults::read(&beside).map_err(|e| {
        bad(format!(
            "a gate file needs its new side's results beside it ({}): {e}",
            beside.display()
        ))
    })?;
    let commit = commit.ok_or_else(|| {
        bad("a gate file does not say which commit it measured: pass --commit".into())
    })?;
    Ok(of_gate(&outcome, &new_side, path, commit))
}

fn looks_like_gate(text: &str) -> bool {
    let head: String = text.chars().take(200).collect();
    head.contains("\"concbench.gate/")
}

/// Parse a gate.json, checking its schema.
pub fn parse_gate(text: &str) -> Result<GateOutcome, String> {
    let outcome: GateOutcome =
        serde_json::from_str(text).map_err(|e| format!("not a gate file: {e}"))?;
    if !outcome.schema.starts_with("concbench.gate/") {
        return Err(format!("unknown schema `{}`", outcome.schema));
    }
    let known = [crate::gate::SCHEMA, "concbench.gate/1"];
    if !known.contains(&outcome.schema.as_str()) {
        return Err(format!(
            "schema `{}` is newer than this concbench reads ({})",
            outcome.schema,
            crate::gate::SCHEMA
        ));
    }
    Ok(outcome)
}
