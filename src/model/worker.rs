//! The child side of process models: the own binary, re-executed as
//! `concbench worker <task>`, does one small task and exits 0. This module
//! names the tasks and starts children; what each task runs is the CLI's
//! table (`cli::worker`), so the model layer needs no scenario or harness.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;

static WORKER_BINARY: OnceLock<PathBuf> = OnceLock::new();

/// Tasks a worker child can be asked to do.
#[derive(Debug, Clone, PartialEq, Eq, clap::Subcommand)]
pub enum WorkerTask {
    /// Start, do nothing, exit 0.
    Noop,
    /// Sleep for `ms` milliseconds, then exit 0.
    Sleep {
        #[arg(long)]
        ms: u64,
    },
    /// The harness's sampler: on `start <limit_ms>` on stdin sample per-core
    /// utilisation until `stop` (or the limit), then print the timeline as
    /// one JSON line; repeat until stdin ends.
    Sample {
        #[arg(long)]
        interval_ms: u64,
    },
    /// Serve the measuring protocol on stdin/stdout (one point at a time)
    /// until `quit`: a side of the interleaved gate.
    Serve,
    /// Compute chunks `first..first + count` of the cpu family's work and
    /// print their tally (`digest hits chunks`): the `process` model's child.
    Cpu {
        #[arg(long)]
        first: u64,
        #[arg(long)]
        count: u64,
        #[arg(long)]
        points: u64,
    },
    /// Until stdin ends, read `first count` lines and answer each with its
    /// tally and this child's CPU time: a member of the cpu process pool.
    CpuPool {
        #[arg(long)]
        points: u64,
    },
    /// Read one draw request (JSON) on stdin, measure that group of the
    /// suite with its share of the rounds in this fresh process, and print
    /// each point's result as a JSON line: one of a run's `processes`.
    Draw,
}

impl WorkerTask {
    /// The arguments after the binary that make a child run this task.
    pub fn args(&self) -> Vec<String> {
        let words: Vec<String> = match self {
            WorkerTask::Noop => vec!["noop".into()],
            WorkerTask::Serve => vec!["serve".into()],
            WorkerTask::Sleep { ms } => vec!["sleep".into(), "--ms".into(), ms.to_string()],
            WorkerTask::Sample { interval_ms } => vec![
                "sample".into(),
                "--interval-ms".into(),
                interval_ms.to_string(),
            ],
            WorkerTask::Cpu {
                first,
                count,
                points,
            } => vec![
                "cpu".into(),
                "--first".into(),
                first.to_string(),
                "--count".into(),
                count.to_string(),
                "--points".into(),
                points.to_string(),
            ],
            WorkerTask::CpuPool { points } => {
                vec!["cpu-pool".into(), "--points".into(), points.to_string()]
            }
            WorkerTask::Draw => vec!["draw".into()],
        };
        std::iter::once("worker".to_string()).chain(words).collect()
    }
}

/// Use `path` as the binary that process models re-execute. Benches and tests
/// set it to the built `concbench`; the binary itself uses its own path.
pub fn set_worker_binary(path: PathBuf) {
    let _ = WORKER_BINARY.set(path);
}

/// The binary that process models re-execute.
pub fn worker_binary() -> PathBuf {
    WORKER_BINARY
        .get()
        .cloned()
        .or_else(|| std::env::current_exe().ok())
        .unwrap_or_else(|| PathBuf::from("concbench"))
}

/// A `Command` that runs `task` in a child, with stdio detached so children
/// never write over the progress display.
pub fn command(binary: &std::path::Path, task: &WorkerTask) -> Command {
    let mut command = Command::new(binary);
    command
        .args(task.args())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    super::group::join_command(&mut command);
    command
}
