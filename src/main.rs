//! The concbench binary: parse the command line, call the library, map the
//! outcome to an exit code (0 ok, 1 a regression, 2 bad input, 3 some
//! points failed, 4 a file could not be written, 128 + signal when Ctrl-C
//! or SIGTERM stopped a run or an interleaved `compare`).

use std::process::ExitCode;

use clap::Parser;
use concbench::cli::{Cli, Command, CompareArgs, HistoryAction, HistoryArgs, RunArgs};
use concbench::gate::command::{CompareRequest, run_compare};
use concbench::gate::output;
use concbench::plan::Overrides;
use concbench::run::{RunRequest, run};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(refused) => return usage_error(refused),
    };
    match execute(cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {}", format!("{error:#}").replace('\n', " "));
            let not_written = error
                .chain()
                .any(|cause| cause.is::<concbench::error::WriteFailed>());
            ExitCode::from(if not_written { 4 } else { 2 })
        }
    }
}

/// A command line clap refused: help and version print as clap prints
/// them; a mistake becomes one line (what and where, clap's tip kept) and
/// exit code 2, like every other bad input.
fn usage_error(refused: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(
        refused.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        refused.exit();
    }
    let rendered = refused.render().to_string();
    let line: Vec<&str> = rendered
        .lines()
        .take_while(|l| !l.starts_with("Usage:") && !l.starts_with("For more information"))
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    eprintln!("{} (see --help)", line.join(" "));
    ExitCode::from(2)
}

fn execute(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::List => {
            print!("{}", concbench::terminal::scenario_list());
            Ok(ExitCode::SUCCESS)
        }
        Command::Run(args) => {
            let exports = args.export.0.clone();
            let store = store_of(&args);
            concbench::interrupt::install(concbench::run::abandon)?;
            let outcome = run(&request(args))?;
            print!(
                "{}",
                concbench::terminal::run_table(&outcome.results, &outcome.dir)
            );
            concbench::report::files::write_exports(&outcome.results, &exports)?;
            if let (Some(store), None) = (store, outcome.interrupted) {
                let source = outcome.dir.join("results.json");
                match concbench::history::command::add_run(&store, &outcome.results, &source) {
                    Ok(line) => println!("{line}"),
                    Err(error) => {
                        eprintln!(
                            "error: {error} (the run's results are in {})",
                            outcome.dir.display()
                        );
                        return Ok(ExitCode::from(2));
                    }
                }
            }
            if let Some(signal) = outcome.interrupted {
                eprintln!(
                    "interrupted by {}: the results so far are in {}",
                    concbench::interrupt::name(signal),
                    outcome.dir.display()
                );
                return Ok(ExitCode::from(concbench::interrupt::exit_code(signal)));
            }
            Ok(if outcome.all_ok() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(3)
            })
        }
        Command::Report(args) => {
            let exports = args.export.0.clone();
            let (html, markdown, newest) = concbench::report::files::report_files(
                &args.results,
                args.output.as_deref(),
                |results| Ok(recall_from(args.history.as_deref(), results)?),
            )?;
            println!(
                "report: {}\nsummary: {}",
                html.display(),
                markdown.display()
            );
            concbench::report::files::write_exports(&newest, &exports)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Compare(args) if args.base_bin.is_some() => compare_interleaved(args),
        Command::Compare(args) => {
            let outcome = run_compare(&compare_request(args))?;
            if let Some(warning) = &outcome.host_warning {
                eprintln!("WARNING: {warning}");
            }
            print!("{}", output::terminal(&outcome));
            Ok(if outcome.failed() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::History(args) => history(args),
        Command::Worker { task } => Ok(ExitCode::from(concbench::cli::worker::run(&task) as u8)),
    }
}

/// `report --history STORE`: keep with the run what the store's earlier
/// runs of its machine saw of each point's placement.
fn recall_from(
    store: Option<&std::path::Path>,
    results: &mut concbench::results::RunResults,
) -> Result<(), concbench::error::BadInput> {
    match store {
        Some(store) if !store.exists() => Err(concbench::error::BadInput::Store {
            path: store.to_path_buf(),
            message: "no such store".into(),
        }),
        Some(store) => concbench::history::recall::attach(results, store).map(|_| ()),
        None => Ok(()),
    }
}

/// Where `run` keeps its history: `--store`, else `<out>/history.sqlite`,
/// or nowhere with `--no-store`.
fn store_of(args: &RunArgs) -> Option<std::path::PathBuf> {
    if args.no_store {
        return None;
    }
    Some(
        args.store
            .clone()
            .unwrap_or_else(|| args.out.join("history.sqlite")),
    )
}

/// `concbench history [add|report|check]`.
fn history(args: HistoryArgs) -> anyhow::Result<ExitCode> {
    use concbench::history::command;
    let text = match args.action {
        None => command::list(&args.store, args.limit)?,
        Some(HistoryAction::Add { files, commit }) => {
            command::add(&args.store, &files, commit.as_deref())?
        }
        Some(HistoryAction::Report { output, host }) => {
            let paths = command::ReportPaths {
                markdown: output.with_extension("md"),
                html: output,
            };
            command::report(&args.store, host.as_deref(), &paths)?
        }
        Some(HistoryAction::Check {
            threshold,
            gate,
            host,
            confirm,
        }) => {
            let thresholds =
                concbench::gate::thresholds::Thresholds::load(gate.as_deref(), threshold)?;
            let (text, regressions) = command::check(
                &args.store,
                host.as_deref(),
                &thresholds,
                usize::from(confirm),
            )?;
            print!("{text}");
            return Ok(if regressions.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            });
        }
    };
    print!("{text}");
    Ok(ExitCode::SUCCESS)
}

