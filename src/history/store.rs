//! The history store: one SQLite file, opened with its schema checked and
//! migrated, appended to in one transaction per run, read as series.
//! A locked store is waited for; a corrupt, foreign or newer one is refused
//! with one line and left as it is.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension, params};

use super::migrations::{self, Refused};
use super::record::{Kind, RunRecord};
use crate::error::BadInput;

/// How long a writer waits for another to finish before giving up.
pub const LOCK_WAIT: Duration = Duration::from_secs(60);

pub struct Store {
    conn: Connection,
    path: PathBuf,
}

/// What adding a run did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Added {
    New,
    AlreadyThere,
}

/// A stored run, as `history` lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRun {
    pub id: i64,
    pub kind: Kind,
    pub commit: String,
    pub started: String,
    pub host: String,
    pub source: String,
    pub points: i64,
    /// The share of its wide probes that read slow, where it timed them.
    pub wide_slow_share: Option<f64>,
}

/// One run's figure for one point, as series are built from.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub run: i64,
    pub commit: String,
    pub started: String,
    pub point: String,
    pub median: f64,
    pub lo: Option<f64>,
    pub hi: Option<f64>,
}

impl Row {
    /// A row from a query whose columns are run id, commit, start, point,
    /// median, lo and hi, in that order.
    pub(super) fn read(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
        Ok(Row {
            run: r.get(0)?,
            commit: r.get(1)?,
            started: r.get(2)?,
            point: r.get(3)?,
            median: r.get(4)?,
            lo: r.get(5)?,
            hi: r.get(6)?,
        })
    }
}

impl Store {
    /// Open (or create) the store at `path`, migrated to this build's schema.
    pub fn open(path: &Path) -> Result<Store, BadInput> {
        Store::open_at(path, migrations::current())
    }

    /// Open it migrated only up to `version` (tests of the migrations).
    pub fn open_at(path: &Path, version: i64) -> Result<Store, BadInput> {
        let refuse = |message: String| BadInput::Store {
            path: path.to_path_buf(),
            message,
        };
        if path.is_dir() {
            return Err(refuse("is a folder, not a store file".into()));
        }
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .map_err(|e| refuse(format!("cannot create its folder: {e}")))?;
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE;
        let mut conn = Connection::open_with_flags(path, flags).map_err(|e| refuse(reason(&e)))?;
        conn.busy_timeout(LOCK_WAIT)
            .map_err(|e| refuse(reason(&e)))?;
        migrations::migrate(&mut conn, version).map_err(|e| match e {
            Refused::Sqlite(e) => refuse(reason(&e)),
            other => refuse(other.to_string()),
        })?;
        Ok(Store {
            conn,
            path: path.to_path_buf(),
        })
    }

    fn refuse(&self, e: rusqlite::Error) -> BadInput {
        BadInput::Store {
            path: self.path.clone(),
            message: reason(&e),
        }
    }

    /// Add one run in one transaction: all of it lands, or none of it.
    pub fn add(&mut self, record: &RunRecord) -> Result<Added, BadInput> {
        self.add_inner(record).map_err(|e| self.refuse(e))
    }

