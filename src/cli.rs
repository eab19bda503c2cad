//! The command line, as clap derive types: what the user typed, before it is
//! checked and turned into a run request.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use crate::model::worker::WorkerTask;

#[derive(Debug, Parser)]
#[command(
    name = "concbench",
    version,
    about = "Measure what concurrency costs on this machine: threads, processes, async, locks, queues, IPC.",
    after_help = "Examples:\n  concbench list\n  concbench run                                  # the quick suite, configs/quick.toml\n  concbench run --config configs/full.toml --out /tmp/reports\n  concbench run --filter 'spawn.start/*thread' --measure-time 2s\n  concbench report reports/<run-id>/results.json\n\nExit codes: 0 ok, 1 regression found, 2 bad input, 3 some points failed."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List every scenario with its family, variants, models and parameters.
    #[command(after_help = "Example:\n  concbench list")]
    List,
    /// Run a suite and write reports/<run-id>/results.jsonl and results.json.
    #[command(
        after_help = "Examples:\n  concbench run\n  concbench run --config configs/full.toml\n  concbench run --filter spawn.sleepers --min-samples 5 --timeout 2m\n\nThe run folder is named by its UTC start time, so folders sort by time."
    )]
    Run(RunArgs),
    /// Draw report.html and summary.md from a results file, or compare two.
    #[command(
        after_help = "Examples:\n  concbench report reports/20261123T194900-123Z/results.json\n  concbench report reports/<run>/results.jsonl          # a run stopped half-way\n  concbench report base/results.json new/results.json -o compare.html\n\nWith two files the report shows new/base per point, coloured where the change is beyond noise."
    )]
    Report(ReportArgs),
    /// The child side of process models (the binary re-executes itself).
    #[command(hide = true)]
    Worker {
        #[command(subcommand)]
        task: WorkerTask,
    },
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// results.json or results.jsonl; with two, BASE then NEW
    #[arg(value_name = "RESULTS", required = true, num_args = 1..=2)]
    pub results: Vec<PathBuf>,
    /// Where to write the HTML [default: beside the (new) results file];
    /// the Markdown summary goes beside it with the extension .md
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Suite file [default: configs/quick.toml, or the built-in quick suite]
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Run only points whose id contains PATTERN (`*` matches anything)
    #[arg(long, value_name = "PATTERN")]
    pub filter: Option<String>,
    /// Folder that receives the run's own folder
    #[arg(long, value_name = "DIR", default_value = "reports")]
    pub out: PathBuf,
    /// Minimum measuring time per point, e.g. 500ms, 2s
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub measure_time: Option<Duration>,
    /// Warm-up time per point before samples are kept
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub warmup: Option<Duration>,
    /// Minimum samples per point
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub min_samples: Option<u64>,
    /// A point still running after this is stopped and recorded `timed_out`
    #[arg(long, value_name = "DURATION", value_parser = parse_positive_duration)]
    pub timeout: Option<Duration>,
}

fn parse_duration(text: &str) -> Result<Duration, String> {
    humantime::parse_duration(text)
        .map_err(|e| format!("`{text}` is not a duration like 500ms or 2s ({e})"))
}

fn parse_positive_duration(text: &str) -> Result<Duration, String> {
    match parse_duration(text)? {
        d if d.is_zero() => Err("must be longer than zero".into()),
        d => Ok(d),
    }
}
