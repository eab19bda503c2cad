//! The store's behaviour: migrations, one copy per run, refusals that leave
//! the file as it was, whole-or-nothing appends, two writers at once.

use super::*;
use crate::history::machine_state;
use crate::history::record::{Figure, HostKey, Kind, RunRecord, VerdictFigure};

fn record(key: &str, commit: &str, started: &str, median: f64) -> RunRecord {
    RunRecord {
        kind: Kind::Run,
        key: key.into(),
        commit: commit.into(),
        started: started.into(),
        host: HostKey {
            key: "cpu | 2 CPUs | 24 GiB | linux".into(),
            label: "box".into(),
        },
        source: "results.json".into(),
        figures: vec![
            Figure {
                point: "lock.contended/std_mutex/thread/threads=2".into(),
                median,
                lo: Some(median * 0.9),
                hi: Some(median * 1.1),
                samples: 12,
                busy_pct: Some(12.5),
            },
            Figure {
                point: "spawn.start/std_thread/thread/workers=10".into(),
                median: 2.0 * median,
                lo: None,
                hi: None,
                samples: 3,
                busy_pct: None,
            },
        ],
        verdicts: Vec::new(),
        placements: Vec::new(),
        machine: None,
    }
}

fn runs(store: &Store) -> usize {
    store.recent(1000).unwrap().len()
}

#[test]
fn a_run_added_twice_is_kept_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("h.sqlite")).unwrap();
    let run = record("a", "c1", "2026-01-01T00:00:00Z", 10.0);
    assert_eq!(store.add(&run).unwrap(), Added::New);
    assert_eq!(store.add(&run).unwrap(), Added::AlreadyThere);
    assert_eq!(runs(&store), 1);
    let rows = store.rows("cpu | 2 CPUs | 24 GiB | linux").unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].lo, Some(9.0));
    assert_eq!(rows[1].lo, None);
}

#[test]
fn a_store_of_the_first_schema_is_migrated_and_keeps_its_runs() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("h.sqlite");
    let mut old = Store::open_at(&path, 1).unwrap();
    old.add_inner_runs_only(&record("a", "c1", "2026-01-01T00:00:00Z", 10.0));
    drop(old);
    let mut store = Store::open(&path).map_err(|e| e.to_string()).unwrap();
    assert_eq!(runs(&store), 1);
    let mut gate = record("g", "c2", "2026-01-02T00:00:00Z", 10.0);
    gate.kind = Kind::Gate;
    gate.figures.clear();
    gate.verdicts.push(VerdictFigure {
        point: "lock.contended/std_mutex/thread/threads=2".into(),
        verdict: "unchanged".into(),
        ratio: Some(1.01),
        lo: Some(0.99),
        hi: Some(1.03),
        threshold_pct: 5.0,
    });
    store.add(&gate).unwrap();
    let latest = store
        .latest_verdicts("cpu | 2 CPUs | 24 GiB | linux")
        .unwrap();
    assert_eq!(latest.len(), 1);
    assert_eq!(latest[0].commit, "c2");

    // The machine's state lands with a run, and the old run has none.
    let mut busy = record("b", "c3", "2026-01-03T00:00:00Z", 10.0);
    busy.machine = Some(crate::history::record::MachineState {
        wide_probes: 200,
        wide_slow: 50,
        wide_worst: 2.5,
    });
    store.add(&busy).unwrap();
    let shares: Vec<Option<f64>> = store
        .recent(10)
        .unwrap()
        .iter()
        .map(|r| r.wide_slow_share)
        .collect();
    assert_eq!(shares, [Some(0.25), None, None]);
    let host = "cpu | 2 CPUs | 24 GiB | linux";
    assert_eq!(
        store.run_busy_shares(host).unwrap(),
        [machine_state::CommitShare {
            commit: "c3".into(),
            share: 0.25
        }]
    );
    // The point's own share, where the run recorded it (not the old run's).
    let point = store
        .point_busy_shares(host, "lock.contended/std_mutex/thread/threads=2")
        .unwrap();
    assert_eq!(point.len(), 1);
    assert_eq!((point[0].commit.as_str(), point[0].share), ("c3", 0.125));
    let none = store
        .point_busy_shares(host, "spawn.start/std_thread/thread/workers=10")
        .unwrap();
    assert!(none.is_empty());
}

