//! A comparison stated placement by placement: where no one ratio holds
//! (`placement::dependence`, `placement::unlike`), each placement in which
//! the two shared enough interleaved rounds gets its own verdict, paired
//! round by round, so that a run that drew one placement and a run that
//! drew two say the same of the placement they share.

use std::collections::BTreeMap;

use super::relation::{CLEAR_LEAD, times};
use super::view::short_label;
use crate::results::{PlacementClass, PointResult};
use crate::stats::{self, RatioEstimate};

/// The placements a verdict is given for: where the parties stayed put.
/// A sample in which a party moved CPU ran part of its time in each, and
/// one party running has no placement of its own.
const STATED: [PlacementClass; 2] = [PlacementClass::SameCpu, PlacementClass::Spread];

/// `other` against `reference` in each placement where they shared rounds
/// enough for a 95% interval: "By placement: on one CPU, a takes 1.24x as
/// long as b (...); spread over CPUs, ...". None when no placement has a
/// verdict. Figures of placements they did not share rounds in (measured
/// apart, or only in earlier runs) give none: in one run, two such figures
/// of a placement ran in different rounds, and lock.counter's std_mutex
/// "spread" read 13 ns in one run and 109 ns in the next, so that a
/// comparison of them reversed between runs.
pub fn sentence(reference: &PointResult, other: &PointResult) -> Option<String> {
    let paired = reference
        .like_placement_ratios_by_draw(other)
        .unwrap_or_default();
    // As `relation::relate` decides: a group measured in several fresh
    // processes has the process as its unit, in every placement, even one
    // only a single process ran in (rounds of one process are not
    // independent draws of what it drew).
    let in_processes = reference.paired_ratios_by_draw(other).is_some();
    let names = (short_label(other), short_label(reference));
    let verdicts: Vec<String> = STATED
        .iter()
        .filter_map(|&class| {
            let (estimate, basis) = paired_estimate(paired.get(&class)?, in_processes)?;
            Some(format!(
                "{}, {}",
                class.phrase(),
                paired_verdict(&names, &estimate, &basis)
            ))
        })
        .collect();
    (!verdicts.is_empty()).then(|| format!("By placement: {}.", verdicts.join("; ")))
}

/// The ratio over the rounds both ran in one placement, with a 95%
/// interval, and how it was had. Rounds of a group measured in several
/// processes (`in_processes`) are summarised with the process as the unit
/// (`stats::ratio_estimate_by_draw`, 6 processes needed). None without an
/// interval (too few rounds, or processes).
fn paired_estimate(
    draws: &BTreeMap<u32, Vec<f64>>,
    in_processes: bool,
) -> Option<(RatioEstimate, String)> {
    let rounds: usize = draws.values().map(Vec::len).sum();
    let (estimate, basis) = if in_processes {
        let groups: Vec<Vec<f64>> = draws.values().cloned().collect();
        (
            stats::ratio_estimate_by_draw(&groups),
            format!(
                "paired over {rounds} interleaved rounds there, in {} fresh processes (the interval is over the processes)",
                draws.len()
            ),
        )
    } else {
        let ratios: Vec<f64> = draws.values().flatten().copied().collect();
        (
            stats::ratio_estimate(&ratios),
            format!("paired over {rounds} interleaved rounds there"),
        )
    };
    estimate.interval.is_some().then_some((estimate, basis))
}

/// The verdict of the rounds both ran in one placement: a lead where the
/// 95% interval clears 10% (`CLEAR_LEAD`), as in the run's own findings.
fn paired_verdict((a, b): &(String, String), estimate: &RatioEstimate, basis: &str) -> String {
    let (lo, hi) = estimate.interval.unwrap_or((0.0, f64::INFINITY));
    let basis = format!("{basis}, 95% interval {lo:.2}–{hi:.2}");
    if lo >= CLEAR_LEAD {
        format!(
            "{a} takes {} as long as {b} ({basis})",
            times(estimate.ratio)
        )
    } else if hi * CLEAR_LEAD <= 1.0 {
        format!(
            "{a} is {} faster than {b} ({basis})",
            times(1.0 / estimate.ratio)
        )
    } else {
        format!(
            "{a} and {b} are not {:.0}% apart, so no difference is stated ({a} at {:.2}x {b}'s time; {basis})",
            100.0 * (CLEAR_LEAD - 1.0),
            estimate.ratio
        )
    }
}
