//! The interleaved gate: two builds of concbench measured against each
//! other in the same seconds. Each build runs as a long-lived worker
//! (`worker serve`, see `harness::protocol`); for every point the controller
//! runs blocks (fresh trials on both sides, warm-up, samples of the same
//! rounds in coin-ordered pairs) until the paired figures settle it.
//!
//! How the budget is spent and the verdicts reached is `passes`; how
//! suspects are confirmed, `confirm`.

pub mod block;
mod check;
mod confirm;
mod copies;
mod notes;
pub mod passes;
mod pool;
pub mod record;
mod request;
mod sides;
mod step;
mod stop;
mod worker;

pub use copies::{MOST_PER_SIDE as MOST_COPIES, PER_SIDE as DEFAULT_COPIES};
pub use request::DuetRequest;
pub use worker::abandon;

use std::time::{Duration, Instant};

use block::{Side, Sides};
use passes::{FDR, Live};
use record::PointRecord;

use super::{GateOutcome, SCHEMA};
use crate::harness::protocol::{Reply, Request};

/// What the interleaved gate found, with each point's record per side.
pub struct DuetOutcome {
    pub outcome: GateOutcome,
    pub records: Vec<PointRecord>,
    pub hosts: [crate::host::HostInfo; 2],
}

/// Start both workers; a build that does not speak the protocol is refused
/// with one line (the caller turns it into exit code 2). The blocks then
/// run both builds from fresh private copies (`copies`); where none can be
/// made, from the files given, with a warning.
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
    match copies::make([&request.base_bin, &request.new_bin], request.copies) {
        Ok(copies) => sides.run_from(copies),
        Err(why) => eprintln!(
            "warning: {why}; the builds run from the files given, whose memory layout may differ \
             by how each came into the page cache (a bias of up to 20% seen on unpinned points)"
        ),
    }
    Ok((sides, hosts))
}

/// Measure every point of `request` within its budget and judge it.
pub fn run(request: &DuetRequest, sides: Sides, hosts: [crate::host::HostInfo; 2]) -> DuetOutcome {
    let mut live = Live {
        sides,
        began: Instant::now(),
    };
    let (records, points) = passes::measure_and_judge(&mut live, request);
    live.sides.quit();
    let outcome = GateOutcome {
        schema: SCHEMA.to_string(),
        base_runs: vec![request.base_bin.display().to_string()],
        new_runs: vec![request.new_bin.display().to_string()],
        host_warning: None,
        points,
        only_in_base: Vec::new(),
        only_in_new: Vec::new(),
        method: Some(format!(
            "interleaved: both builds in the same seconds, run from private copies of each binary ({} a side) that the blocks take in turn, \
             blocks of coin-ordered sample pairs ({}) \
             (pairs whose samples ran in different placements set aside), \
             Wilcoxon signed-rank test on block ratios, suspects confirmed in fresh blocks (16 to 96, and on through what the budget leaves once none is undecided) \
             by the signed-rank test against the threshold, both ways (0.9 of the level to the suspected one; \
             regressed: slower than the threshold at 95%; unchanged: their interval inside it), \
             Benjamini-Hochberg at {FDR} over the confirmations; budget {}, seed {}",
            request.copies,
            request.shape.describe(),
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
