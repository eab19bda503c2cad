//! `concbench compare --base-bin OLD --new-bin NEW`: plan the suite, start
//! one worker of each build, run the interleaved gate (`duet`) within the
//! budget, and write what it measured as ordinary results files (base.json,
//! new.json: `report` and the file-based `compare` read them) beside the
//! gate's Markdown and JSON.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::duet::block::{Shape, Side};
use super::duet::{self, DuetRequest};
use super::thresholds::Thresholds;
use super::{GateOutcome, output};
use crate::config::Suite;
use crate::error::{BadInput, WriteFailed};
use crate::plan::{self, Overrides, Plan};
use crate::results::{HarnessInfo, RunInfo, RunResults, SCHEMA};

/// What the interleaved comparison was asked to do.
pub struct InterleavedRequest {
    pub base_bin: PathBuf,
    pub new_bin: PathBuf,
    pub config: Option<PathBuf>,
    pub filter: Option<String>,
    pub budget: Duration,
    pub new_slowdown_pct: u64,
    pub seed: Option<u64>,
    pub out: PathBuf,
    pub threshold_pct: Option<f64>,
    pub gate: Option<PathBuf>,
    pub markdown: Option<PathBuf>,
    pub json: Option<PathBuf>,
    pub argv: Vec<String>,
    /// How blocks are run (`SHAPE` unless the flags say otherwise).
    pub shape: Shape,
    /// Private copies of each build (`duet::DEFAULT_COPIES` unless told).
    pub copies: usize,
}

/// The default budget for a whole suite.
pub const DEFAULT_BUDGET: Duration = Duration::from_secs(13 * 60);

/// Blocks as the quick suite's points need them: each fresh trial warmed up
/// for 30 ms (fresh processes start cold: a shorter warm-up let the first
/// pair's page faults and migrations swing a block's ratio by tens of
/// percent on the development VM), then samples of ~4 ms in pairs for about
/// 64 ms (at most 8 pairs). The two sides' warm-ups alternate in 3 slices
/// (`--warm-slices`): paired with one warm-up after the other, it cut the
/// variance x time of a block's ratio on 10 of 12 hard points, by a quarter
/// in the geometric mean (docs/measurements/2026-12-06-warm-slices-paired.md).
pub const SHAPE: Shape = Shape {
    warmup: Duration::from_millis(30),
    warm_slices: 3,
    sample: Duration::from_millis(4),
    block: Duration::from_millis(64),
    max_pairs: 8,
    timeout: Duration::from_secs(60),
};

/// Run the interleaved gate; returns its outcome and the folder it wrote.
pub fn run(request: &InterleavedRequest) -> anyhow::Result<(GateOutcome, PathBuf)> {
    for (flag, bin) in [
        ("--base-bin", &request.base_bin),
        ("--new-bin", &request.new_bin),
    ] {
        if !bin.is_file() {
            return Err(BadInput::Flag {
                flag,
                message: format!("{} is not a file", bin.display()),
            }
            .into());
        }
    }
    let suite = Suite::load(request.config.as_deref())?;
    let plan = plan::build(&suite, &Overrides::default(), request.filter.as_deref())?;
    let thresholds = Thresholds::load(request.gate.as_deref(), request.threshold_pct)?;
    let started = chrono::Utc::now();
    let duet_request = DuetRequest {
        base_bin: request.base_bin.clone(),
        new_bin: request.new_bin.clone(),
        points: plan.points.clone(),
        thresholds,
        budget: request.budget,
        new_slowdown_pct: request.new_slowdown_pct,
        seed: request.seed.unwrap_or_else(|| fastrand::u64(..)),
        shape: request.shape,
        most_confirmation_blocks: duet::passes::CONFIRMATION_MOST,
        extend_confirmations: true,
        progress: true,
        copies: request.copies,
    };
    let (sides, hosts) = duet::start(&duet_request).map_err(|message| BadInput::Flag {
        flag: "--base-bin/--new-bin",
        message,
    })?;
    let (id, dir) = crate::folders::create_run_dir(&request.out, started)
        .map_err(|e| WriteFailed::folder(&request.out, e.root_cause()))?;
    let found = duet::run(&duet_request, sides, hosts);
    for side in [Side::Base, Side::New] {
        let results = side_results(&found, side, &plan, &id, started, request);
        let path = dir.join(format!("{}.json", side.name()));
        results.write_atomic(&path)?;
    }
    let outcome = found.outcome;
    write(&dir.join("gate.md"), output::markdown(&outcome).as_bytes())?;
    write(&dir.join("gate.json"), &output::json(&outcome)?)?;
    if let Some(path) = &request.markdown {
        write(path, output::markdown(&outcome).as_bytes())?;
    }
    if let Some(path) = &request.json {
        write(path, &output::json(&outcome)?)?;
    }
    Ok((outcome, dir))
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), WriteFailed> {
    std::fs::write(path, bytes).map_err(|e| WriteFailed::new(path, e))
}

/// One side's points as an ordinary results file.
fn side_results(
    found: &duet::DuetOutcome,
    side: Side,
    plan: &Plan,
    id: &str,
    started: chrono::DateTime<chrono::Utc>,
    request: &InterleavedRequest,
) -> RunResults {
    let binary = match side {
        Side::Base => &request.base_bin,
        Side::New => &request.new_bin,
    };
    RunResults {
        schema: SCHEMA.to_string(),
        run: RunInfo {
            id: format!("{id}-{}", side.name()),
            started: started.to_rfc3339(),
            finished: Some(chrono::Utc::now().to_rfc3339()),
            tool_version: format!(
                "{} (worker {})",
                env!("CARGO_PKG_VERSION"),
                binary.display()
            ),
            git_commit: None,
            config: plan.config.display().to_string(),
            argv: request.argv.clone(),
        },
        host: found.hosts[side as usize].clone(),
        environment: None,
        topology: None,
        harness: HarnessInfo {
            sampler_interval_ms: 0,
            sampler_cpu_ns: 0,
            warmup_ms: request.shape.warmup.as_millis() as u64,
            measure_time_ms: request.shape.block.as_millis() as u64,
            min_samples: 2,
            timeout_ms: request.shape.timeout.as_millis() as u64,
            drift: Vec::new(),
            drift_cost_ns: 0,
        },
        scenarios: plan
            .points
            .iter()
            .map(|p| (p.scenario.info().id.to_string(), p.scenario.info().meta()))
            .collect(),
        results: found.records.iter().map(|r| r.result(side)).collect(),
    }
}
