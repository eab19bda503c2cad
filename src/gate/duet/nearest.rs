//! Which undecided points a later screening pass funds, and with how much:
//! those nearest a decision first, by the blocks their own interval says
//! they still need, so that points too noisy to settle within the budget do
//! not take the time that would settle many others.
//!
//! In a whole-suite A/A comparison at 13 minutes (seed 502), equal shares
//! left 61 points uncertain: by their intervals, about half were a few
//! seconds from settling, and a dozen further from it than the whole
//! budget.

use std::time::Duration;

use super::record::PointRecord;
use crate::gate::paired;

/// A point is funded for this many times the time its estimate says it
/// needs: the estimate assumes the interval narrows as 1/sqrt(n) around an
/// estimate that stays put, and neither holds exactly.
pub const SLACK: f64 = 2.0;

/// About how long `record` needs to be decided: the blocks its screening's
/// interval says would settle it, less those it has, at its measured block
/// length (at least one block; none measured yet counts as one).
pub fn time_to_settle(record: &PointRecord) -> Duration {
    let screening = paired::analyse(&record.screening);
    let needed = paired::blocks_to_settle(&screening, record.threshold);
    let more = needed.saturating_sub(record.screening.len()).max(1);
    record.block_time().mul_f64(more as f64)
}

/// How a later screening pass spends what is left of its time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Funding {
    /// Each chosen point gets what it needs, the soonest settled first.
    Needed,
    /// No undecided point's need fits: all divide what is left evenly.
    Even,
}

/// The time a later pass grants `record` when it funds it by need.
pub fn wanted(record: &PointRecord) -> Duration {
    time_to_settle(record).mul_f64(SLACK)
}

/// Which of the `undecided` points (indices into `records`) a later pass
/// screens, in order, and how: those whose need fits in `left`, the
/// soonest settled first; or, where none fits, all of them evenly. The
/// points no budget would settle thus get time only once the others are
/// settled or out of reach, and the passes go on while time is left.
pub fn choose(
    records: &[PointRecord],
    undecided: Vec<usize>,
    left: Duration,
) -> (Vec<usize>, Funding) {
    let mut fitting: Vec<(Duration, usize)> = undecided
        .iter()
        .map(|&i| (wanted(&records[i]), i))
        .filter(|&(wanted, _)| wanted <= left)
        .collect();
    if fitting.is_empty() {
        return (undecided, Funding::Even);
    }
    fitting.sort();
    (
        fitting.into_iter().map(|(_, i)| i).collect(),
        Funding::Needed,
    )
}
