//! The interleaved gate's confirmations: every suspect measured again in
//! fresh blocks, for a length set by the clock and by other points, never
//! by its own fresh figures, so that the confirmation's p-value is exact.
//!
//! Each suspect first gets an equal share of what is left of the budget,
//! up to `CONFIRMATION_MOST` blocks, so that points still undecided keep
//! time for their later screening passes. Once no point is undecided, what
//! the budget still holds goes on to every confirmed suspect alike
//! (`extend`): whether that happens depends on the screenings and the
//! clock only.

use std::time::Duration;

use super::record::PointRecord;
use super::request::DuetRequest;
use super::step::{Blocks, one_block, summary};
use super::stop;
use crate::gate::paired;

/// Confirmation blocks per suspect: the time reserved is for as many as its
/// screening took, within these bounds. 16 blocks leave room for a few
/// reversed by the machine's noise (unanimous, p = 1/65536).
pub const CONFIRMATION_BLOCKS: std::ops::RangeInclusive<usize> = 16..=48;

/// A confirmation given more time than its reserve goes on to this many
/// blocks while other points are undecided: at a 390 s budget, suspects
/// 5-11% slower stopped at 48 blocks short of showing it beyond 5%, with a
/// fifth of the budget unspent. What is left once nothing is undecided
/// goes further (`extend`).
pub const CONFIRMATION_MOST: usize = 96;

/// Confirm every suspect not confirmed yet, each an equal share of what is
/// left of the budget.
pub(super) fn confirm_suspects(
    blocks: &mut impl Blocks,
    records: &mut [PointRecord],
    request: &DuetRequest,
    rng: &mut fastrand::Rng,
) {
    let suspects: Vec<usize> = (0..records.len())
        .filter(|&i| unconfirmed_suspect(&records[i]))
        .collect();
    for (done, &i) in suspects.iter().enumerate() {
        if stop::received().is_some() {
            break;
        }
        let left = request.budget.saturating_sub(blocks.elapsed());
        let share = left / (suspects.len() - done) as u32;
        let record = &mut records[i];
        record.confirmation_starts = record.sides.each_ref().map(|s| s.samples.len());
        let most = request.most_confirmation_blocks;
        confirm_point(blocks, record, request, share, most, rng);
        if request.progress {
            eprintln!(
                "[confirming {}/{}] {}",
                done + 1,
                suspects.len(),
                summary(record)
            );
        }
    }
}

/// With no point left undecided, give what is left of the budget to every
/// suspect whose confirmation ran, each an equal share, with no limit on
/// its blocks but the clock. Which suspects, and for how long, follows from
/// the screenings and the clock, so each confirmation's p-value stays exact.
pub(super) fn extend(
    blocks: &mut impl Blocks,
    records: &mut [PointRecord],
    request: &DuetRequest,
    rng: &mut fastrand::Rng,
) {
    if !request.extend_confirmations || records.iter().any(PointRecord::undecided) {
        return;
    }
    let confirmed: Vec<usize> = (0..records.len())
        .filter(|&i| records[i].suspect() && !records[i].confirmation.is_empty())
        .collect();
    for (done, &i) in confirmed.iter().enumerate() {
        let left = request.budget.saturating_sub(blocks.elapsed());
        if left.is_zero() || stop::received().is_some() {
            break;
        }
        let share = left / (confirmed.len() - done) as u32;
        let before = records[i].confirmation.len();
        confirm_point(blocks, &mut records[i], request, share, usize::MAX, rng);
        if request.progress && records[i].confirmation.len() > before {
            eprintln!(
                "[confirming further {}/{}] {}",
                done + 1,
                confirmed.len(),
                summary(&records[i])
            );
        }
    }
}

/// A suspect whose confirmation has not run (or was too short to test).
pub(super) fn unconfirmed_suspect(record: &PointRecord) -> bool {
    record.suspect() && record.confirmation.is_empty()
}

/// The time the confirmations of the unconfirmed suspects known now will
/// take, from each one's measured block length, with a fifth to spare.
pub(super) fn reserve(records: &[PointRecord]) -> Duration {
    records
        .iter()
        .filter(|r| unconfirmed_suspect(r))
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

/// Measure a suspect in fresh blocks for its whole `share`, until its
/// confirmation holds `most` blocks (a first confirmation's first block
/// always runs).
fn confirm_point(
    blocks: &mut impl Blocks,
    record: &mut PointRecord,
    request: &DuetRequest,
    share: Duration,
    most: usize,
    rng: &mut fastrand::Rng,
) {
    let began = blocks.elapsed();
    let first = record.confirmation.is_empty();
    while record.ended.is_none()
        && record.confirmation.len() < most
        && (blocks.elapsed() - began < share || (first && record.confirmation.is_empty()))
    {
        if let Some(signal) = stop::received() {
            // A stop during a first confirmation leaves the suspect
            // unconfirmed; one during an extension keeps what it has.
            if first {
                record.ended = Some(stop::interrupted(signal));
            }
            return;
        }
        if let Some(log_ratio) = one_block(blocks, record, request, rng) {
            record.confirmation.push(log_ratio);
        }
    }
    if record.confirmation.len() < paired::MIN_BLOCKS {
        // Too few to test: a confirmation that cannot confirm.
        record.confirmation.clear();
        record.draws.truncate(record.screening.len());
    }
}
