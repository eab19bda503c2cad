//! The variants whose workload runs in another runtime (`py_*`: the CPython
//! worker in runtimes/python/), listed under the scenario each mirrors. They
//! are read from the worker's own table,
//! runtimes/python/concbench_runtime/workloads.json, which the worker reads
//! too: one table for both sides (variants, models, summaries, and the
//! parameter ranges the worker accepts). The trial that drives a worker is
//! `external.rs`.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

use crate::model::runtime::shipped::CPYTHON_WORKER;
use crate::vocab::{Model, VariantInfo};

/// Where the table lives, under runtimes/python/.
pub const TABLE: &str = "concbench_runtime/workloads.json";

/// Whether `variant` runs in another runtime (a CPython workload).
pub fn is_external(variant: &str) -> bool {
    variant.starts_with("py_")
}

/// One scenario's entry in the table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    /// name -> [min, max] the worker accepts.
    params: BTreeMap<String, (u64, u64)>,
    variants: Vec<Row>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Row {
    name: String,
    models: Vec<Model>,
    summary: String,
}

/// A scenario's parameter ranges (name -> (min, max)) and its variants.
type ScenarioRow = (BTreeMap<String, (u64, u64)>, Vec<&'static VariantInfo>);

/// The table, read: per scenario, its parameter ranges and its variants.
#[derive(Debug)]
pub struct Table {
    scenarios: BTreeMap<String, ScenarioRow>,
}

impl Table {
    /// Parse a table's text (the shipped one, or a test's).
    pub fn parse(text: &str) -> Result<Table, String> {
        let entries: BTreeMap<String, Entry> =
            serde_json::from_str(text).map_err(|e| format!("runtimes/python/{TABLE}: {e}"))?;
        let mut scenarios = BTreeMap::new();
        for (scenario, entry) in entries {
            let mut variants = Vec::new();
            for row in entry.variants {
                if !is_external(&row.name) || row.models.is_empty() {
                    return Err(format!(
                        "runtimes/python/{TABLE}: {scenario} {}: a variant is named py_* and runs under a model",
                        row.name
                    ));
                }
                // Leaked once: the table lives as long as the program.
                let info: &'static VariantInfo = Box::leak(Box::new(VariantInfo {
                    name: Box::leak(row.name.into_boxed_str()),
                    models: Box::leak(row.models.into_boxed_slice()),
                    summary: Box::leak(row.summary.into_boxed_str()),
                }));
                variants.push(info);
            }
            scenarios.insert(scenario, (entry.params, variants));
        }
        Ok(Table { scenarios })
    }

    /// The external variants of `scenario` (empty for most).
    pub fn variants_of(&self, scenario: &str) -> &[&'static VariantInfo] {
        self.scenarios
            .get(scenario)
            .map_or(&[], |(_, v)| v.as_slice())
    }

    /// The range of `param` that the worker accepts for `scenario`.
    pub fn range(&self, scenario: &str, param: &str) -> Option<(u64, u64)> {
        self.scenarios.get(scenario)?.0.get(param).copied()
    }

    /// The scenarios the table names.
    pub fn scenarios(&self) -> impl Iterator<Item = &str> {
        self.scenarios.keys().map(String::as_str)
    }
}

/// Refuse, before anything runs, a CPython point whose parameters lie
/// outside what the worker accepts (its table's ranges).
pub fn check_params(scenario: &str, params: &crate::vocab::Params) -> Result<(), String> {
    for (name, value) in &params.0 {
        if let Some((min, max)) = table().range(scenario, name)
            && !(min..=max).contains(value)
        {
            return Err(format!(
                "{name} = {value} is outside the CPython worker's range {min}..={max} (runtimes/python/{TABLE})"
            ));
        }
    }
    Ok(())
}

/// The shipped table (a broken one is a build defect: the tests read it).
pub fn table() -> &'static Table {
    static TABLE_READ: OnceLock<Table> = OnceLock::new();
    TABLE_READ.get_or_init(|| {
        let text = CPYTHON_WORKER
            .iter()
            .find(|(path, _)| *path == TABLE)
            .map_or("{}", |(_, text)| text);
        Table::parse(text).unwrap_or_else(|e| panic!("the shipped workload table is broken: {e}"))
    })
}

/// The external variants of `scenario` (empty for most).
pub fn variants_of(scenario: &str) -> impl Iterator<Item = &'static VariantInfo> + '_ {
    table().variants_of(scenario).iter().copied()
}

#[cfg(test)]
#[path = "py_variants_tests.rs"]
mod tests;
