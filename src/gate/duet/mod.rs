//! The interleaved gate: two builds of concbench measured against each
//! other in the same seconds. Each build runs as a long-lived worker
//! (`worker serve`, see `harness::protocol`); for every point the controller
//! runs blocks (fresh trials on both sides, warm-up, samples of the same
//! rounds in coin-ordered pairs) until the paired figures settle it.
//!
//! The time budget is spent in three passes: a first screening pass gives
//! every point an equal share of half the budget; a second gives the points
//! still undecided what is left after reserving, from the blocks' measured
//! length, the time every suspect's confirmation will take; the rest
//! confirms every suspect (a change beyond the threshold that the signed-rank
//! test calls significant) in fresh blocks, each suspect an equal share of
//! what is left (at least as many blocks as its screening took, 16 to 48).
//! How long a confirmation runs depends on the clock, never on its figures,
//! so its p-value stays exact. Only suspects whose confirmation survives
//! Benjamini-Hochberg over all confirmations are reported as regressed or
//! improved.

pub mod block;
mod check;
mod pool;
pub mod record;
mod stop;
mod worker;

pub use worker::abandon;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use block::{BlockEnd, Shape, Side, Sides};
use record::{Ended, PointRecord};

use super::thresholds::Thresholds;
use super::{GateOutcome, SCHEMA, paired};
use crate::harness::protocol::{BuildSpec, Reply, Request};
use crate::plan::Point;

/// Confirmation blocks per suspect: the time reserved is for as many as its
/// screening took, within these bounds; a confirmation given more time goes
/// on to the upper one. 16 blocks leave room for a few reversed by the
/// machine's noise (unanimous, p = 1/65536).
const CONFIRMATION_BLOCKS: std::ops::RangeInclusive<usize> = 16..=48;

/// The time the confirmations of the suspects known now will take, from
/// each one's measured block length, with a fifth to spare.
fn reserve(records: &[PointRecord]) -> Duration {
    records
        .iter()
        .filter(|r| r.suspect())
        .map(|r| r.block_time().mul_f64(confirmation_blocks(r) as f64 * 1.2))
        .sum()
}

/// How many fresh blocks the reserve counts on to confirm `record`.
fn confirmation_blocks(record: &PointRecord) -> usize {
    record
        .screening
        .len()
        .clamp(*CONFIRMATION_BLOCKS.start(), *CONFIRMATION_BLOCKS.end())
}
/// The false-discovery rate of the suite's regressions and improvements.
pub const FDR: f64 = 0.05;

/// What `compare --base-bin OLD --new-bin NEW` was asked to do.
pub struct DuetRequest {
    pub base_bin: PathBuf,
    pub new_bin: PathBuf,
    pub points: Vec<Point>,
    pub thresholds: Thresholds,
    pub budget: Duration,
    pub new_slowdown_pct: u64,
    pub seed: u64,
    pub shape: Shape,
    /// Print a line per settled point.
    pub progress: bool,
}

/// What the interleaved gate found, with each point's record per side.
pub struct DuetOutcome {
    pub outcome: GateOutcome,
    pub records: Vec<PointRecord>,
    pub hosts: [crate::host::HostInfo; 2],
}

/// Start both workers; a build that does not speak the protocol is refused
/// with one line (the caller turns it into exit code 2).
pub fn start(request: &DuetRequest) -> Result<(Sides, [crate::host::HostInfo; 2]), String> {
    let base = worker::Worker::start(&request.base_bin)?;
    let new = worker::Worker::start(&request.new_bin)?;
    let mut sides = Sides::new(base, new);
    let mut hosts = [
        crate::host::HostInfo::default(),
        crate::host::HostInfo::default(),
    ];
    for side in [Side::Base, Side::New] {
        match sides.ask(side, &Request::Host, Duration::from_secs(30)) {
            Ok(Reply::Host(host)) => hosts[side as usize] = *host,
            _ => {
                return Err(format!(
                    "the {} worker did not describe its host",
                    side.name()
                ));
            }
        }
    }
    Ok((sides, hosts))
}

