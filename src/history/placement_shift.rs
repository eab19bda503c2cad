//! Whether a point's step in its history coincides with a change of where
//! its parties ran: the placement most of its samples drew in the runs
//! before the step and in those after it (table `placements`). `history
//! check` says so beside a regression: on a shared machine such a step can
//! be the scheduler's draw, not the code.

use std::collections::{BTreeMap, BTreeSet};

use rusqlite::params;

use super::store::Store;
use crate::error::BadInput;
use crate::results::PlacementClass;

/// Samples a run of `commit` counted in `class`.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassSamples {
    pub commit: String,
    pub class: PlacementClass,
    pub samples: u64,
}

impl Store {
    /// The placement samples every run of `host` counted for `point`.
    pub fn placement_samples(
        &self,
        host: &str,
        point: &str,
    ) -> Result<Vec<ClassSamples>, BadInput> {
        let sql = "SELECT r.commit_id, pl.class, pl.samples
                   FROM placements pl JOIN runs r ON r.id = pl.run_id
                   JOIN hosts h ON h.id = r.host_id JOIN points p ON p.id = pl.point_id
                   WHERE h.key = ?1 AND p.name = ?2";
        let rows: Vec<(String, String, i64)> = self.query(sql, params![host, point], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
        Ok(rows
            .into_iter()
            .filter_map(|(commit, class, samples)| {
                Some(ClassSamples {
                    commit,
                    class: PlacementClass::from_name(&class)?,
                    samples: u64::try_from(samples).ok()?,
                })
            })
            .collect())
    }
}

/// "mostly on one CPU before, mostly spread over CPUs after" when most of
/// the samples of the runs of `before` drew one placement and most of
/// those of `after` another; None when they drew the same, or either side
/// has no placement most of its samples drew.
pub fn shift(rows: &[ClassSamples], before: &[&str], after: &[&str]) -> Option<String> {
    let (was, is) = (dominant(rows, before)?, dominant(rows, after)?);
    (was != is).then(|| {
        format!(
            "mostly {} before, mostly {} after",
            was.phrase(),
            is.phrase()
        )
    })
}

/// The placement more than half the samples of the runs of `commits` drew.
fn dominant(rows: &[ClassSamples], commits: &[&str]) -> Option<PlacementClass> {
    let commits: BTreeSet<&str> = commits.iter().copied().collect();
    let mut counts: BTreeMap<PlacementClass, u64> = BTreeMap::new();
    for row in rows.iter().filter(|r| commits.contains(r.commit.as_str())) {
        *counts.entry(row.class).or_default() += row.samples;
    }
    let total: u64 = counts.values().sum();
    counts
        .into_iter()
        .find(|&(_, samples)| 2 * samples > total)
        .map(|(class, _)| class)
}

#[cfg(test)]
mod tests {
    use super::*;
    use PlacementClass::{Moved, SameCpu, Spread};

    fn row(commit: &str, class: PlacementClass, samples: u64) -> ClassSamples {
        ClassSamples {
            commit: commit.into(),
            class,
            samples,
        }
    }

    #[test]
    fn a_step_where_the_placement_changed_says_so() {
        let rows = [
            row("a", SameCpu, 18),
            row("a", Spread, 2),
            row("b", SameCpu, 15),
            row("b", Moved, 5),
            row("c", Spread, 14),
            row("c", SameCpu, 6),
            row("d", Spread, 20),
        ];
        assert_eq!(
            shift(&rows, &["a", "b"], &["c", "d"]).as_deref(),
            Some("mostly on one CPU before, mostly spread over CPUs after")
        );
        // The same placement either side, or none most samples drew.
        assert_eq!(shift(&rows, &["a"], &["b"]), None);
        let mixed = [row("e", SameCpu, 10), row("e", Spread, 10)];
        assert_eq!(shift(&mixed, &["e"], &["c"]), None);
        assert_eq!(shift(&rows, &["a"], &["x"]), None, "no runs observed");
    }
}
