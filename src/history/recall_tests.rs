//! Recall: a run's placement figures stored, and read back by a later run
//! of the same machine only, from the newest earlier runs.

use super::*;
use crate::results::{Observation, PointResult, SamplePlacement};
use crate::vocab::Sample;
use PlacementClass::{SameCpu, Spread};

const POINT: &str = "switch.pingpong/futex/thread/pinned_cores=0";
const PINNED: &str = "switch.pingpong/futex/thread/pinned_cores=1";

/// A point whose samples are (ns per op, class).
fn point(id: &str, pinned: u64, samples: &[(u64, PlacementClass)]) -> PointResult {
    let mut p: PointResult = serde_json::from_value(serde_json::json!({
        "id": id, "family": "switch", "scenario": "switch.pingpong", "variant": "futex",
        "model": "thread", "params": { "pinned_cores": pinned }, "status": "ok",
        "error": null, "unit": "round_trip", "elapsed_ns": 0, "samples": [],
        "summary": null, "latency_ns": null, "resources": null, "utilisation": null,
        "metrics": {}
    }))
    .expect("a point");
    p.samples = samples
        .iter()
        .map(|&(ns, _)| Sample { ops: 1, ns })
        .collect();
    p.placement = Some(Observation {
        samples: samples
            .iter()
            .map(|&(_, c)| SamplePlacement::new(c))
            .collect(),
        ..Observation::default()
    });
    p
}

/// A run started at `started` whose points ran `same` samples on one CPU
/// (1000 ns) and `spread` spread (5000 ns).
fn run(id: &str, started: &str, same: usize, spread: usize) -> RunResults {
    let mut samples = vec![(1000, SameCpu); same];
    samples.extend(vec![(5000, Spread); spread]);
    let mut run = crate::results::RunResults::empty(id, started);
    run.results = vec![point(POINT, 0, &samples), point(PINNED, 1, &samples)];
    run
}

fn store_with(dir: &Path, runs: &[&RunResults]) -> std::path::PathBuf {
    let path = dir.join("history.sqlite");
    let mut store = Store::open(&path).unwrap();
    for r in runs {
        let record = super::super::record::of_run(r, Path::new("results.json"), Some("abc"));
        store.add(&record).unwrap();
    }
    path
}

fn earlier(results: &RunResults) -> Option<EarlierPlacements> {
    results.results[0].placement.as_ref()?.earlier.clone()
}

#[test]
fn a_later_run_recalls_the_placements_earlier_runs_counted() {
    let dir = tempfile::tempdir().unwrap();
    let first = run("a", "2026-12-01T10:00:00+00:00", 20, 0);
    let second = run("b", "2026-12-01T11:00:00+00:00", 12, 8);
    let path = store_with(dir.path(), &[&first, &second]);

    let mut third = run("c", "2026-12-01T12:00:00+00:00", 20, 0);
    assert_eq!(
        attach(&mut third, &path).unwrap(),
        1,
        "the pinned point gets none"
    );
    let seen = earlier(&third).expect("recalled");
    assert_eq!(seen.runs, 2);
    let spread = seen.classes.iter().find(|c| c.class == Spread).unwrap();
    assert_eq!((spread.runs, spread.median), (1, 5000.0));
    assert!(
        third.results[1]
            .placement
            .as_ref()
            .unwrap()
            .earlier
            .is_none()
    );

    // This run drew one CPU only; the spread placement an earlier run saw
    // is known, so its speed depends on placement.
    let known = third.results[0].known_placements();
    assert_eq!(known.len(), 2);
    assert_eq!(known[1].earlier_runs, Some((1, 2)));
    assert!(third.results[0].placement_dependence().is_some());
    let mut alone = run("c", "2026-12-01T12:00:00+00:00", 20, 0);
    assert!(alone.results[0].placement_dependence().is_none());

    // The first run has nothing before it; the second recalls the first
    // only, never itself.
    let mut first_again = first.clone();
    assert_eq!(attach(&mut first_again, &path).unwrap(), 0);
    let mut second_again = second.clone();
    attach(&mut second_again, &path).unwrap();
    let seen = earlier(&second_again).expect("the first run");
    assert_eq!(seen.runs, 1);
    assert!(seen.classes.is_empty(), "one CPU, which it counted itself");

    // A store that does not exist has nothing and is not created.
    let missing = dir.path().join("none.sqlite");
    assert_eq!(attach(&mut alone, &missing).unwrap(), 0);
    assert!(!missing.exists());
}

