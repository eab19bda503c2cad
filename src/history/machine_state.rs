//! How busy the machine was over each stored run (table `machine_states`:
//! of the drift probes that timed the wide work, how many read slow) and
//! while each point was measured (`figures.busy_pct`, its group's share). On a
//! shared host a neighbour on the same core slows throughput-bound points
//! with no change to the code, so `history check` says so beside a
//! regression whose runs after the step had the machine busier than those
//! before it.

use std::collections::BTreeSet;

use rusqlite::params;

use super::store::Store;
use crate::error::BadInput;
use crate::results::BUSY_SHARE;
use crate::stats::median_of_sorted;

/// How busy one stored run found the machine (0 to 1: the share of slow
/// wide probes), with the commit it measured.
#[derive(Debug, Clone, PartialEq)]
pub struct CommitShare {
    pub commit: String,
    pub share: f64,
}

impl Store {
    /// Each run of `host` that recorded its state: its share over the run.
    pub fn run_busy_shares(&self, host: &str) -> Result<Vec<CommitShare>, BadInput> {
        let sql = "SELECT r.commit_id, CAST(m.wide_slow AS REAL) / max(m.wide_probes, 1)
                   FROM machine_states m JOIN runs r ON r.id = m.run_id
                   JOIN hosts h ON h.id = r.host_id WHERE h.key = ?1";
        self.query(sql, params![host], read_share)
    }

    /// Each run of `host` that recorded it: the share of `point`'s group's
    /// probes that read slow (`busy_pct` over 100).
    pub fn point_busy_shares(&self, host: &str, point: &str) -> Result<Vec<CommitShare>, BadInput> {
        let sql = "SELECT r.commit_id, f.busy_pct / 100.0
                   FROM figures f JOIN runs r ON r.id = f.run_id
                   JOIN hosts h ON h.id = r.host_id JOIN points p ON p.id = f.point_id
                   WHERE h.key = ?1 AND p.name = ?2 AND f.busy_pct IS NOT NULL";
        self.query(sql, params![host, point], read_share)
    }
}

fn read_share(r: &rusqlite::Row<'_>) -> rusqlite::Result<CommitShare> {
    Ok(CommitShare {
        commit: r.get(0)?,
        share: r.get(1)?,
    })
}

/// Whether the machine was busier in the runs of `after` than in those of
/// `before`: from the point's own group (`point`) where both sides
/// recorded it, else from the runs as a whole (`run`). Busier: the median
/// share after at least `BUSY_SHARE` and at least twice the median before.
/// The sentence says which, e.g. "while it was measured, the wide probe
/// read slow in 38% of its group's probes in the runs after the step,
/// against 2% before". None when neither says the machine was busier.
pub fn busier(
    run: &[CommitShare],
    point: &[CommitShare],
    before: &[&str],
    after: &[&str],
) -> Option<String> {
    let (shares, what) = match (median_share(point, before), median_share(point, after)) {
        (Some(was), Some(is)) => ((was, is), "of its group's probes while it was measured"),
        _ => (
            (median_share(run, before)?, median_share(run, after)?),
            "of all the probes",
        ),
    };
    let (was, is) = shares;
    (is >= BUSY_SHARE && is >= 2.0 * was).then(|| {
        format!(
            "the wide probe read slow in {:.0}% {what} in the runs after the step, against {:.0}% before",
            100.0 * is,
            100.0 * was
        )
    })
}

/// The median share over the runs of `commits`.
fn median_share(rows: &[CommitShare], commits: &[&str]) -> Option<f64> {
    let commits: BTreeSet<&str> = commits.iter().copied().collect();
    let mut shares: Vec<f64> = rows
        .iter()
        .filter(|r| commits.contains(r.commit.as_str()) && r.share.is_finite())
        .map(|r| r.share)
        .collect();
    shares.sort_by(f64::total_cmp);
    (!shares.is_empty()).then(|| median_of_sorted(&shares))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(commit: &str, share: f64) -> CommitShare {
        CommitShare {
            commit: commit.into(),
            share,
        }
    }

    #[test]
    fn a_step_whose_runs_had_the_machine_busier_says_so() {
        let runs = [
            row("a", 0.02),
            row("b", 0.04),
            row("b", 0.06),
            row("c", 0.31),
        ];
        assert_eq!(
            busier(&runs, &[], &["a", "b"], &["c"]).as_deref(),
            Some(
                "the wide probe read slow in 31% of all the probes in the runs after the step, against 4% before"
            )
        );
        // The point's own group speaks first where both sides have it:
        // here it was quiet, so the run's business does not count.
        let quiet = [row("a", 0.0), row("b", 0.0), row("c", 0.0)];
        assert_eq!(busier(&runs, &quiet, &["a", "b"], &["c"]), None);
        let busy = [row("a", 0.0), row("c", 0.38)];
        assert_eq!(
            busier(&runs, &busy, &["a", "b"], &["c"]).as_deref(),
            Some(
                "the wide probe read slow in 38% of its group's probes while it was measured in the runs after the step, against 0% before"
            )
        );
    }

    #[test]
    fn nothing_is_said_when_the_machine_was_not_busier_or_not_observed() {
        let rows = [row("a", 0.2), row("b", 0.31), row("q", 0.05), row("z", 0.0)];
        assert_eq!(
            busier(&rows, &[], &["a"], &["b"]),
            None,
            "not twice as busy"
        );
        assert_eq!(busier(&rows, &[], &["z"], &["q"]), None, "below 10%");
        assert_eq!(busier(&rows, &[], &["x"], &["b"]), None, "before: no state");
        assert_eq!(busier(&rows, &[], &["a"], &["y"]), None, "after: no state");
        assert!(busier(&rows, &[], &["q"], &["b"]).is_some());
    }
}
