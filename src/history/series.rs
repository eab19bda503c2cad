//! A point's series on one host: one figure per commit (several runs of a
//! commit merged), oldest commit first, and the changes found in it.

use std::collections::BTreeMap;

use super::changes::{self, Change, Observation, Settings};
use super::store::Row;

/// A commit's figure for a point.
#[derive(Debug, Clone, PartialEq)]
pub struct CommitFigure {
    pub commit: String,
    /// The first run of the commit's start time.
    pub started: String,
    /// How many runs it merges.
    pub runs: usize,
    pub value: f64,
    pub lo: Option<f64>,
    pub hi: Option<f64>,
}

/// One host's series, with the changes found.
pub struct HostHistory {
    pub host: String,
    pub label: String,
    pub runs: usize,
    pub series: Vec<Series>,
}

impl HostHistory {
    /// Every change of the host, newest commit first (then by point).
    pub fn changes_newest_first(&self) -> Vec<(&Series, &Change)> {
        let mut found: Vec<(&Series, &Change)> = self
            .series
            .iter()
            .flat_map(|s| s.changes.iter().map(move |c| (s, c)))
            .collect();
        found.sort_by(|(sa, ca), (sb, cb)| {
            let (when_a, when_b) = (&sa.commits[ca.at].started, &sb.commits[cb.at].started);
            when_b.cmp(when_a).then_with(|| sa.point.cmp(&sb.point))
        });
        found
    }
}

/// One point's history on one host.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub point: String,
    pub commits: Vec<CommitFigure>,
    pub changes: Vec<Change>,
}

impl Series {
    /// The figures as the detector reads them.
    pub fn observations(&self) -> Vec<Observation> {
        self.commits
            .iter()
            .map(|c| Observation {
                value: c.value,
                lo: c.lo,
                hi: c.hi,
            })
            .collect()
    }

    /// The change the newest commit makes known, if one: the newest change,
    /// once it starts at least `confirm` commits back (the newest counted),
    /// within the detector's newest block, where the series as it stood at
    /// each earlier commit that had `confirm` of it showed no change there.
    /// A step two commits hold can pass the detector where its first commit
    /// alone did not; it is reported once, by the commit that completes it.
    pub fn newest_change(&self, settings: &Settings, confirm: usize) -> Option<&Change> {
        let confirm = confirm.max(1);
        let last = self.commits.len().checked_sub(1)?;
        let change = self.changes.last()?;
        let held = last.checked_sub(change.at)? + 1;
        if held < confirm || held > changes::LONGEST_BLOCK {
            return None;
        }
        let observations = self.observations();
        let seen_before = (change.at + confirm - 1..last).any(|j| {
            changes::detect(&observations[..=j], settings)
                .iter()
                .any(|c| c.at == change.at)
        });
        (!seen_before).then_some(change)
    }
}

/// Every point's series from a host's rows (oldest run first), with changes.
pub fn build(rows: &[Row], settings: &Settings) -> Vec<Series> {
    let commit_order = commit_order(rows);
    let mut by_point: BTreeMap<&str, BTreeMap<usize, Vec<&Row>>> = BTreeMap::new();
    for row in rows {
        let position = commit_order[row.commit.as_str()];
        by_point
            .entry(row.point.as_str())
            .or_default()
            .entry(position)
            .or_default()
            .push(row);
    }
    by_point
        .into_iter()
        .map(|(point, commits)| {
            let commits: Vec<CommitFigure> =
                commits.into_values().map(|runs| merge(&runs)).collect();
            let mut series = Series {
                point: point.to_string(),
                commits,
                changes: Vec::new(),
            };
            series.changes = changes::detect(&series.observations(), settings);
            series
        })
        .collect()
}

/// Each commit's place: the order of its first run.
fn commit_order(rows: &[Row]) -> BTreeMap<&str, usize> {
    let mut order = BTreeMap::new();
    for row in rows {
        let next = order.len();
        order.entry(row.commit.as_str()).or_insert(next);
    }
    order
}

/// Several runs of one commit as one figure: the geometric mean of their
/// medians. One run keeps its own 95% interval; a merged figure has none
/// (no interval of a mean of run medians has been checked to cover 95%),
/// and the detector weighs it like a commit without an interval.
fn merge(runs: &[&Row]) -> CommitFigure {
    let first = runs[0];
    let (lo, hi) = match runs {
        [only] => (only.lo, only.hi),
        _ => (None, None),
    };
    let centre = runs.iter().map(|r| r.median.ln()).sum::<f64>() / runs.len() as f64;
    CommitFigure {
        commit: first.commit.clone(),
        started: first.started.clone(),
        runs: runs.len(),
        value: centre.exp(),
        lo,
        hi,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Twenty commits around 100 (within 1%), then `tail`.
    fn series(tail: &[f64]) -> Series {
        let wobble = [0.0, 0.6, -0.4, 0.9, -0.8, 0.3, -0.2];
        let values = (0..20).map(|i| 100.0 * (1.0 + 0.01 * wobble[i % 7]));
        let commits = values
            .chain(tail.iter().copied())
            .enumerate()
            .map(|(i, value)| CommitFigure {
                commit: format!("c{i}"),
                started: format!("{i:03}"),
                runs: 1,
                value,
                lo: Some(value * 0.99),
                hi: Some(value * 1.01),
            })
            .collect();
        let mut series = Series {
            point: "p".into(),
            commits,
            changes: Vec::new(),
        };
        series.changes = changes::detect(&series.observations(), &Settings::default());
        series
    }

    fn newest_at(tail: &[f64]) -> Option<usize> {
        confirmed_at(tail, 1)
    }

    fn confirmed_at(tail: &[f64], confirm: usize) -> Option<usize> {
        let series = series(tail);
        series
            .newest_change(&Settings::default(), confirm)
            .map(|c| c.at)
    }

    #[test]
    fn a_step_is_reported_once_by_the_commit_that_completes_it() {
        // 3% up: one commit alone is no step, two are, from the first.
        assert_eq!(newest_at(&[103.0]), None);
        assert_eq!(newest_at(&[103.0, 103.2]), Some(20));
        assert_eq!(newest_at(&[103.0, 103.2, 103.1]), None);
        // 10% up: its first commit alone reports it.
        assert_eq!(newest_at(&[110.0]), Some(20));
        assert_eq!(newest_at(&[110.0, 110.2]), None);
        assert_eq!(newest_at(&[]), None);
    }

    #[test]
    fn a_change_two_commits_must_hold_is_reported_by_the_second() {
        assert_eq!(confirmed_at(&[110.0], 2), None);
        assert_eq!(confirmed_at(&[110.0, 110.2], 2), Some(20));
        assert_eq!(confirmed_at(&[110.0, 110.2, 110.1], 2), None);
        assert_eq!(confirmed_at(&[103.0, 103.2], 2), Some(20));
        // One slow draw that the next commit does not repeat: no change.
        assert_eq!(confirmed_at(&[110.0, 100.2], 2), None);
    }
}