#[test]
fn only_the_newest_runs_of_the_same_machine_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let mut runs: Vec<RunResults> = (0..WINDOW + 3)
        .map(|i| run(&format!("r{i}"), &at(i), 20, 0))
        .collect();
    // The oldest run was the only one to see the point spread.
    runs[0] = run("r0", "2026-12-01T10:00:00+00:00", 10, 10);
    let mut elsewhere = run("x", &at(30), 0, 20);
    elsewhere.host.cpu_model = "another CPU".into();
    let mut all: Vec<&RunResults> = runs.iter().collect();
    all.push(&elsewhere);
    let path = store_with(dir.path(), &all);

    let mut latest = run("z", &at(WINDOW + 10), 20, 0);
    attach(&mut latest, &path).unwrap();
    let seen = earlier(&latest).unwrap();
    assert_eq!(seen.runs as usize, WINDOW);
    assert!(
        seen.classes.is_empty(),
        "the oldest run and the other machine are out of the window: {seen:?}"
    );
}

/// The time `minute` minutes after 10:00 on 2026-12-01.
fn at(minute: usize) -> String {
    format!(
        "2026-12-01T{:02}:{:02}:00+00:00",
        10 + minute / 60,
        minute % 60
    )
}

/// A run of `commit` at minute `minute` whose two points took `ns` and
/// `pinned_ns` per operation (within a few per cent), on one CPU.
fn run_of(commit: &str, minute: usize, ns: u64, pinned_ns: u64) -> RunResults {
    let started = at(minute);
    let mut results = run(&format!("r{minute}"), &started, 20, 0);
    results.run.git_commit = Some(commit.to_string());
    let wobble = 1.0 + 0.01 * (minute % 3) as f64;
    for (point, ns) in results.results.iter_mut().zip([ns, pinned_ns]) {
        for (i, sample) in point.samples.iter_mut().enumerate() {
            sample.ns = (ns as f64 * wobble * (1.0 + 0.005 * (i % 5) as f64)) as u64;
        }
        point.summary = Some(crate::results::Summary::of(&point.samples));
    }
    results
}

/// A store holding `runs`, each under its own commit.
fn stored(dir: &Path, runs: &[RunResults]) -> std::path::PathBuf {
    let path = dir.join("history.sqlite");
    let mut store = Store::open(&path).unwrap();
    for r in runs {
        store
            .add(&of_run(r, Path::new("results.json"), None))
            .unwrap();
    }
    path
}

#[test]
fn runs_before_a_change_in_a_points_series_are_not_read() {
    let dir = tempfile::tempdir().unwrap();
    // A window's worth of commits at 1000 ns, then four at 2000: the point
    // changed at the fourth from last; the pinned point never did.
    let changed = WINDOW;
    let runs: Vec<RunResults> = (0..changed + 4)
        .map(|i| {
            run_of(
                &format!("c{i}"),
                i,
                if i < changed { 1000 } else { 2000 },
                1000,
            )
        })
        .collect();
    let path = stored(dir.path(), &runs);

    let mut latest = run_of("latest", changed + 30, 2000, 1000);
    attach(&mut latest, &path).unwrap();
    let medians = &latest.results[0].earlier_medians;
    assert_eq!(medians.len(), 4, "the runs since the change: {medians:?}");
    assert!(medians.iter().all(|m| m.median > 1900.0));
    assert_eq!(earlier(&latest).map(|e| e.runs), Some(4));
    assert_eq!(latest.results[1].earlier_medians.len(), WINDOW);
}

#[test]
fn the_first_runs_of_a_change_weigh_the_old_level_until_it_settles() {
    let dir = tempfile::tempdir().unwrap();
    let mut runs: Vec<RunResults> = (0..WINDOW)
        .map(|i| run_of(&format!("c{i}"), i, 1000, 1000))
        .collect();
    // "new1" doubles the point's time. Its first two commits could be runs
    // that drew another placement: they are weighed against the old level.
    for (commit, minute) in [("new1", WINDOW + 10), ("new2", WINDOW + 11)] {
        let path = stored(dir.path(), &runs);
        let mut changed = run_of(commit, minute, 2000, 1000);
        attach(&mut changed, &path).unwrap();
        assert_eq!(changed.results[0].earlier_medians.len(), WINDOW, "{commit}");
        runs.push(changed);
    }
    // The third commit at the new level settles it: new1 and new2 only.
    let path = stored(dir.path(), &runs);
    let mut settled = run_of("new3", WINDOW + 12, 2000, 1000);
    attach(&mut settled, &path).unwrap();
    let medians = &settled.results[0].earlier_medians;
    assert_eq!(medians.len(), 2, "{medians:?}");
    assert_eq!(earlier(&settled).map(|e| e.runs), Some(2));
    assert_eq!(settled.results[1].earlier_medians.len(), WINDOW);
}