/// `compare --base-bin B --new-bin N`: the interleaved gate, stopped by
/// Ctrl-C or SIGTERM as `run` is (what was decided is written).
fn compare_interleaved(args: CompareArgs) -> anyhow::Result<ExitCode> {
    concbench::interrupt::install(concbench::gate::duet::abandon)?;
    let started = concbench::gate::interleaved::run(&interleaved_request(args));
    if let (Err(_), Some(signal)) = (&started, concbench::interrupt::received()) {
        eprintln!(
            "interrupted by {} before the comparison began",
            concbench::interrupt::name(signal)
        );
        return Ok(ExitCode::from(concbench::interrupt::exit_code(signal)));
    }
    let (outcome, dir) = started?;
    print!("{}", output::terminal(&outcome));
    if let Some(method) = &outcome.method {
        println!("method: {method}");
    }
    println!("written: {}", dir.display());
    if let Some(signal) = concbench::interrupt::received() {
        eprintln!(
            "interrupted by {}: the verdicts reached so far are in {}",
            concbench::interrupt::name(signal),
            dir.display()
        );
        return Ok(ExitCode::from(concbench::interrupt::exit_code(signal)));
    }
    Ok(if outcome.failed() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn interleaved_request(args: CompareArgs) -> concbench::gate::interleaved::InterleavedRequest {
    concbench::gate::interleaved::InterleavedRequest {
        base_bin: args.base_bin.unwrap_or_default(),
        new_bin: args.new_bin.unwrap_or_default(),
        config: args.config,
        filter: args.filter,
        budget: args
            .budget
            .unwrap_or(concbench::gate::interleaved::DEFAULT_BUDGET),
        new_slowdown_pct: args.new_slowdown_pct.unwrap_or(0),
        seed: args.seed,
        out: args.out,
        threshold_pct: args.threshold,
        gate: args.gate,
        markdown: args.markdown,
        json: args.json,
        argv: std::env::args().collect(),
        shape: shape(
            args.sample_time,
            args.max_pairs,
            args.block_warmup,
            args.warm_slices,
        ),
        copies: args.copies as usize,
    }
}

/// Blocks of the interleaved gate: its defaults, as the flags change them.
fn shape(
    sample: Option<std::time::Duration>,
    max_pairs: Option<u64>,
    warmup: Option<std::time::Duration>,
    warm_slices: Option<u64>,
) -> concbench::gate::duet::block::Shape {
    let default = concbench::gate::interleaved::SHAPE;
    let sample = sample.unwrap_or(default.sample);
    let max_pairs = max_pairs.map_or(default.max_pairs, |n| n as usize);
    concbench::gate::duet::block::Shape {
        sample,
        max_pairs,
        // A block takes pairs for about as long as its pairs would last.
        block: sample * 2 * max_pairs as u32,
        warmup: warmup.unwrap_or(default.warmup),
        warm_slices: warm_slices.map_or(default.warm_slices, |n| n as u32),
        timeout: default.timeout,
    }
}

fn compare_request(args: CompareArgs) -> CompareRequest {
    let (base, new) = match args.files.as_slice() {
        [base, new] => (vec![base.clone()], vec![new.clone()]),
        _ => (args.base, args.new),
    };
    CompareRequest {
        base,
        new,
        threshold_pct: args.threshold,
        gate: args.gate,
        markdown: args.markdown,
        json: args.json,
    }
}

fn request(args: RunArgs) -> RunRequest {
    RunRequest {
        history: store_of(&args),
        config: args.config,
        filter: args.filter,
        out: args.out,
        overrides: Overrides {
            warmup: args.warmup,
            measure_time: args.measure_time,
            min_samples: args.min_samples,
            timeout: args.timeout,
            slowdown_pct: args.slowdown_pct,
            processes: args.processes,
            interpreters: args.interpreters,
        },
        argv: std::env::args().collect(),
    }
}
