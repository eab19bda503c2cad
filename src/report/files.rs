//! Where reports meet the disk: the files a run writes beside its results,
//! `concbench report`'s files, and `--export`.

use std::path::{Path, PathBuf};

use anyhow::Context;

use super::{ExportFormat, Format, ReportInput, export, html, markdown};
use crate::error::WriteFailed;
use crate::results::RunResults;

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
/// `prepare_new` may add to the (newest) run before it is drawn (`--history`
/// keeps earlier runs' placements with it). Returns both paths and that
/// run, for exports.
pub fn report_files(
    inputs: &[PathBuf],
    output: Option<&Path>,
    prepare_new: impl FnOnce(&mut RunResults) -> anyhow::Result<()>,
) -> anyhow::Result<(PathBuf, PathBuf, RunResults)> {
    let mut runs: Vec<RunResults> = inputs
        .iter()
        .map(|p| RunResults::read(p))
        .collect::<Result<_, _>>()?;
    let newest = inputs.last().context("no results file given")?;
    let mut new = runs.pop().context("no results file given")?;
    prepare_new(&mut new)?;
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

/// Write `bytes` to `path`, creating its folder first (`-o new/r.html`).
fn write(path: &Path, bytes: &[u8]) -> Result<(), WriteFailed> {
    if let Some(folder) = path.parent().filter(|f| !f.as_os_str().is_empty()) {
        std::fs::create_dir_all(folder).map_err(|e| WriteFailed::new(path, e))?;
    }
    std::fs::write(path, bytes).map_err(|e| WriteFailed::new(path, e))
}
