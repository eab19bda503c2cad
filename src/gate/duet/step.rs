//! One step of the interleaved gate's controller: where its blocks and its
//! time come from (`Blocks`: the two builds' workers, or a simulation in
//! tests), one block of a point added to its record, and the progress line
//! a point prints. `passes` (screening) and `confirm` both take their
//! blocks here.

use std::time::{Duration, Instant};

use super::block::{self, BlockDraw, BlockEnd, Side, Sides};
use super::record::{Ended, PointRecord};
use super::request::DuetRequest;
use super::stop;
use crate::gate::paired;
use crate::harness::protocol::BuildSpec;
use crate::plan::Point;

/// Where the controller gets its blocks and its time.
pub trait Blocks {
    /// Run one block of `point` on both builds.
    fn block(&mut self, point: &Point, request: &DuetRequest, rng: &mut fastrand::Rng) -> BlockEnd;
    /// Time since the gate began.
    fn elapsed(&self) -> Duration;
    /// What the last block's workers were started from.
    fn drawn(&self) -> Option<BlockDraw>;
}

/// The two builds' workers, on the wall clock.
pub struct Live {
    pub sides: Sides,
    pub began: Instant,
}

impl Blocks for Live {
    fn block(&mut self, point: &Point, request: &DuetRequest, rng: &mut fastrand::Rng) -> BlockEnd {
        let shape = super::block::Shape {
            timeout: point.settings.timeout,
            ..request.shape
        };
        block::run(
            &mut self.sides,
            &specs(point, request.new_slowdown_pct),
            &shape,
            rng,
        )
    }

    fn elapsed(&self) -> Duration {
        self.began.elapsed()
    }

    fn drawn(&self) -> Option<BlockDraw> {
        self.sides.drawn()
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

/// One block of `record`'s point; its log ratio, or None when it ended
/// the point (skipped or failed on a side).
pub(super) fn one_block(
    blocks: &mut impl Blocks,
    record: &mut PointRecord,
    request: &DuetRequest,
    rng: &mut fastrand::Rng,
) -> Option<f64> {
    let began = blocks.elapsed();
    let end = blocks.block(&record.point, request, rng);
    record.spent += blocks.elapsed().saturating_sub(began);
    match end {
        BlockEnd::Done {
            log_ratio,
            pairs,
            set_aside,
            sides,
        } => {
            let [base, new] = *sides;
            record.pairs += pairs;
            record.pairs_set_aside += set_aside;
            record.sides[Side::Base as usize].add(base);
            record.sides[Side::New as usize].add(new);
            record.draws.push(blocks.drawn());
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
            failure: super::worker::Failure::Interrupted(signal),
            ..
        } => {
            record.ended = Some(stop::interrupted(signal));
            None
        }
        BlockEnd::Failed { side, failure } => {
            let timed_out = matches!(failure, super::worker::Failure::TimedOut(_));
            record.ended = Some(Ended::Failed {
                side,
                why: failure.to_string(),
                timed_out,
            });
            None
        }
    }
}

/// The progress line of a point: its state, and the ratio of the blocks
/// it names (the screening's, or the confirmation's once there is one).
pub(super) fn summary(record: &PointRecord) -> String {
    let state = match &record.ended {
        Some(Ended::Skipped { side, .. }) => format!("skipped by {}", side.name()),
        Some(Ended::Failed { side, why, .. }) => format!("FAILED on {}: {why}", side.name()),
        Some(Ended::MeantToDeadlock) => "meant to deadlock, not timed".into(),
        Some(Ended::NotComparable { why }) => format!("not comparable: {why}"),
        None => format!("{:?}", record.screen()).to_lowercase(),
    };
    let (phase, values) = if record.confirmation.is_empty() {
        ("screening", &record.screening)
    } else {
        ("confirmation", &record.confirmation)
    };
    let p = paired::analyse(values);
    let interval = match p.interval {
        Some((lo, hi)) => format!("[{lo:.3}, {hi:.3}]"),
        None => "[no 95% interval below 6 blocks]".into(),
    };
    format!(
        "{}: {state}, new/base {:.3} {interval} over {} {phase} blocks, {:.1} s",
        record.point.id(),
        p.ratio,
        values.len(),
        record.spent.as_secs_f64()
    )
}