/// Measure every point of `request` within its budget and judge it.
pub fn run(
    request: &DuetRequest,
    mut sides: Sides,
    hosts: [crate::host::HostInfo; 2],
) -> DuetOutcome {
    let began = Instant::now();
    let mut rng = fastrand::Rng::with_seed(request.seed);
    let mut records: Vec<PointRecord> = request
        .points
        .iter()
        .map(|p| {
            let info = p.scenario.info();
            let threshold = request
                .thresholds
                .for_point(info.family.name(), info.id, &p.id());
            PointRecord::new(p.clone(), threshold)
        })
        .collect();
    let half = request.budget.mul_f64(0.5);
    screening_pass(
        &mut sides,
        &mut records,
        request,
        1,
        |_| half,
        began,
        &mut rng,
    );
    // The second pass may use what the confirmations will not need, as the
    // suspects known at each step will need it.
    let budget = request.budget;
    let until = |records: &[PointRecord]| budget.saturating_sub(reserve(records));
    screening_pass(&mut sides, &mut records, request, 2, until, began, &mut rng);
    let suspects: Vec<usize> = (0..records.len())
        .filter(|&i| records[i].suspect())
        .collect();
    let mut reached = 0;
    for (done, &i) in suspects.iter().enumerate() {
        if stop::received().is_some() {
            break;
        }
        reached = done + 1;
        let left = request.budget.saturating_sub(began.elapsed());
        let share = left / (suspects.len() - done) as u32;
        confirm_point(&mut sides, &mut records[i], request, share, &mut rng);
        if request.progress {
            eprintln!(
                "[confirming {}/{}] {}",
                done + 1,
                suspects.len(),
                summary(&records[i])
            );
        }
    }
    sides.quit();
    stop::settle(&mut records, &suspects[reached..]);
    let confirmed: Vec<usize> = suspects
        .iter()
        .copied()
        .filter(|&i| records[i].ended.is_none() && !records[i].confirmation.is_empty())
        .collect();
    let p_values: Vec<f64> = confirmed
        .iter()
        .map(|&i| records[i].confirmation_p())
        .collect();
    let discovered = paired::benjamini_hochberg(&p_values, FDR);
    let mut points = Vec::with_capacity(records.len());
    for (i, record) in records.iter().enumerate() {
        let found = confirmed
            .iter()
            .position(|&c| c == i)
            .is_some_and(|at| discovered[at]);
        points.push(record.verdict(found));
    }
    let outcome = GateOutcome {
        schema: SCHEMA.to_string(),
        base_runs: vec![request.base_bin.display().to_string()],
        new_runs: vec![request.new_bin.display().to_string()],
        host_warning: None,
        points,
        only_in_base: Vec::new(),
        only_in_new: Vec::new(),
        method: Some(format!(
            "interleaved: both builds in the same seconds, blocks of coin-ordered sample pairs, \
             Wilcoxon signed-rank test on block ratios, suspects confirmed in fresh blocks (16 to 48), \
             Benjamini-Hochberg at {FDR} over the confirmations; budget {}, seed {}",
            humantime::format_duration(Duration::from_secs(request.budget.as_secs())),
            request.seed
        )),
    };
    DuetOutcome {
        outcome,
        records,
        hosts,
    }
}

/// Screen every undecided point, each with an equal share of what is left
/// of `until` (time since `began`).
fn screening_pass(
    sides: &mut Sides,
    records: &mut [PointRecord],
    request: &DuetRequest,
    pass: usize,
    until: impl Fn(&[PointRecord]) -> Duration,
    began: Instant,
    rng: &mut fastrand::Rng,
) {
    let todo: Vec<usize> = (0..records.len())
        .filter(|&i| records[i].undecided())
        .collect();
    for (done, &i) in todo.iter().enumerate() {
        if stop::received().is_some() {
            break;
        }
        let left = until(records).saturating_sub(began.elapsed());
        if pass > 1 && left.is_zero() {
            break;
        }
        let share = left / (todo.len() - done) as u32;
        screen_point(sides, &mut records[i], request, share, rng);
        if request.progress {
            eprintln!(
                "[screening {pass}: {}/{}] {}",
                done + 1,
                todo.len(),
                summary(&records[i])
            );
        }
    }
}