    fn add_inner(&mut self, record: &RunRecord) -> rusqlite::Result<Added> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let known: Option<i64> = tx
            .query_row("SELECT id FROM runs WHERE key = ?1", [&record.key], |r| {
                r.get(0)
            })
            .optional()?;
        if known.is_some() {
            return Ok(Added::AlreadyThere);
        }
        tx.execute(
            "INSERT OR IGNORE INTO hosts (key, label) VALUES (?1, ?2)",
            params![record.host.key, record.host.label],
        )?;
        let host: i64 = tx.query_row(
            "SELECT id FROM hosts WHERE key = ?1",
            [&record.host.key],
            |r| r.get(0),
        )?;
        tx.execute(
            "INSERT INTO runs (key, kind, host_id, commit_id, started, source, added)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                record.key,
                record.kind.name(),
                host,
                record.commit,
                record.started,
                record.source,
                chrono::Utc::now().to_rfc3339()
            ],
        )?;
        let run = tx.last_insert_rowid();
        insert_points(&tx, run, record)?;
        tx.commit()?;
        Ok(Added::New)
    }

    /// Hosts, each with its label, most runs first.
    pub fn hosts(&self) -> Result<Vec<(String, String, i64)>, BadInput> {
        let sql =
            "SELECT h.key, h.label, count(r.id) FROM hosts h LEFT JOIN runs r ON r.host_id = h.id
                   GROUP BY h.id ORDER BY count(r.id) DESC, h.key";
        self.query(sql, [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
    }

    /// The newest `limit` runs of every host, newest first.
    pub fn recent(&self, limit: usize) -> Result<Vec<StoredRun>, BadInput> {
        let sql = "SELECT r.id, r.kind, r.commit_id, r.started, h.key, r.source,
                          (SELECT count(*) FROM figures f WHERE f.run_id = r.id)
                        + (SELECT count(*) FROM verdicts v WHERE v.run_id = r.id),
                          CAST(m.wide_slow AS REAL) / max(m.wide_probes, 1)
                   FROM runs r JOIN hosts h ON h.id = r.host_id
                   LEFT JOIN machine_states m ON m.run_id = r.id
                   ORDER BY r.started DESC, r.id DESC LIMIT ?1";
        self.query(sql, [limit as i64], |r| {
            let kind: String = r.get(1)?;
            Ok(StoredRun {
                id: r.get(0)?,
                kind: Kind::from_name(&kind).unwrap_or(Kind::Run),
                commit: r.get(2)?,
                started: r.get(3)?,
                host: r.get(4)?,
                source: r.get(5)?,
                points: r.get(6)?,
                wide_slow_share: r.get(7)?,
            })
        })
    }

    /// Every figure of the host's runs, oldest run first.
    pub fn rows(&self, host: &str) -> Result<Vec<Row>, BadInput> {
        let sql = "SELECT r.id, r.commit_id, r.started, p.name, f.median, f.lo, f.hi
                   FROM figures f JOIN runs r ON r.id = f.run_id JOIN points p ON p.id = f.point_id
                   JOIN hosts h ON h.id = r.host_id
                   WHERE h.key = ?1 ORDER BY r.started, r.id";
        self.query(sql, [host], Row::read)
    }

    /// The newest gate verdict of each point on the host: (point, commit,
    /// verdict, ratio, lo, hi).
    pub fn latest_verdicts(&self, host: &str) -> Result<Vec<LatestVerdict>, BadInput> {
        let sql = "SELECT p.name, r.commit_id, v.verdict, v.ratio, v.lo, v.hi
                   FROM verdicts v JOIN runs r ON r.id = v.run_id JOIN points p ON p.id = v.point_id
                   JOIN hosts h ON h.id = r.host_id
                   WHERE h.key = ?1 AND r.id = (SELECT max(r2.id) FROM runs r2 JOIN verdicts v2 ON v2.run_id = r2.id
                                               WHERE r2.host_id = r.host_id AND v2.point_id = v.point_id)";
        self.query(sql, [host], |r| {
            Ok(LatestVerdict {
                point: r.get(0)?,
                commit: r.get(1)?,
                verdict: r.get(2)?,
                ratio: r.get(3)?,
                lo: r.get(4)?,
                hi: r.get(5)?,
            })
        })
    }

    pub(super) fn query<T, P: rusqlite::Params>(
        &self,
        sql: &str,
        params: P,
        map: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>, BadInput> {
        let run = || -> rusqlite::Result<Vec<T>> {
            let mut statement = self.conn.prepare(sql)?;
            let rows = statement.query_map(params, map)?;
            rows.collect()
        };
        run().map_err(|e| self.refuse(e))
    }
}

/// A point's newest gate verdict on a host.
#[derive(Debug, Clone, PartialEq)]
pub struct LatestVerdict {
    pub point: String,
    pub commit: String,
    pub verdict: String,
    pub ratio: Option<f64>,
    pub lo: Option<f64>,
    pub hi: Option<f64>,
}

/// The point's id in the store, added if new.
fn point_id(tx: &rusqlite::Transaction<'_>, name: &str) -> rusqlite::Result<i64> {
    let mut insert = tx.prepare_cached("INSERT OR IGNORE INTO points (name) VALUES (?1)")?;
    insert.execute([name])?;
    let mut select = tx.prepare_cached("SELECT id FROM points WHERE name = ?1")?;
    select.query_row([name], |r| r.get(0))
}

fn insert_points(
    tx: &rusqlite::Transaction<'_>,
    run: i64,
    record: &RunRecord,
) -> rusqlite::Result<()> {
    for f in &record.figures {
        let point = point_id(tx, &f.point)?;
        let mut insert = tx.prepare_cached(
            "INSERT OR REPLACE INTO figures (run_id, point_id, median, lo, hi, samples, busy_pct)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        let busy = f.busy_pct.filter(|b| b.is_finite());
        insert.execute(params![run, point, f.median, f.lo, f.hi, f.samples, busy])?;
    }
    for v in &record.verdicts {
        let point = point_id(tx, &v.point)?;
        let mut insert = tx.prepare_cached(
            "INSERT OR REPLACE INTO verdicts (run_id, point_id, verdict, ratio, lo, hi, threshold_pct)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        insert.execute(params![
            run,
            point,
            v.verdict,
            v.ratio,
            v.lo,
            v.hi,
            v.threshold_pct
        ])?;
    }
    insert_placements(tx, run, &record.placements)?;
    insert_machine_state(tx, run, record.machine.as_ref())
}

/// Store a run's placement figures, in the transaction adding the run.
fn insert_placements(
    tx: &rusqlite::Transaction<'_>,
    run: i64,
    figures: &[super::record::PlacementFigure],
) -> rusqlite::Result<()> {
    for f in figures {
        let point = point_id(tx, &f.point)?;
        let mut insert = tx.prepare_cached(
            "INSERT OR REPLACE INTO placements (run_id, point_id, class, samples, median)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        insert.execute(params![run, point, f.class.name(), f.samples, f.median])?;
    }
    Ok(())
}

/// Store a run's state, in the transaction adding the run.
fn insert_machine_state(
    tx: &rusqlite::Transaction<'_>,
    run: i64,
    state: Option<&super::record::MachineState>,
) -> rusqlite::Result<()> {
    let Some(s) = state else {
        return Ok(());
    };
    tx.execute(
        "INSERT OR REPLACE INTO machine_states (run_id, wide_probes, wide_slow, wide_worst)
         VALUES (?1, ?2, ?3, ?4)",
        params![run, s.wide_probes, s.wide_slow, s.wide_worst],
    )?;
    Ok(())
}

/// One line on what went wrong with the store.
fn reason(e: &rusqlite::Error) -> String {
    use rusqlite::ErrorCode;
    match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => {
            "not a SQLite database (corrupt, or another kind of file): left as it is".into()
        }
        Some(ErrorCode::DatabaseCorrupt) => "the store is corrupt: left as it is".into(),
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
            format!(
                "locked by another writer for over {} s",
                LOCK_WAIT.as_secs()
            )
        }
        Some(ErrorCode::ReadOnly | ErrorCode::CannotOpen | ErrorCode::PermissionDenied) => {
            format!("cannot open or write it: {e}")
        }
        _ => format!("store error: {e}"),
    }
}

#[cfg(test)]
impl Store {
    /// Add a run's figures as a build of the first schema did: its tables
    /// and columns only.
    fn add_inner_runs_only(&mut self, record: &RunRecord) {
        let tx = self.conn.transaction().unwrap();
        tx.execute(
            "INSERT OR IGNORE INTO hosts (key, label) VALUES (?1, ?2)",
            params![record.host.key, record.host.label],
        )
        .unwrap();
        tx.execute(
            "INSERT INTO runs (key, kind, host_id, commit_id, started, source, added)
             VALUES (?1, ?2, (SELECT id FROM hosts WHERE key = ?3), ?4, ?5, ?6, ?5)",
            params![
                record.key,
                record.kind.name(),
                record.host.key,
                record.commit,
                record.started,
                record.source
            ],
        )
        .unwrap();
        let run = tx.last_insert_rowid();
        for f in &record.figures {
            let point = point_id(&tx, &f.point).unwrap();
            tx.execute(
                "INSERT INTO figures (run_id, point_id, median, lo, hi, samples) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![run, point, f.median, f.lo, f.hi, f.samples],
            )
            .unwrap();
        }
        tx.commit().unwrap();
    }
}

#[cfg(test)]
#[path = "store_tests.rs"]
mod tests;
