//! configs/gate.toml: the threshold a change must exceed to count, by
//! default, per family, per scenario, and per point pattern (the most
//! specific wins). A threshold is the smallest change worth failing a build
//! for, not the machine's run-to-run noise: the noise belongs in the
//! interval (several runs per side, or the interleaved gate).

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use crate::error::BadInput;

/// The default when neither the command line nor gate.toml says.
pub const DEFAULT_PCT: f64 = 5.0;
/// Where `compare` looks for thresholds when `--gate` is not given.
pub const DEFAULT_FILE: &str = "configs/gate.toml";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct GateFile {
    threshold_pct: Option<Spanned<f64>>,
    #[serde(default)]
    family: BTreeMap<String, Spanned<f64>>,
    #[serde(default)]
    scenario: BTreeMap<String, Spanned<f64>>,
    /// Point id patterns, as `--filter` reads them (`*` matches anything).
    #[serde(default)]
    point: BTreeMap<String, Spanned<f64>>,
}

/// Thresholds as fractions (0.05 for 5%).
#[derive(Debug, Clone, PartialEq)]
pub struct Thresholds {
    pub default: f64,
    pub family: BTreeMap<String, f64>,
    pub scenario: BTreeMap<String, f64>,
    pub point: BTreeMap<String, f64>,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            default: DEFAULT_PCT / 100.0,
            family: BTreeMap::new(),
            scenario: BTreeMap::new(),
            point: BTreeMap::new(),
        }
    }
}

impl Thresholds {
    /// The threshold of point `id` of `scenario` in `family`: the longest
    /// matching point pattern, else the scenario's, the family's, the default.
    pub fn for_point(&self, family: &str, scenario: &str, id: &str) -> f64 {
        let by_pattern = self
            .point
            .iter()
            .filter(|(pattern, _)| crate::plan::matches_filter(pattern, id))
            .max_by_key(|(pattern, _)| pattern.len())
            .map(|(_, t)| *t);
        by_pattern
            .or_else(|| {
                self.scenario
                    .get(scenario)
                    .or_else(|| self.family.get(family))
                    .copied()
            })
            .unwrap_or(self.default)
    }

    /// Read `path` (or configs/gate.toml when present); `default_pct` from
    /// the command line replaces the file's default.
    pub fn load(path: Option<&Path>, default_pct: Option<f64>) -> Result<Thresholds, BadInput> {
        let fallback = Path::new(DEFAULT_FILE);
        let file = match path {
            Some(p) => Some(p),
            None if fallback.exists() => Some(fallback),
            None => None,
        };
        let mut thresholds = match file {
            Some(p) => parse(
                p,
                &std::fs::read_to_string(p).map_err(|e| BadInput::Config {
                    path: p.to_path_buf(),
                    message: format!("cannot read: {e}"),
                })?,
            )?,
            None => Thresholds::default(),
        };
        if let Some(pct) = default_pct {
            thresholds.default = pct / 100.0;
        }
        Ok(thresholds)
    }
}

