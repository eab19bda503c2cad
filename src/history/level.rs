//! Which earlier runs measured each point at the speed it has now: the runs
//! of the commits from the newest change the detector finds in the point's
//! series (this run's figure its newest) on. A run before a real change
//! measured other code, so its figures are not weighed against this run's.

use std::collections::{BTreeMap, BTreeSet};

use super::changes::Settings;
use super::record::RunRecord;
use super::series;
use super::store::{Row, Store};
use crate::error::BadInput;

/// How many of the machine's newest commits the detector reads: enough to
/// see a step, bounded so that a long history costs a run no more.
pub const COMMITS: usize = 30;

/// The fewest commits (this run's among them) a new level must hold before
/// the runs before it are set aside. One commit alone can be a run that drew
/// another placement, which the detector can take for a step; setting runs
/// aside on it would let this run state what the runs before it disagree
/// with, so the first runs of a real change are weighed against the old
/// level too (their comparisons withheld, not misstated).
pub const SETTLED: usize = 3;

/// Per point, the commits of its current level: those from its newest
/// change with at least `SETTLED` commits since on. A point whose series shows
/// no such change, or that has no figure in `run`, is absent: every earlier
/// run of it is read.
pub type Levels = BTreeMap<String, BTreeSet<String>>;

impl Store {
    /// The figures of `host`'s runs started before `before`, from the
    /// `commits` commits whose newest such run is newest, oldest run first.
    pub fn recent_rows(
        &self,
        host: &str,
        before: &str,
        commits: usize,
    ) -> Result<Vec<Row>, BadInput> {
        let sql = "WITH earlier AS (
                       SELECT r.id, r.commit_id, r.started FROM runs r
                       JOIN hosts h ON h.id = r.host_id
                       WHERE h.key = ?1 AND r.kind = 'run' AND r.started < ?2),
                   recent AS (
                       SELECT commit_id FROM earlier GROUP BY commit_id
                       ORDER BY max(started) DESC LIMIT ?3)
                   SELECT e.id, e.commit_id, e.started, p.name, f.median, f.lo, f.hi
                   FROM figures f JOIN earlier e ON e.id = f.run_id
                   JOIN points p ON p.id = f.point_id
                   WHERE e.commit_id IN (SELECT commit_id FROM recent)
                   ORDER BY e.started, e.id";
        self.query(
            sql,
            rusqlite::params![host, before, commits as i64],
            Row::read,
        )
    }
}

/// The current level of each point of `run`, from the figures of the
/// runs before it (`earlier`, oldest first) with its own appended.
pub fn current_levels(earlier: Vec<Row>, run: &RunRecord) -> Levels {
    let mut rows = earlier;
    rows.extend(run.figures.iter().map(|figure| Row {
        run: -1,
        commit: run.commit.clone(),
        started: run.started.clone(),
        point: figure.point.clone(),
        median: figure.median,
        lo: figure.lo,
        hi: figure.hi,
    }));
    let measured: BTreeSet<&str> = run.figures.iter().map(|f| f.point.as_str()).collect();
    series::build(&rows, &Settings::default())
        .into_iter()
        .filter(|s| measured.contains(s.point.as_str()))
        .filter_map(|s| {
            let commits = s.commits.len();
            let newest = s.changes.iter().rev().find(|c| commits - c.at >= SETTLED)?;
            let commits = s.commits[newest.at..].iter().map(|c| c.commit.clone());
            Some((s.point.clone(), commits.collect()))
        })
        .collect()
}

/// Whether a run of `commit` measured `point` at its current level.
pub fn in_level(levels: &Levels, point: &str, commit: &str) -> bool {
    levels
        .get(point)
        .is_none_or(|commits| commits.contains(commit))
}