fn specs(point: &Point, new_slowdown_pct: u64) -> [BuildSpec; 2] {
    let spec = |slowdown_pct| BuildSpec {
        scenario: point.scenario.info().id.to_string(),
        variant: match &point.runtime {
            Some(runtime) => format!("{}@{}", point.variant, runtime.to_word()),
            None => point.variant.to_string(),
        },
        model: point.model,
        params: point.params.clone(),
        slowdown_pct,
    };
    [spec(0), spec(new_slowdown_pct)]
}

fn shape_of(point: &Point, request: &DuetRequest) -> Shape {
    Shape {
        timeout: point.settings.timeout,
        ..request.shape
    }
}

/// Screen `record` with blocks until it is decided or has spent `share`
/// (the first block always runs).
fn screen_point(
    sides: &mut Sides,
    record: &mut PointRecord,
    request: &DuetRequest,
    share: Duration,
    rng: &mut fastrand::Rng,
) {
    let began = Instant::now();
    while record.undecided()
        && stop::received().is_none()
        && (began.elapsed() < share || record.screening.is_empty())
    {
        if let Some(log_ratio) = one_block(sides, record, request, rng) {
            record.screening.push(log_ratio);
        }
    }
}

/// Measure a suspect again in fresh blocks for its whole `share` (up to
/// the most blocks a confirmation takes).
fn confirm_point(
    sides: &mut Sides,
    record: &mut PointRecord,
    request: &DuetRequest,
    share: Duration,
    rng: &mut fastrand::Rng,
) {
    let began = Instant::now();
    while record.ended.is_none()
        && record.confirmation.len() < *CONFIRMATION_BLOCKS.end()
        && (began.elapsed() < share || record.confirmation.is_empty())
    {
        if let Some(signal) = stop::received() {
            record.ended = Some(stop::interrupted(signal));
            return;
        }
        if let Some(log_ratio) = one_block(sides, record, request, rng) {
            record.confirmation.push(log_ratio);
        }
    }
    if record.confirmation.len() < paired::MIN_BLOCKS {
        // Too few to test: a confirmation that cannot confirm.
        record.confirmation.clear();
    }
}

/// One block of `record`'s point; its log ratio, or None when it ended
/// the point (skipped or failed on a side).
fn one_block(
    sides: &mut Sides,
    record: &mut PointRecord,
    request: &DuetRequest,
    rng: &mut fastrand::Rng,
) -> Option<f64> {
    let began = Instant::now();
    let specs = specs(&record.point, request.new_slowdown_pct);
    let end = block::run(sides, &specs, &shape_of(&record.point, request), rng);
    record.spent += began.elapsed();
    match end {
        BlockEnd::Done {
            log_ratio,
            pairs,
            sides,
        } => {
            let [base, new] = *sides;
            record.pairs += pairs;
            record.sides[Side::Base as usize].add(base);
            record.sides[Side::New as usize].add(new);
            Some(log_ratio)
        }
        BlockEnd::Skipped { side, why } => {
            record.ended = Some(Ended::Skipped { side, why });
            None
        }
        BlockEnd::NotComparable { why } => {
            record.ended = Some(Ended::NotComparable { why });
            None
        }
        BlockEnd::Failed {
            failure: worker::Failure::Interrupted(signal),
            ..
        } => {
            record.ended = Some(stop::interrupted(signal));
            None
        }
        BlockEnd::Failed { side, failure } => {
            let timed_out = matches!(failure, worker::Failure::TimedOut(_));
            record.ended = Some(Ended::Failed {
                side,
                why: failure.to_string(),
                timed_out,
            });
            None
        }
    }
}

fn summary(record: &PointRecord) -> String {
    let p = paired::analyse(&record.screening);
    let state = match &record.ended {
        Some(Ended::Skipped { side, .. }) => format!("skipped by {}", side.name()),
        Some(Ended::Failed { side, why, .. }) => format!("FAILED on {}: {why}", side.name()),
        Some(Ended::MeantToDeadlock) => "meant to deadlock, not timed".into(),
        Some(Ended::NotComparable { why }) => format!("not comparable: {why}"),
        None => format!("{:?}", record.screen()).to_lowercase(),
    };
    format!(
        "{}: {state}, new/base {:.3} [{:.3}, {:.3}] over {} blocks, {:.1} s",
        record.point.id(),
        p.ratio,
        p.lo,
        p.hi,
        record.screening.len() + record.confirmation.len(),
        record.spent.as_secs_f64()
    )
}
