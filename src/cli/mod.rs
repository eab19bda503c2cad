//! The command line, as clap derive types: what the user typed, before it is
//! checked and turned into a run request, and the worker subcommand's table.

pub mod export;
pub mod worker;

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use crate::model::worker::WorkerTask;

#[derive(Debug, Parser)]
#[command(
    name = "concbench",
    version,
    about = "Measure what concurrency costs on this machine: threads, processes, async, locks, queues, IPC.",
    after_help = "Examples:\n  concbench list\n  concbench run                                  # the quick suite, configs/quick.toml\n  concbench run --config configs/full.toml --out /tmp/reports\n  concbench run --filter 'spawn.start/*thread' --measure-time 2s\n  concbench report reports/<run-id>/results.json\n  concbench history report                       # trend page over commits\n\nExit codes: 0 ok, 1 regression found (compare, history check), 2 bad input,\n3 some points failed, 4 a file could not be written."
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
        after_help = "Examples:\n  concbench run\n  concbench run --config configs/full.toml\n  concbench run --filter spawn.sleepers --min-samples 5 --timeout 2m\n  concbench run --config configs/seeds.toml --python python3 --python python3.13t\n\nThe run folder is named by its UTC start time, so folders sort by time."
    )]
    Run(RunArgs),
    /// Draw report.html and summary.md from a results file, or compare two.
    #[command(
        after_help = "Examples:\n  concbench report reports/20261123T194900-123Z/results.json\n  concbench report reports/<run>/results.jsonl          # a run stopped half-way\n  concbench report base/results.json new/results.json -o compare.html\n\nWith two files the report shows new/base per point, coloured where the change is beyond noise."
    )]
    Report(ReportArgs),
    /// The regression gate: two builds measured in interleaved rounds, or two results files.
    #[command(
        after_help = "Examples:\n  concbench compare --base-bin old/concbench --new-bin target/release/concbench\n  concbench compare --base-bin old --new-bin new --filter 'lock.' --budget 3m\n  concbench compare --base-bin same --new-bin same --new-slowdown-pct 10   # does it see 10%?\n  concbench compare base/results.json new/results.json\n  concbench compare --base b1.json b2.json b3.json --new n1.json n2.json n3.json\n\nWith --base-bin/--new-bin both builds run as workers in the same seconds: per point,\nblocks of fresh trials, samples of equal rounds in coin-ordered pairs, judged on the\npairs' ratios (Wilcoxon signed-rank test, suspects confirmed in fresh blocks,\nBenjamini-Hochberg over the suite). It writes base.json, new.json, gate.md and\ngate.json under --out.\nVerdicts: regressed / improved (slower / faster than the threshold allows, at 95%:\nconfirmed in fresh blocks against the threshold), unchanged (interval inside\n[1/(1+t), 1+t]), uncertain (says how many more rounds would settle it), broken (the\nnew build failed it), not comparable (says why).\nExit codes: 0 nothing regressed, 1 a regression (or a point that broke), 2 bad input,\n4 a file could not be written, 130 / 143 stopped by Ctrl-C / SIGTERM (what was decided\nis still written)."
    )]
    Compare(CompareArgs),
    /// Every run kept in a SQLite store: recent runs, changes across commits, trend page, CI check.
    #[command(
        after_help = "Examples:\n  concbench history                               # newest runs and the changes found\n  concbench history add reports/*/results.json     # keep runs made before (each kept once)\n  concbench history add --commit $SHA reports/<gate>/gate.json\n  concbench history report -o reports/history.html # trend page + history.md\n  concbench history check                          # exit 1: a regression two commits hold\n\n`concbench run` adds each run to <out>/history.sqlite (--no-store: not). Series are\nper point and per machine (CPU model, CPUs, memory, OS), one figure per commit.\nExit codes: 0 ok, 1 a regression (check), 2 bad input or a corrupt, foreign or newer\nstore (left as it is), 4 a file could not be written."
    )]
    History(HistoryArgs),
    /// The child side of process models (the binary re-executes itself).
    #[command(hide = true)]
    Worker {
        #[command(subcommand)]
        task: WorkerTask,
    },
}

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// BASE then NEW results files (or use --base and --new for several runs per side)
    #[arg(value_name = "FILE", num_args = 0..=2)]
    pub files: Vec<PathBuf>,
    /// Base results files: separate runs of the base build
    #[arg(long, value_name = "FILE", num_args = 1.., conflicts_with = "files")]
    pub base: Vec<PathBuf>,
    /// New results files: separate runs of the new build
    #[arg(long, value_name = "FILE", num_args = 1.., conflicts_with = "files")]
    pub new: Vec<PathBuf>,
    /// Default threshold in percent [default: configs/gate.toml's, else 5]
    #[arg(long, value_name = "PCT", value_parser = parse_percent)]
    pub threshold: Option<f64>,
    /// Thresholds per family and scenario [default: configs/gate.toml if present]
    #[arg(long, value_name = "FILE")]
    pub gate: Option<PathBuf>,
    /// Also write the summary as Markdown (for CI job summaries, PR comments)
    #[arg(long, value_name = "FILE")]
    pub markdown: Option<PathBuf>,
    /// Also write the verdicts as JSON
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Interleaved gate: the base build's concbench binary
    #[arg(long, value_name = "BIN", requires = "new_bin", conflicts_with_all = ["files", "base", "new"])]
    pub base_bin: Option<PathBuf>,
    /// Interleaved gate: the new build's concbench binary
    #[arg(long, value_name = "BIN", requires = "base_bin")]
    pub new_bin: Option<PathBuf>,
    /// Interleaved gate: suite file [default: configs/quick.toml, or the built-in quick suite]
    #[arg(long, value_name = "FILE", requires = "base_bin")]
    pub config: Option<PathBuf>,
    /// Interleaved gate: only points whose id contains PATTERN
    #[arg(long, value_name = "PATTERN", requires = "base_bin")]
    pub filter: Option<String>,
    /// Interleaved gate: time for the whole comparison [default: 13m]
    #[arg(long, value_name = "DURATION", value_parser = parse_positive_duration, requires = "base_bin")]
    pub budget: Option<Duration>,
    /// Interleaved gate, validation: slow the new side by PCT% of each sample
    #[arg(long, value_name = "PCT", value_parser = clap::value_parser!(u64).range(0..=1000), requires = "base_bin")]
    pub new_slowdown_pct: Option<u64>,
    /// Interleaved gate: the seed of the coin that orders each pair
    #[arg(long, value_name = "N", requires = "base_bin")]
    pub seed: Option<u64>,
    /// Interleaved gate: what one sample should last [default: 4ms]
    #[arg(long, value_name = "DURATION", value_parser = parse_positive_duration, requires = "base_bin")]
    pub sample_time: Option<Duration>,
    /// Interleaved gate: sample pairs per block, at most [default: 8]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(2..=1000), requires = "base_bin")]
    pub max_pairs: Option<u64>,
    /// Interleaved gate: warm-up of each block's fresh trials [default: 30ms]
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, requires = "base_bin")]
    pub block_warmup: Option<Duration>,
    /// Interleaved gate: warm the two builds' trials in N alternating slices of the
    /// warm-up (1: one after the other) [default: 3]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=10), requires = "base_bin")]
    pub warm_slices: Option<u64>,
    /// Interleaved gate: private copies of each build, taken in turn by the blocks (more
    /// copies average out each copy's speed draw, but spread the blocks)
    #[arg(long, value_name = "N", default_value_t = crate::gate::duet::DEFAULT_COPIES as u64,
          value_parser = clap::value_parser!(u64).range(1..=crate::gate::duet::MOST_COPIES as u64))]
    pub copies: u64,
    /// Interleaved gate: folder that receives the comparison's own folder
    #[arg(long, value_name = "DIR", default_value = "reports")]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    #[command(subcommand)]
    pub action: Option<HistoryAction>,
    /// The store
    #[arg(
        long,
        global = true,
        value_name = "FILE",
        default_value = "reports/history.sqlite"
    )]
    pub store: PathBuf,
    /// Runs (and twice as many changes) listed
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub limit: usize,
}

