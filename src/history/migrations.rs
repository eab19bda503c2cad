//! The store's schema, as numbered migrations: a store records the number
//! it is at (SQLite's `user_version`) and opening it applies the rest, each
//! in its own transaction. A store at a higher number than this build knows
//! is refused, never rewritten.

use rusqlite::Connection;

/// Marks a SQLite file as a concbench history store (`application_id`).
pub const APPLICATION_ID: i32 = 0x6362_6831; // "cbh1"

/// Each migration takes the store from its index to its index + 1.
pub const MIGRATIONS: &[&str] = &[
    // 1: hosts, runs and one figure per point of a run.
    "CREATE TABLE hosts (
         id INTEGER PRIMARY KEY,
         key TEXT NOT NULL UNIQUE,
         label TEXT NOT NULL
     );
     CREATE TABLE runs (
         id INTEGER PRIMARY KEY,
         key TEXT NOT NULL UNIQUE,
         kind TEXT NOT NULL,
         host_id INTEGER NOT NULL REFERENCES hosts(id),
         commit_id TEXT NOT NULL,
         started TEXT NOT NULL,
         source TEXT NOT NULL,
         added TEXT NOT NULL
     );
     CREATE TABLE points (
         id INTEGER PRIMARY KEY,
         name TEXT NOT NULL UNIQUE
     );
     CREATE TABLE figures (
         run_id INTEGER NOT NULL REFERENCES runs(id),
         point_id INTEGER NOT NULL REFERENCES points(id),
         median REAL NOT NULL,
         lo REAL,
         hi REAL,
         samples INTEGER NOT NULL,
         PRIMARY KEY (run_id, point_id)
     ) WITHOUT ROWID;",
    // 2: gate comparisons' verdicts, and runs found by host and time.
    "CREATE TABLE verdicts (
         run_id INTEGER NOT NULL REFERENCES runs(id),
         point_id INTEGER NOT NULL REFERENCES points(id),
         verdict TEXT NOT NULL,
         ratio REAL,
         lo REAL,
         hi REAL,
         threshold_pct REAL NOT NULL,
         PRIMARY KEY (run_id, point_id)
     ) WITHOUT ROWID;
     CREATE INDEX runs_by_host ON runs(host_id, started);",
    // 3: where each observed point's parties ran, per run: each placement
    // class it counted, with its samples and median (`history::recall`).
    "CREATE TABLE placements (
         run_id INTEGER NOT NULL REFERENCES runs(id),
         point_id INTEGER NOT NULL REFERENCES points(id),
         class TEXT NOT NULL,
         samples INTEGER NOT NULL,
         median REAL NOT NULL,
         PRIMARY KEY (run_id, point_id, class)
     ) WITHOUT ROWID;",
    // 4: how busy the machine was over each run: of the drift probes that
    // timed the wide work, how many read slow, and the slowest
    // (`history::machine_state`, the record in `history::record`).
    "CREATE TABLE machine_states (
         run_id INTEGER PRIMARY KEY REFERENCES runs(id),
         wide_probes INTEGER NOT NULL,
         wide_slow INTEGER NOT NULL,
         wide_worst REAL NOT NULL
     );",
    // 5: how busy the machine was while each point was measured: the share
    // of its group's wide probes that read slow (`machine_busy_pct`).
    "ALTER TABLE figures ADD COLUMN busy_pct REAL;",
    // 6: slow wide probes were counted against the run's median until
    // now, and from here on against its fastest reading
    // (`results::slow_wide`): against the median, a run slowed most of the
    // time read as quiet. The old counts and shares say the wrong thing in
    // just those runs and do not compare with the new, so they go: the
    // runs stored before keep their figures and have no machine state, as
    // runs stored before version 4.
    "DELETE FROM machine_states; UPDATE figures SET busy_pct = NULL;",
];

/// The schema version this build writes.
pub fn current() -> i64 {
    MIGRATIONS.len() as i64
}

/// Why a file cannot be used as a store.
#[derive(Debug, thiserror::Error)]
pub enum Refused {
    #[error("not a concbench history store (a SQLite database of something else)")]
    Foreign,
    #[error("store schema version {found} is newer than this concbench ({known}): left as it is")]
    Newer { found: i64, known: i64 },
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
}

/// Bring the store up to `upto` (normally `current()`); a fresh empty file
/// becomes a store at version `upto`.
pub fn migrate(conn: &mut Connection, upto: i64) -> Result<(), Refused> {
    let (version, application, tables) = identity(conn)?;
    if version > current() {
        return Err(Refused::Newer {
            found: version,
            known: current(),
        });
    }
    let fresh = version == 0 && application == 0 && tables == 0;
    if !fresh && application != APPLICATION_ID {
        return Err(Refused::Foreign);
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().take(upto as usize) {
        let target = index as i64 + 1;
        if target <= version {
            continue;
        }
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        // Another writer may have migrated while this one waited.
        let now: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if now < target {
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "application_id", APPLICATION_ID)?;
            tx.pragma_update(None, "user_version", target)?;
        }
        tx.commit()?;
    }
    Ok(())
}

/// The store's version, application id and number of tables, read in one
/// transaction: read one by one, a writer migrating a fresh file between
/// the reads made it look like another program's database (tables, but
/// no application id yet).
fn identity(conn: &mut Connection) -> Result<(i64, i32, i64), rusqlite::Error> {
    let tx = conn.transaction()?;
    let version = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let application = tx.pragma_query_value(None, "application_id", |r| r.get(0))?;
    let tables = tx.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))?;
    tx.commit()?;
    Ok((version, application, tables))
}
