//! A comparison stated placement by placement: where no one ratio holds
//! (`placement::dependence`, `placement::unlike`), each placement both
//! sides are known in gets its own verdict, so that a run that drew one
//! placement and a run that drew two say the same of the placement they
//! share.

use std::collections::BTreeMap;

use super::relation::{CLEAR_LEAD, times};
use super::view::short_label;
use crate::results::{ClassFigure, PlacementClass, PointResult};
use crate::stats::{self, RatioEstimate};
use crate::text::format_ns;

/// The placements a verdict is given for: where the parties stayed put.
/// A sample in which a party moved CPU ran part of its time in each, and
/// one party running has no placement of its own.
const STATED: [PlacementClass; 2] = [PlacementClass::SameCpu, PlacementClass::Spread];

/// `other` against `reference` in each placement both are known in: "By
/// placement: on one CPU, a takes 1.24x as long as b (...); spread over
/// CPUs, ...". None when no placement has a verdict.
pub fn sentence(reference: &PointResult, other: &PointResult) -> Option<String> {
    let paired = reference
        .like_placement_ratios_by_draw(other)
        .unwrap_or_default();
    let names = (short_label(other), short_label(reference));
    let verdicts: Vec<String> = STATED
        .iter()
        .filter_map(|&class| {
            let said = match paired.get(&class).and_then(paired_estimate) {
                Some((estimate, basis)) => paired_verdict(&names, &estimate, &basis),
                None if in_processes(reference) || in_processes(other) => return None,
                None => apart_verdict(
                    &names,
                    &figure(other, class)?,
                    &figure(reference, class)?,
                    &other.unit,
                )?,
            };
            Some(format!("{}, {said}", class.phrase()))
        })
        .collect();
    (!verdicts.is_empty()).then(|| format!("By placement: {}.", verdicts.join("; ")))
}

/// Whether the point was measured in several fresh processes: its
/// placement figures' intervals are over samples, not over the processes,
/// so only rounds paired by process give it a verdict.
fn in_processes(point: &PointResult) -> bool {
    point
        .draws
        .as_ref()
        .is_some_and(|d| d.iter().any(|&draw| draw != d[0]))
}

/// A point's figure in `class`: this run's, or where this run did not
/// count it, the earlier runs' (`PointResult::known_placements`).
fn figure(point: &PointResult, class: PlacementClass) -> Option<ClassFigure> {
    point
        .known_placements()
        .into_iter()
        .find(|c| c.class == class)
}

/// The ratio over the rounds both ran in one placement, with a 95%
/// interval, and how it was had. Rounds measured in several processes are
/// summarised with the process as the unit (`stats::ratio_estimate_by_draw`).
/// None without an interval (too few rounds, or processes).
fn paired_estimate(draws: &BTreeMap<u32, Vec<f64>>) -> Option<(RatioEstimate, String)> {
    let rounds: usize = draws.values().map(Vec::len).sum();
    let (estimate, basis) = if draws.len() > 1 {
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

/// The verdict of two placement figures not measured in the same rounds
/// (one may be the earlier runs'): a lead where the 95% interval of one
/// side's median lies 10% beyond the other's interval, or beyond the other's
/// median where only earlier runs give it. None where neither side has an
/// interval of this run's samples.
fn apart_verdict(
    (a, b): &(String, String),
    mine: &ClassFigure,
    theirs: &ClassFigure,
    unit: &str,
) -> Option<String> {
    let range = |c: &ClassFigure| c.interval.or(c.earlier_runs.map(|_| (c.median, c.median)));
    let ((my_lo, my_hi), (their_lo, their_hi)) = (range(mine)?, range(theirs)?);
    if mine.interval.is_none() && theirs.interval.is_none() {
        return None;
    }
    let ratio = mine.median / theirs.median;
    let claim = if my_lo >= CLEAR_LEAD * their_hi {
        format!("{a} takes {} as long as {b}", times(ratio))
    } else if my_hi * CLEAR_LEAD <= their_lo {
        format!("{a} is {} faster than {b}", times(1.0 / ratio))
    } else {
        "no difference is stated".to_string()
    };
    Some(format!(
        "{claim} ({} against {}: not paired in time)",
        shown(mine, unit),
        shown(theirs, unit)
    ))
}

/// "1.06 µs/switch [1.05 µs–1.06 µs]", or "873 ns/switch in 4 of 4 earlier
/// runs".
fn shown(c: &ClassFigure, unit: &str) -> String {
    let median = format!("{}/{unit}", format_ns(c.median));
    match (c.interval, c.earlier_runs) {
        (_, Some((counted, of))) => format!("{median} in {counted} of {of} earlier runs"),
        (Some((lo, hi)), None) => format!("{median} [{}–{}]", format_ns(lo), format_ns(hi)),
        (None, None) => median,
    }
}
