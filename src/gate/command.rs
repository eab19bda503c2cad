//! `concbench compare`: read both sides and the thresholds, judge, write the
//! Markdown and JSON asked for. Exit code 1 when anything regressed or broke.

use crate::error::WriteFailed;

use super::thresholds::Thresholds;
use super::{GateOutcome, compare, output};
use crate::results::RunResults;

/// What `concbench compare` was asked to do.
pub struct CompareRequest {
    pub base: Vec<std::path::PathBuf>,
    pub new: Vec<std::path::PathBuf>,
    pub threshold_pct: Option<f64>,
    pub gate: Option<std::path::PathBuf>,
    pub markdown: Option<std::path::PathBuf>,
    pub json: Option<std::path::PathBuf>,
}

/// Read both sides and the thresholds, compare, and write the Markdown and
/// JSON files asked for. Bad input fails before anything is written.
pub fn run_compare(request: &CompareRequest) -> anyhow::Result<GateOutcome> {
    if request.base.is_empty() || request.new.is_empty() {
        return Err(crate::error::BadInput::Flag {
            flag: "compare",
            message: "give BASE NEW, or --base FILE... --new FILE...".into(),
        }
        .into());
    }
    let read = |paths: &[std::path::PathBuf]| {
        paths
            .iter()
            .map(|p| RunResults::read(p))
            .collect::<Result<Vec<_>, _>>()
    };
    let (base, new) = (read(&request.base)?, read(&request.new)?);
    let thresholds = Thresholds::load(request.gate.as_deref(), request.threshold_pct)?;
    let outcome = compare(&base, &new, &thresholds);
    let write = |path: &std::path::Path, bytes: &[u8]| {
        std::fs::write(path, bytes).map_err(|e| WriteFailed::new(path, e))
    };
    if let Some(path) = &request.markdown {
        write(path, output::markdown(&outcome).as_bytes())?;
    }
    if let Some(path) = &request.json {
        write(path, &output::json(&outcome)?)?;
    }
    Ok(outcome)
}
