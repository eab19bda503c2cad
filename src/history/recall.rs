//! What earlier runs on the same machine saw of each point's placement:
//! kept per run in the store (table `placements`), and read back when a
//! run is written, or a report drawn again with `--history`, so that its
//! findings weigh the placements this run did not draw
//! (`results::Observation::earlier`).

use std::collections::BTreeMap;
use std::path::Path;

use rusqlite::params;

use super::level::{COMMITS, Levels, current_levels, in_level};
use super::record::{of_run, run_key};
use super::store::Store;
use crate::error::BadInput;
use crate::results::{EarlierClass, EarlierMedian, EarlierPlacements, PlacementClass, RunResults};

/// How many earlier runs of the machine are read: the newest this many
/// that observed placement, started before the run. A placement a point
/// draws once in tens of runs must stay known that long, or the runs after
/// it state what its next draw takes back (60 against 10: run 1's findings
/// restated by later runs 97.0% against 94.2% over 40 runs,
/// docs/measurements/2026-12-07-placement-memory.md).
pub const WINDOW: usize = 60;

/// Each earlier run's counted placements of one point: class to median.
pub type RunPlacements = BTreeMap<PlacementClass, f64>;

/// Something an earlier run measured of a point, with the commit it ran.
#[derive(Debug, Clone, PartialEq)]
pub struct OfCommit<T> {
    pub commit: String,
    pub value: T,
}

impl Store {
    /// Per point, the placements each of the newest `WINDOW` runs of `host`
    /// that observed placement, started before `before` (and not the run
    /// `except`), counted.
    pub fn earlier_placements(
        &self,
        host: &str,
        before: &str,
        except: &str,
    ) -> Result<BTreeMap<String, Vec<OfCommit<RunPlacements>>>, BadInput> {
        let sql = "WITH earlier AS (
                       SELECT r.id, r.commit_id FROM runs r JOIN hosts h ON h.id = r.host_id
                       WHERE h.key = ?1 AND r.kind = 'run' AND r.started < ?2 AND r.key <> ?3
                         AND EXISTS (SELECT 1 FROM placements pl WHERE pl.run_id = r.id)
                       ORDER BY r.started DESC, r.id DESC LIMIT ?4)
                   SELECT p.name, pl.run_id, e.commit_id, pl.class, pl.median
                   FROM placements pl JOIN points p ON p.id = pl.point_id
                   JOIN earlier e ON e.id = pl.run_id";
        let rows: Vec<(String, i64, String, String, f64)> =
            self.query(sql, params![host, before, except, WINDOW as i64], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })?;
        let mut by_point: BTreeMap<String, BTreeMap<i64, OfCommit<RunPlacements>>> =
            BTreeMap::new();
        for (point, run, commit, class, median) in rows {
            if let Some(class) = PlacementClass::from_name(&class) {
                let runs = by_point.entry(point).or_default();
                let of_run = runs.entry(run).or_insert_with(|| OfCommit {
                    commit,
                    value: RunPlacements::new(),
                });
                of_run.value.insert(class, median);
            }
        }
        Ok(by_point
            .into_iter()
            .map(|(point, runs)| (point, runs.into_values().collect()))
            .collect())
    }

    /// Per point, its median in each of the newest `WINDOW` runs of `host`
    /// started before `before` (and not the run `except`), newest first.
    pub fn earlier_medians(
        &self,
        host: &str,
        before: &str,
        except: &str,
    ) -> Result<BTreeMap<String, Vec<OfCommit<EarlierMedian>>>, BadInput> {
        let sql = "WITH earlier AS (
                       SELECT r.id, r.started, r.commit_id FROM runs r JOIN hosts h ON h.id = r.host_id
                       WHERE h.key = ?1 AND r.kind = 'run' AND r.started < ?2 AND r.key <> ?3
                       ORDER BY r.started DESC, r.id DESC LIMIT ?4)
                   SELECT p.name, e.started, e.commit_id, f.median
                   FROM figures f JOIN earlier e ON e.id = f.run_id JOIN points p ON p.id = f.point_id
                   ORDER BY e.started DESC";
        let rows: Vec<(String, String, String, f64)> =
            self.query(sql, params![host, before, except, WINDOW as i64], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })?;
        let mut by_point: BTreeMap<String, Vec<OfCommit<EarlierMedian>>> = BTreeMap::new();
        for (point, run, commit, median) in rows {
            by_point.entry(point).or_default().push(OfCommit {
                commit,
                value: EarlierMedian { run, median },
            });
        }
        Ok(by_point)
    }
}

/// What earlier runs say of the placements with parties on CPUs that this
/// run did not count (`here`: its counted placements): each with the
/// median of the medians the runs that counted it measured.
pub fn earlier_for(here: &[PlacementClass], runs: &[RunPlacements]) -> EarlierPlacements {
    let mut missing: BTreeMap<PlacementClass, Vec<f64>> = BTreeMap::new();
    for run in runs {
        for (&class, &median) in run {
            if class != PlacementClass::Single && !here.contains(&class) {
                missing.entry(class).or_default().push(median);
            }
        }
    }
    let classes = missing
        .into_iter()
        .map(|(class, medians)| EarlierClass {
            class,
            runs: medians.len() as u32,
            median: sorted_median(medians),
        })
        .filter(|c| c.median.is_finite() && c.median > 0.0)
        .collect();
    EarlierPlacements {
        runs: runs.len() as u32,
        classes,
    }
}

/// The median of `values`, in any order.
fn sorted_median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    crate::stats::median_of_sorted(&values)
}

/// Keep with each point of `results` its medians in the earlier runs of
/// its machine in `store`, and with each observed, unpinned one the
/// placements they counted that it did not (replacing what it had): of
/// the runs at the point's current level only (`level`). Returns the
/// number of points that got placements. A store that does not exist yet
/// has nothing.
pub fn attach(results: &mut RunResults, store: &Path) -> Result<usize, BadInput> {
    if !store.exists() {
        return Ok(0);
    }
    let store = Store::open(store)?;
    let record = of_run(results, Path::new(""), None);
    let (host, before) = (&record.host.key, &results.run.started);
    let except = run_key(results, &record.host);
    let mut earlier = store.earlier_placements(host, before, &except)?;
    let mut medians = store.earlier_medians(host, before, &except)?;
    let levels = current_levels(store.recent_rows(host, before, COMMITS)?, &record);
    for point in results.results.iter_mut() {
        let runs = medians.remove(&point.id).unwrap_or_default();
        point.earlier_medians = at_level(&levels, &point.id, runs);
    }
    let mut attached = 0;
    for point in results.results.iter_mut().filter(|p| !p.is_pinned()) {
        let here: Vec<PlacementClass> =
            point.counted_placements().iter().map(|c| c.class).collect();
        let runs = earlier.remove(&point.id).unwrap_or_default();
        let runs = at_level(&levels, &point.id, runs);
        if let Some(observation) = point.placement.as_mut() {
            observation.earlier = (!runs.is_empty()).then(|| earlier_for(&here, &runs));
            attached += usize::from(observation.earlier.is_some());
        }
    }
    Ok(attached)
}

/// What the runs of `point`'s current level measured, of `runs`.
fn at_level<T>(levels: &Levels, point: &str, runs: Vec<OfCommit<T>>) -> Vec<T> {
    runs.into_iter()
        .filter(|run| in_level(levels, point, &run.commit))
        .map(|run| run.value)
        .collect()
}

#[cfg(test)]
#[path = "recall_tests.rs"]
mod tests;