#[derive(Debug, Subcommand)]
pub enum HistoryAction {
    /// Add results.json, results.jsonl or gate.json files (a run kept twice is kept once)
    Add {
        #[arg(value_name = "FILE", required = true)]
        files: Vec<PathBuf>,
        /// The commit measured, where a file does not say (gate.json never does)
        #[arg(long, value_name = "SHA")]
        commit: Option<String>,
    },
    /// Write the trend page (HTML) and its Markdown summary
    Report {
        /// The page; the Markdown goes beside it with the extension .md
        #[arg(
            short,
            long,
            value_name = "FILE",
            default_value = "reports/history.html"
        )]
        output: PathBuf,
        /// Draw this host (a part of its key) [default: the newest run's]
        #[arg(long, value_name = "PART")]
        host: Option<String>,
    },
    /// Exit 1 when the newest commits make a change slower than the threshold allows
    Check {
        /// Default threshold in percent [default: configs/gate.toml's, else 5]
        #[arg(long, value_name = "PCT", value_parser = parse_percent)]
        threshold: Option<f64>,
        /// Thresholds per family and scenario [default: configs/gate.toml if present]
        #[arg(long, value_name = "FILE")]
        gate: Option<PathBuf>,
        /// Check this host (a part of its key) [default: the newest run's]
        #[arg(long, value_name = "PART")]
        host: Option<String>,
        /// Commits a change must hold before it is reported (1: at its first
        /// commit; more: fewer false alarms from one run's draw, reported later)
        #[arg(long, value_name = "N", default_value_t = 2,
              value_parser = clap::value_parser!(u8).range(1..=8))]
        confirm: u8,
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
    /// Weigh where each point's parties ran in this store's earlier runs of
    /// the same machine (those started before the run), as `run` does when
    /// it stores its runs [default: what the results file kept]
    #[arg(long, value_name = "STORE")]
    pub history: Option<PathBuf>,
    /// Also export the (new) results
    #[command(flatten)]
    pub export: export::Exports,
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
    /// Calibration: add busy work worth PCT% of each sample, to check
    /// that `compare` flags a slowdown of that size (see docs/gate.md)
    #[arg(long, value_name = "PCT", value_parser = clap::value_parser!(u64).range(0..=1000))]
    pub slowdown_pct: Option<u64>,
    /// Measure each paired group in N fresh processes, each taking its
    /// share of the rounds, so that what one process draws is averaged
    /// (intervals over the processes need 6 or more)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=64))]
    pub processes: Option<u64>,
    /// Run the CPython variants (`py_*`) with this interpreter instead of the
    /// suite's `interpreters` (default python3); repeat for several, e.g.
    /// `--python python3 --python python3.13t`. A command with arguments
    /// that speaks the runtime protocol also works (see docs/protocols.md).
    #[arg(long = "python", value_name = "INTERPRETER")]
    pub interpreters: Vec<String>,
    #[command(flatten)]
    pub export: export::Exports,
    /// Add the run to this history store [default: <out>/history.sqlite]
    #[arg(long, value_name = "FILE")]
    pub store: Option<PathBuf>,
    /// Do not add the run to a history store
    #[arg(long, conflicts_with = "store")]
    pub no_store: bool,
}

fn parse_percent(text: &str) -> Result<f64, String> {
    match text.trim_end_matches('%').parse::<f64>() {
        Ok(pct) if pct > 0.0 && pct <= 1000.0 => Ok(pct),
        _ => Err(format!("`{text}` is not a percentage in (0, 1000]")),
    }
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