#[test]
fn states_counted_against_the_median_are_dropped_when_the_store_moves_to_six() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("h.sqlite");
    let host = "cpu | 2 CPUs | 24 GiB | linux";
    let mut old = Store::open_at(&path, 5).unwrap();
    let mut run = record("b", "c3", "2026-01-03T00:00:00Z", 10.0);
    run.machine = Some(crate::history::record::MachineState {
        wide_probes: 200,
        wide_slow: 2,
        wide_worst: 2.5,
    });
    old.add(&run).unwrap();
    let point = "lock.contended/std_mutex/thread/threads=2";
    assert_eq!(old.run_busy_shares(host).unwrap().len(), 1);
    assert_eq!(old.point_busy_shares(host, point).unwrap().len(), 1);
    drop(old);
    let store = Store::open(&path).map_err(|e| e.to_string()).unwrap();
    assert_eq!(runs(&store), 1, "the run and its figures stay");
    assert!(store.run_busy_shares(host).unwrap().is_empty());
    assert!(store.point_busy_shares(host, point).unwrap().is_empty());
}

#[test]
fn corrupt_foreign_and_newer_stores_are_refused_and_left_as_they_are() {
    let dir = tempfile::tempdir().unwrap();
    let garbage = dir.path().join("garbage.sqlite");
    std::fs::write(&garbage, vec![b'x'; 5000]).unwrap();
    let refused = Store::open(&garbage)
        .err()
        .expect("garbage refused")
        .to_string();
    assert!(refused.contains("not a SQLite database"), "{refused}");
    assert_eq!(std::fs::read(&garbage).unwrap(), vec![b'x'; 5000]);

    let foreign = dir.path().join("foreign.sqlite");
    rusqlite::Connection::open(&foreign)
        .unwrap()
        .execute_batch("CREATE TABLE t (x)")
        .unwrap();
    let before = std::fs::read(&foreign).unwrap();
    let refused = Store::open(&foreign)
        .err()
        .expect("foreign refused")
        .to_string();
    assert!(
        refused.contains("not a concbench history store"),
        "{refused}"
    );
    assert_eq!(std::fs::read(&foreign).unwrap(), before);

    let newer = dir.path().join("newer.sqlite");
    drop(Store::open(&newer).unwrap());
    let conn = rusqlite::Connection::open(&newer).unwrap();
    conn.pragma_update(None, "user_version", 99).unwrap();
    drop(conn);
    let before = std::fs::read(&newer).unwrap();
    let refused = Store::open(&newer)
        .err()
        .expect("newer refused")
        .to_string();
    assert!(refused.contains("newer than this concbench"), "{refused}");
    assert_eq!(std::fs::read(&newer).unwrap(), before);
}

#[test]
fn an_append_that_fails_half_way_leaves_nothing_of_its_run() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("h.sqlite")).unwrap();
    store
        .add(&record("a", "c1", "2026-01-01T00:00:00Z", 10.0))
        .unwrap();
    let mut broken = record("b", "c2", "2026-01-02T00:00:00Z", 10.0);
    // The second figure breaks a constraint after the run and the first
    // figure were written: NaN is stored as NULL, and a median may not be.
    broken.figures[1].median = f64::NAN;
    assert!(store.add(&broken).is_err());
    assert_eq!(runs(&store), 1);
    assert_eq!(
        store.rows("cpu | 2 CPUs | 24 GiB | linux").unwrap().len(),
        2
    );
}

#[test]
fn two_writers_at_once_both_land() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("h.sqlite");
    let writers: Vec<_> = (0..2)
        .map(|w| {
            let path = path.clone();
            std::thread::spawn(move || {
                for i in 0..25 {
                    let mut store = Store::open(&path).map_err(|e| e.to_string()).unwrap();
                    let key = format!("w{w}-{i}");
                    let started = format!("2026-01-01T00:{i:02}:0{w}Z");
                    store
                        .add(&record(&key, &key, &started, 10.0 + i as f64))
                        .unwrap();
                }
            })
        })
        .collect();
    for writer in writers {
        writer.join().unwrap();
    }
    assert_eq!(runs(&Store::open(&path).unwrap()), 50);
}
