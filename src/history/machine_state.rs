//! How busy the machine was over each stored run (table `machine_states`):
//! of the drift probes that timed the wide work, how many read slow. On a
//! shared host a neighbour on the same core slows throughput-bound points
//! with no change to the code, so `history check` says so beside a
//! regression whose runs after the step had the machine busier than those
//! before it.

use std::collections::BTreeSet;

use rusqlite::params;

use super::record::MachineState;
use super::store::Store;
use crate::error::BadInput;
use crate::results::BUSY_SHARE;
use crate::stats::median_of_sorted;

/// A stored run's state, with the commit it measured.
#[derive(Debug, Clone, PartialEq)]
pub struct CommitState {
    pub commit: String,
    pub state: MachineState,
}

impl Store {
    /// The state of every run of `host` that recorded one.
    pub fn machine_states(&self, host: &str) -> Result<Vec<CommitState>, BadInput> {
        let sql = "SELECT r.commit_id, m.wide_probes, m.wide_slow, m.wide_worst
                   FROM machine_states m JOIN runs r ON r.id = m.run_id
                   JOIN hosts h ON h.id = r.host_id WHERE h.key = ?1";
        self.query(sql, params![host], |r| {
            Ok(CommitState {
                commit: r.get(0)?,
                state: MachineState {
                    wide_probes: r.get(1)?,
                    wide_slow: r.get(2)?,
                    wide_worst: r.get(3)?,
                },
            })
        })
    }
}

/// "the wide probe read slow in 31% of the probes of the runs after it,
/// against 3% before" when the runs of `after` had the machine busier:
/// their median share of slow probes at least `BUSY_SHARE` and at least
/// twice that of the runs of `before`. None when either side recorded no
/// state, or the machine was not busier.
pub fn busier(rows: &[CommitState], before: &[&str], after: &[&str]) -> Option<String> {
    let (was, is) = (median_share(rows, before)?, median_share(rows, after)?);
    (is >= BUSY_SHARE && is >= 2.0 * was).then(|| {
        format!(
            "the wide probe read slow in {:.0}% of the probes of the runs after the step, against {:.0}% before",
            100.0 * is,
            100.0 * was
        )
    })
}

/// The median share of slow probes over the runs of `commits`.
fn median_share(rows: &[CommitState], commits: &[&str]) -> Option<f64> {
    let commits: BTreeSet<&str> = commits.iter().copied().collect();
    let mut shares: Vec<f64> = rows
        .iter()
        .filter(|r| commits.contains(r.commit.as_str()))
        .map(|r| r.state.slow_share())
        .collect();
    shares.sort_by(f64::total_cmp);
    (!shares.is_empty()).then(|| median_of_sorted(&shares))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(commit: &str, slow: u32, probes: u32) -> CommitState {
        CommitState {
            commit: commit.into(),
            state: MachineState {
                wide_probes: probes,
                wide_slow: slow,
                wide_worst: 1.5,
            },
        }
    }

    #[test]
    fn a_step_whose_runs_had_the_machine_busier_says_so() {
        let rows = [
            row("a", 20, 1000),
            row("b", 40, 1000),
            row("b", 60, 1000),
            row("c", 310, 1000),
        ];
        assert_eq!(
            busier(&rows, &["a", "b"], &["c"]).as_deref(),
            Some(
                "the wide probe read slow in 31% of the probes of the runs after the step, against 4% before"
            )
        );
    }

    #[test]
    fn nothing_is_said_when_the_machine_was_not_busier_or_not_observed() {
        let rows = [
            row("a", 200, 1000),
            row("b", 310, 1000),
            row("q", 50, 1000),
            row("z", 0, 1000),
        ];
        assert_eq!(busier(&rows, &["a"], &["b"]), None, "not twice as busy");
        assert_eq!(busier(&rows, &["z"], &["q"]), None, "below 10%");
        assert_eq!(busier(&rows, &["x"], &["b"]), None, "before: no state");
        assert_eq!(busier(&rows, &["a"], &["y"]), None, "after: no state");
        assert!(busier(&rows, &["q"], &["b"]).is_some());
    }
}
