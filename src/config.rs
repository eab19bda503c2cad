//! The TOML suite file: what a user writes to choose scenarios, variants,
//! models, parameter sweeps and harness settings. Parsed strictly (unknown
//! keys refused); values keep their place in the file so that every error
//! names file, line and column.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use crate::error::BadInput;

/// The quick suite, built in so that `concbench run` works from anywhere.
pub const BUILTIN_QUICK: &str = include_str!("../configs/quick.toml");
/// The default config path, relative to the working directory.
pub const DEFAULT_CONFIG: &str = "configs/quick.toml";

pub type SpannedDuration = Spanned<humantime_serde::Serde<Duration>>;

/// A whole suite file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SuiteFile {
    /// The runtimes the external variants (`py_*`) run in, each one an
    /// interpreter (`python3.13t`) or a command speaking the runtime
    /// protocol (`node=node worker.js`). Default: `["python3"]`.
    #[serde(default)]
    pub interpreters: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    pub run: SettingsPatch,
    #[serde(default, rename = "scenario")]
    pub scenarios: Vec<ScenarioEntry>,
}

/// Harness settings: `[run]` for the whole suite, `[scenario.run]` for one
/// scenario. Anything left out keeps the value from the level above.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsPatch {
    pub warmup: Option<SpannedDuration>,
    pub measure_time: Option<SpannedDuration>,
    pub min_samples: Option<Spanned<u64>>,
    pub timeout: Option<SpannedDuration>,
    pub sampler_interval: Option<SpannedDuration>,
    /// How long a point that reports progress (dining philosophers) may make
    /// none before it is stopped as deadlocked.
    pub stall_timeout: Option<SpannedDuration>,
    /// Calibration only: see `plan::Settings::slowdown_pct`.
    pub slowdown_pct: Option<Spanned<u64>>,
    /// Fresh processes each paired group is measured in (see
    /// `plan::Settings::processes`).
    pub processes: Option<Spanned<u64>>,
}

/// One `[[scenario]]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioEntry {
    pub id: Spanned<String>,
    /// Variants to run; all of the scenario's when left out.
    pub variants: Option<Spanned<Vec<String>>>,
    /// Models to run; all that the chosen variants support when left out.
    pub models: Option<Spanned<Vec<String>>>,
    /// `name = value` or `name = [values]`: lists expand to a grid.
    #[serde(default)]
    pub params: BTreeMap<String, Spanned<toml::Value>>,
    /// The outcome these points are meant to show: `"deadlocked"` for a
    /// deadlock demonstration. Such a point caught deadlocked is not a
    /// failure of the run; one that finishes ok is.
    pub expect: Option<Spanned<String>>,
    #[serde(default)]
    pub run: SettingsPatch,
}

/// A suite file as read: where it came from, its text, and its contents.
pub struct Suite {
    pub path: PathBuf,
    pub text: String,
    pub file: SuiteFile,
}

impl Suite {
    /// Read `path`, or the default config (falling back to the built-in copy
    /// of the quick suite when no configs/ folder is here).
    pub fn load(path: Option<&Path>) -> Result<Suite, BadInput> {
        let (path, text) = match path {
            Some(path) => (path.to_path_buf(), read(path)?),
            None if Path::new(DEFAULT_CONFIG).exists() => (
                PathBuf::from(DEFAULT_CONFIG),
                read(Path::new(DEFAULT_CONFIG))?,
            ),
            None => (
                PathBuf::from("<built-in quick.toml>"),
                BUILTIN_QUICK.to_string(),
            ),
        };
        let file = parse(&path, &text)?;
        Ok(Suite { path, text, file })
    }

    /// A `BadInput` pointing at `span` of this file.
    pub fn error_at(&self, span: std::ops::Range<usize>, message: String) -> BadInput {
        BadInput::at_offset(&self.path, &self.text, span.start, message)
    }
}

fn read(path: &Path) -> Result<String, BadInput> {
    std::fs::read_to_string(path).map_err(|e| BadInput::Config {
        path: path.to_path_buf(),
        message: format!("cannot read the config: {e}"),
    })
}

/// Parse suite text; syntax errors, unknown keys and wrong types come back
/// with their line and column.
pub fn parse(path: &Path, text: &str) -> Result<SuiteFile, BadInput> {
    toml::from_str(text).map_err(|e| {
        let message = e.message().trim().replace('\n', " ");
        match e.span() {
            Some(span) => BadInput::at_offset(path, text, span.start, message),
            None => BadInput::Config {
                path: path.to_path_buf(),
                message,
            },
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_of(text: &str) -> String {
        match parse(Path::new("suite.toml"), text) {
            Ok(_) => panic!("expected an error for {text:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn the_built_in_quick_suite_parses() {
        let suite = parse(Path::new("quick.toml"), BUILTIN_QUICK).expect("quick.toml parses");
        assert!(!suite.scenarios.is_empty());
    }

    #[test]
    fn unknown_keys_are_refused_with_their_line() {
        let message = error_of("[run]\nwarmup = \"1s\"\nwarm_up = \"2s\"\n");
        assert!(message.starts_with("suite.toml:3:1:"), "{message}");
        assert!(message.contains("warm_up"), "{message}");
    }

    #[test]
    fn malformed_toml_names_the_line() {
        let message = error_of("[[scenario]]\nid = \"spawn.start\n");
        assert!(message.starts_with("suite.toml:2:"), "{message}");
    }

    #[test]
    fn durations_must_be_durations() {
        let message = error_of("[run]\n\nmeasure_time = \"fast\"\n");
        assert!(message.starts_with("suite.toml:3:"), "{message}");
    }
}
