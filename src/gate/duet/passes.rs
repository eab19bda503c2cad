//! The interleaved gate's controller: how the time budget is spent on the
//! points, and how the suite's verdicts follow from what was measured. It
//! asks a `Blocks` for each block and for the time, so the same passes run
//! against the two builds' workers (`Live`) or, in tests, a simulation.
//!
//! The budget is spent in passes: a first screening pass gives every point
//! an equal share of half the budget; a second gives the points still
//! undecided what is left after reserving, from the blocks' measured length,
//! the time every suspect's confirmation will take; then every suspect (a
//! change beyond the threshold that the signed-rank test calls significant)
//! is confirmed in fresh blocks, each an equal share of what is left (at
//! least as many blocks as its screening took, 16 to 48, and on to 96 when
//! its share allows). What the confirmations leave goes to further
//! screening passes of the points still undecided, and their new suspects'
//! confirmations, until the budget is spent or nothing is left undecided;
//! then what is left goes on to the confirmations (`confirm::extend`).
//! How long a confirmation runs depends on the clock, never on its figures,
//! so its p-value stays exact. Only suspects whose confirmation shows the change
//! beyond the threshold and survives Benjamini-Hochberg over all
//! confirmations are reported as regressed or improved.

use std::time::Duration;

use super::confirm::{self, confirm_suspects, reserve, unconfirmed_suspect};
pub use super::confirm::{CONFIRMATION_BLOCKS, CONFIRMATION_MOST};
use super::record::PointRecord;
use super::request::DuetRequest;
pub use super::step::{Blocks, Live};
use super::step::{one_block, summary};
use super::stop;
use crate::gate::PointVerdict;
use crate::gate::paired;

/// The false-discovery rate of the suite's regressions and improvements.
pub const FDR: f64 = 0.05;

/// Measure every point of `request` within its budget and judge it: the
/// records of what was measured, and a verdict per point.
pub fn measure_and_judge(
    blocks: &mut impl Blocks,
    request: &DuetRequest,
) -> (Vec<PointRecord>, Vec<PointVerdict>) {
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
    screening_pass(blocks, &mut records, request, 1, |_| half, &mut rng);
    // Later passes may use what the confirmations will not need, as the
    // unconfirmed suspects known at each step will need it. What the
    // confirmations leave (each stops at its most blocks) goes to the
    // points still undecided, and then to confirming their new suspects;
    // once none is undecided, to the confirmations, further.
    let budget = request.budget;
    let until = |records: &[PointRecord]| budget.saturating_sub(reserve(records));
    for pass in 2.. {
        screening_pass(blocks, &mut records, request, pass, until, &mut rng);
        confirm_suspects(blocks, &mut records, request, &mut rng);
        let more = records.iter().any(PointRecord::undecided)
            && blocks.elapsed() < budget
            && stop::received().is_none();
        if !more {
            break;
        }
    }
    confirm::extend(blocks, &mut records, request, &mut rng);
    let unconfirmed: Vec<usize> = (0..records.len())
        .filter(|&i| unconfirmed_suspect(&records[i]))
        .collect();
    stop::settle(&mut records, &unconfirmed);
    let verdicts = judge_all(&records);
    (records, verdicts)
}

/// Every point's verdict: the confirmed suspects' threshold p-values go
/// through Benjamini-Hochberg together.
fn judge_all(records: &[PointRecord]) -> Vec<PointVerdict> {
    let confirmed: Vec<(usize, f64)> = records
        .iter()
        .enumerate()
        .filter(|(_, r)| r.suspect())
        .filter_map(|(i, r)| Some((i, r.confirmation_p()?)))
        .collect();
    let p_values: Vec<f64> = confirmed.iter().map(|(_, p)| *p).collect();
    let discovered = paired::benjamini_hochberg(&p_values, FDR);
    records
        .iter()
        .enumerate()
        .map(|(i, record)| {
            let found = confirmed
                .iter()
                .position(|(c, _)| *c == i)
                .is_some_and(|at| discovered[at]);
            record.verdict(found)
        })
        .collect()
}

/// Screen every undecided point, each with an equal share of what is left
/// of `until` (time since the gate began).
fn screening_pass(
    blocks: &mut impl Blocks,
    records: &mut [PointRecord],
    request: &DuetRequest,
    pass: usize,
    until: impl Fn(&[PointRecord]) -> Duration,
    rng: &mut fastrand::Rng,
) {
    let todo: Vec<usize> = (0..records.len())
        .filter(|&i| records[i].undecided())
        .collect();
    for (done, &i) in todo.iter().enumerate() {
        if stop::received().is_some() {
            break;
        }
        let left = until(records).saturating_sub(blocks.elapsed());
        if pass > 1 && left.is_zero() {
            break;
        }
        let share = left / (todo.len() - done) as u32;
        screen_point(blocks, &mut records[i], request, share, rng);
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

/// Screen `record` with blocks until it is decided or has spent `share`
/// (the first block always runs).
fn screen_point(
    blocks: &mut impl Blocks,
    record: &mut PointRecord,
    request: &DuetRequest,
    share: Duration,
    rng: &mut fastrand::Rng,
) {
    let began = blocks.elapsed();
    while record.undecided()
        && stop::received().is_none()
        && (blocks.elapsed() - began < share || record.screening.is_empty())
    {
        if let Some(log_ratio) = one_block(blocks, record, request, rng) {
            record.screening.push(log_ratio);
        }
    }
}

#[cfg(test)]
#[path = "passes_tests.rs"]
mod tests;
