//! `--export FORMAT FILE` (repeatable) as clap parses it: each occurrence's
//! two words become a typed (format, file) pair while the command line is
//! read, and an unknown format is clap's own error (exit 2, with usage),
//! before anything runs.

use std::path::PathBuf;

use clap::builder::PossibleValue;
use clap::error::ErrorKind;
use clap::{Arg, ArgAction, ArgMatches, Args, Command, FromArgMatches, ValueEnum};

use crate::report::ExportFormat;

const ID: &str = "export";

/// Every `--export FORMAT FILE` given, in order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Exports(pub Vec<(ExportFormat, PathBuf)>);

fn formats() -> String {
    ExportFormat::value_variants()
        .iter()
        .filter_map(ValueEnum::to_possible_value)
        .map(|v: PossibleValue| v.get_name().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

impl FromArgMatches for Exports {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        let Some(occurrences) = matches.get_occurrences::<String>(ID) else {
            return Ok(Exports::default());
        };
        let mut pairs = Vec::new();
        for words in occurrences {
            let words: Vec<&String> = words.collect();
            let [format, file] = words.as_slice() else {
                return Err(clap::Error::raw(
                    ErrorKind::WrongNumberOfValues,
                    "--export takes FORMAT FILE",
                ));
            };
            let format = ExportFormat::from_str(format, true).map_err(|_| {
                clap::Error::raw(
                    ErrorKind::InvalidValue,
                    format!("--export: unknown format `{format}` ({})", formats()),
                )
            })?;
            pairs.push((format, PathBuf::from(file.as_str())));
        }
        Ok(Exports(pairs))
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        *self = Exports::from_arg_matches(matches)?;
        Ok(())
    }
}

impl Args for Exports {
    fn augment_args(command: Command) -> Command {
        command.arg(
            Arg::new(ID)
                .long(ID)
                .num_args(2)
                .value_names(["FORMAT", "FILE"])
                .action(ArgAction::Append)
                .help(format!("Also export the results: FORMAT is {}", formats())),
        )
    }

    fn augment_args_for_update(command: Command) -> Command {
        Exports::augment_args(command)
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Debug, Parser)]
    struct Line {
        #[command(flatten)]
        export: Exports,
    }

    #[test]
    fn pairs_are_typed_in_order_and_a_bad_format_is_clap_s_error() {
        let line = Line::try_parse_from([
            "x",
            "--export",
            "bmf",
            "a.json",
            "--export",
            "github-action-benchmark",
            "b.json",
        ])
        .expect("parses");
        assert_eq!(
            line.export.0,
            vec![
                (ExportFormat::Bmf, PathBuf::from("a.json")),
                (ExportFormat::GithubActionBenchmark, PathBuf::from("b.json"))
            ]
        );
        let refused = Line::try_parse_from(["x", "--export", "csv", "x.csv"]).unwrap_err();
        assert_eq!(refused.kind(), ErrorKind::InvalidValue);
        assert!(
            refused
                .to_string()
                .contains("unknown format `csv` (bmf, github-action-benchmark)")
        );
        assert!(Line::try_parse_from(["x", "--export", "bmf"]).is_err());
        assert_eq!(
            Line::try_parse_from(["x"]).unwrap().export,
            Exports::default()
        );
    }
}
