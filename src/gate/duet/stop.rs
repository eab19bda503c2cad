//! A stop signal (Ctrl-C, SIGTERM) during the interleaved gate, as `run`
//! handles one: the block under way is abandoned (its workers killed, see
//! `worker`), no new block starts, the verdicts already reached stand, and
//! every point not yet settled ends as interrupted. The caller writes the
//! files as usual and exits 128 + the signal.

use super::record::{Ended, PointRecord};

/// The stop signal received so far, if any.
pub fn received() -> Option<i32> {
    crate::interrupt::received()
}

/// How a point that `signal` stopped before it was decided ends.
pub fn interrupted(signal: i32) -> Ended {
    Ended::NotComparable {
        why: format!(
            "interrupted by {} before it was decided",
            crate::interrupt::name(signal)
        ),
    }
}

/// After a stop signal, every point not yet settled ends as interrupted:
/// those screening left undecided, and the suspects in `unconfirmed`
/// (whose confirmation never ran).
pub fn settle(records: &mut [PointRecord], unconfirmed: &[usize]) {
    let Some(signal) = received() else {
        return;
    };
    for (i, record) in records.iter_mut().enumerate() {
        if record.ended.is_none() && (record.undecided() || unconfirmed.contains(&i)) {
            record.ended = Some(interrupted(signal));
        }
    }
}
