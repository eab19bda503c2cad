//! Reports a person reads, from results files only: report.html (charts,
//! findings), summary.md (for CI job summaries and PR comments), and the
//! same with two runs side by side. Each format turns results into bytes
//! and never touches files; `files` (`write_run_reports`, `report_files`)
//! does, so the formats import this module and it imports none of them.

pub mod answers;
mod by_placement;
pub mod export;
pub mod files;
pub mod findings;
pub mod html;
pub mod markdown;
pub mod matrix;
pub mod placement;
pub mod plot;
mod relation;
mod replication;
pub mod speedup;
pub mod view;

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

/// A format `--export` can write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// Bencher Metric Format (latency and throughput with intervals)
    Bmf,
    /// github-action-benchmark, customSmallerIsBetter
    GithubActionBenchmark,
}