/// Parse gate.toml text; every percentage must lie in (0, 1000].
pub fn parse(path: &Path, text: &str) -> Result<Thresholds, BadInput> {
    let file: GateFile = toml::from_str(text).map_err(|e| match e.span() {
        Some(span) => BadInput::at_offset(
            path,
            text,
            span.start,
            e.message().trim().replace('\n', " "),
        ),
        None => BadInput::Config {
            path: path.to_path_buf(),
            message: e.message().to_string(),
        },
    })?;
    let check = |name: &str, value: &Spanned<f64>| -> Result<f64, BadInput> {
        let pct = *value.get_ref();
        if pct > 0.0 && pct <= 1000.0 {
            Ok(pct / 100.0)
        } else {
            Err(BadInput::at_offset(
                path,
                text,
                value.span().start,
                format!("{name} = {pct} is out of range (0, 1000]"),
            ))
        }
    };
    let mut thresholds = Thresholds::default();
    if let Some(value) = &file.threshold_pct {
        thresholds.default = check("threshold_pct", value)?;
    }
    for (name, value) in &file.family {
        thresholds.family.insert(name.clone(), check(name, value)?);
    }
    for (name, value) in &file.scenario {
        thresholds
            .scenario
            .insert(name.clone(), check(name, value)?);
    }
    for (pattern, value) in &file.point {
        thresholds
            .point
            .insert(pattern.clone(), check(pattern, value)?);
    }
    Ok(thresholds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_gate_file_parses() {
        let shipped = include_str!("../../configs/gate.toml");
        let t = parse(Path::new("configs/gate.toml"), shipped).expect("configs/gate.toml parses");
        assert!(
            t.for_point(
                "spawn",
                "spawn.sleepers",
                "spawn.sleepers/tokio/async/sleep_ms=100,workers=1000"
            ) <= 0.05
        );
    }

    #[test]
    fn the_shipped_gate_file_sets_only_the_default() {
        let shipped = include_str!("../../configs/gate.toml");
        let t = parse(Path::new("configs/gate.toml"), shipped).expect("configs/gate.toml parses");
        assert_eq!(t, Thresholds::default(), "no entry to hide noise behind");
        assert_eq!(t.default, DEFAULT_PCT / 100.0);
    }

    #[test]
    fn the_shipped_gate_files_example_parses_as_documented() {
        // The commented example: uncommented, it must still be valid and
        // mean what the header says.
        let example: String = include_str!("../../configs/gate.toml")
            .lines()
            .skip_while(|line| !line.starts_with("# [family]"))
            .map(|line| format!("{}\n", line.trim_start_matches('#').trim()))
            .collect();
        let t = parse(Path::new("example"), &example).expect("the example parses");
        let fork = "spawn.start/fork/process/workers=9";
        assert_eq!(t.for_point("spawn", "spawn.start", fork), 0.20);
        assert_eq!(
            t.for_point("spawn", "spawn.sleepers", "spawn.sleepers/x"),
            0.05
        );
        assert_eq!(t.for_point("spawn", "spawn.start", "spawn.start/x"), 0.10);
        assert_eq!(t.for_point("lock", "lock.counter", "lock.counter/x"), 0.05);
    }

    #[test]
    fn the_most_specific_threshold_wins() {
        let text = "threshold_pct = 4\n[family]\nspawn = 10\n[scenario]\n\"spawn.sleepers\" = 3\n\
                    [point]\n\"spawn.start/tokio\" = 30\n\"spawn.start/*\" = 20\n";
        let t = parse(Path::new("gate.toml"), text).expect("parses");
        assert_eq!(
            t.for_point(
                "spawn",
                "spawn.sleepers",
                "spawn.sleepers/fork/process/workers=9"
            ),
            0.03
        );
        assert_eq!(
            t.for_point("spawn", "spawn.start", "spawn.start/tokio/async/workers=9"),
            0.30
        );
        assert_eq!(
            t.for_point("spawn", "spawn.start", "spawn.start/fork/process/workers=9"),
            0.20
        );
        assert_eq!(
            t.for_point("spawn", "spawn.other", "spawn.other/x/thread"),
            0.10
        );
        assert_eq!(
            t.for_point("lock", "lock.counter", "lock.counter/std/thread"),
            0.04
        );
    }

    #[test]
    fn out_of_range_and_unknown_keys_name_their_line() {
        let e =
            parse(Path::new("gate.toml"), "[family]\nspawn = 0\n").expect_err("zero is refused");
        assert!(e.to_string().starts_with("gate.toml:2:"), "{e}");
        let e = parse(Path::new("gate.toml"), "threshold = 5\n").expect_err("unknown key");
        assert!(e.to_string().starts_with("gate.toml:1:"), "{e}");
    }
}
