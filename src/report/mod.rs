//! Reports a person reads, from results files only: report.html (charts,
//! findings), summary.md (for CI job summaries and PR comments), and the
//! same with two runs side by side. Each format turns results into bytes
//! and never touches files; `write_run_reports` and `report_files` do.

pub mod export;
pub mod findings;
pub mod html;
pub mod markdown;
pub mod plot;
pub mod speedup;
pub mod view;

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::results::RunResults;

/// What a report is made from: one run, or a new run and its comparison
/// against a base.
pub struct ReportInput<'a> {
    pub new: &'a RunResults,
    /// With a base: the regression gate's verdicts, the same `compare` gives.
    pub comparison: Option<&'a crate::gate::GateOutcome>,
}

/// An output format.
pub trait Format {
    fn render(&self, input: &ReportInput<'_>) -> anyhow::Result<Vec<u8>>;
}

/// Write report.html and summary.md of a finished run into its folder.
pub fn write_run_reports(results: &RunResults, dir: &Path) -> anyhow::Result<()> {
    let input = ReportInput {
        new: results,
        comparison: None,
    };
    write(&dir.join("report.html"), &html::Html.render(&input)?)?;
    write(&dir.join("summary.md"), &markdown::Markdown.render(&input)?)?;
    Ok(())
}

/// `concbench report RESULTS [NEW] [-o FILE]`: read the files, write the
/// HTML report (and its Markdown summary beside it, same name with `.md`).
/// Returns both paths and the (newest) run, for exports.
pub fn report_files(
    inputs: &[PathBuf],
    output: Option<&Path>,
) -> anyhow::Result<(PathBuf, PathBuf, RunResults)> {
    let mut runs: Vec<RunResults> = inputs
        .iter()
        .map(|p| RunResults::read(p))
        .collect::<Result<_, _>>()?;
    let newest = inputs.last().context("no results file given")?;
    let new = runs.pop().context("no results file given")?;
    let base = match runs.as_slice() {
        [] => None,
        [base] => Some(base),
        _ => anyhow::bail!("report takes one results file, or two (BASE NEW)"),
    };
    let html_path = match output {
        Some(path) => path.to_path_buf(),
        None => {
            let dir = newest.parent().unwrap_or(Path::new("."));
            match base {
                Some(base) => dir.join(format!("compare-{}.html", base.run.id)),
                None => dir.join("report.html"),
            }
        }
    };
    let markdown_path = html_path.with_extension("md");
    // The two-run view shows exactly what `concbench compare` would decide,
    // with the same thresholds (configs/gate.toml when present).
    let comparison = match base {
        Some(base) => {
            let thresholds = crate::gate::thresholds::Thresholds::load(None, None)?;
            Some(crate::gate::compare(
                std::slice::from_ref(base),
                std::slice::from_ref(&new),
                &thresholds,
            ))
        }
        None => None,
    };
    let input = ReportInput {
        new: &new,
        comparison: comparison.as_ref(),
    };
    write(&html_path, &html::Html.render(&input)?)?;
    write(&markdown_path, &markdown::Markdown.render(&input)?)?;
    Ok((html_path, markdown_path, new))
}

/// A format `--export` can write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// Bencher Metric Format (latency and throughput with intervals)
    Bmf,
    /// github-action-benchmark, customSmallerIsBetter
    GithubActionBenchmark,
}

/// Write `results` in each (format, file) pair.
pub fn write_exports(
    results: &RunResults,
    exports: &[(ExportFormat, PathBuf)],
) -> anyhow::Result<()> {
    let input = ReportInput {
        new: results,
        comparison: None,
    };
    for (format, path) in exports {
        let bytes = match format {
            ExportFormat::Bmf => export::Bmf.render(&input)?,
            ExportFormat::GithubActionBenchmark => export::GithubActionBenchmark.render(&input)?,
        };
        write(path, &bytes)?;
    }
    Ok(())
}

fn write(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))
}
