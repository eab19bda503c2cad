//! The concbench binary: parse the command line, call the library, map the
//! outcome to an exit code (0 ok, 2 bad input, 3 some points failed).

use std::process::ExitCode;

use clap::Parser;
use concbench::cli::{Cli, Command, RunArgs};
use concbench::plan::Overrides;
use concbench::run::{RunRequest, run};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match execute(cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {}", format!("{error:#}").replace('\n', " "));
            ExitCode::from(2)
        }
    }
}

fn execute(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::List => {
            print!("{}", concbench::terminal::scenario_list());
            Ok(ExitCode::SUCCESS)
        }
        Command::Run(args) => {
            let outcome = run(&request(args))?;
            print!(
                "{}",
                concbench::terminal::run_table(&outcome.results, &outcome.dir)
            );
            Ok(if outcome.all_ok() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(3)
            })
        }
        Command::Report(args) => {
            let (html, markdown) =
                concbench::report::report_files(&args.results, args.output.as_deref())?;
            println!(
                "report: {}\nsummary: {}",
                html.display(),
                markdown.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Worker { task } => Ok(ExitCode::from(task.run() as u8)),
    }
}

fn request(args: RunArgs) -> RunRequest {
    RunRequest {
        config: args.config,
        filter: args.filter,
        out: args.out,
        overrides: Overrides {
            warmup: args.warmup,
            measure_time: args.measure_time,
            min_samples: args.min_samples,
            timeout: args.timeout,
        },
        argv: std::env::args().collect(),
    }
}
