//! A config entry's `params` turned into the points' parameter sets: every
//! combination of the listed values, defaults for the rest, each value
//! range-checked, with core-count expressions (`cores`, `2*cores`) resolved.

use std::collections::BTreeMap;

use super::filter::hint;
use crate::config::Suite;
use crate::error::BadInput;
use crate::scenario::Scenario;
use crate::vocab::Params;

/// Every combination of the listed parameter values (defaults for the rest).
pub(super) fn expand_params(
    suite: &Suite,
    scenario: &dyn Scenario,
    given: &BTreeMap<String, toml::Spanned<toml::Value>>,
) -> Result<Vec<Params>, BadInput> {
    let info = scenario.info();
    for (name, value) in given {
        if info.param(name).is_none() {
            let known: Vec<&str> = info.params.iter().map(|p| p.name).collect();
            return Err(suite.error_at(
                value.span(),
                format!(
                    "{} has no parameter `{name}`{}",
                    info.id,
                    hint(name, &known)
                ),
            ));
        }
    }
    let mut grid = vec![Params::default()];
    for spec in info.params {
        let values = match given.get(spec.name) {
            None => vec![spec.default],
            Some(value) => param_values(value.get_ref())
                .and_then(|vs| {
                    match vs
                        .iter()
                        .find(|&&v| v < spec.min as i64 || v > spec.max as i64)
                    {
                        Some(bad) => Err(format!(
                            "{} = {bad} is out of range {}..={}",
                            spec.name, spec.min, spec.max
                        )),
                        None => Ok(vs.into_iter().map(|v| v as u64).collect()),
                    }
                })
                .map_err(|message| {
                    suite.error_at(value.span(), format!("{}: {message}", info.id))
                })?,
        };
        grid = grid
            .into_iter()
            .flat_map(|params| {
                values.iter().map(move |&v| {
                    let mut next = params.clone();
                    next.0.insert(spec.name.to_string(), v);
                    next
                })
            })
            .collect();
    }
    Ok(grid)
}

/// An integer, a core-count expression, `"cpus"` (the number of every CPU
/// this process may run on, for parameters that name a CPU), or a
/// non-empty list of them; repeated values (e.g. `2` and `cores` on a
/// 2-core machine) count once.
pub(super) fn param_values(value: &toml::Value) -> Result<Vec<i64>, String> {
    let one = |item: &toml::Value| match item {
        toml::Value::Integer(i) => Ok(vec![*i]),
        toml::Value::String(text) if text.trim() == "cpus" => {
            Ok(crate::host::topology::allowed_cpus()
                .into_iter()
                .map(i64::from)
                .collect())
        }
        toml::Value::String(text) => {
            cores_expression(text, crate::host::logical_cores()).map(|v| vec![v])
        }
        other => Err(format!(
            "expected an integer or \"cores\", \"cores+N\", \"cores-N\", \"N*cores\", found {other}"
        )),
    };
    let mut values = match value {
        toml::Value::Array(items) if items.is_empty() => {
            return Err("an empty list of values".into());
        }
        toml::Value::Array(items) => items
            .iter()
            .map(one)
            .collect::<Result<Vec<_>, _>>()?
            .concat(),
        single => one(single)?,
    };
    let mut seen = std::collections::BTreeSet::new();
    values.retain(|v| seen.insert(*v));
    Ok(values)
}

/// `cores`, `cores+N`, `cores-N` or `N*cores`, with `cores` the machine's
/// logical core count: sweeps that mean the same on 2 and 16 cores.
pub(super) fn cores_expression(text: &str, cores: u64) -> Result<i64, String> {
    let cores = cores as i64;
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let number = |digits: &str| {
        digits.parse::<i64>().map_err(|_| {
            format!("expected an integer or a core-count expression (cores, cores+N, cores-N, N*cores), found `{text}`")
        })
    };
    if compact == "cores" {
        Ok(cores)
    } else if let Some(n) = compact.strip_prefix("cores+") {
        Ok(cores + number(n)?)
    } else if let Some(n) = compact.strip_prefix("cores-") {
        Ok(cores - number(n)?)
    } else if let Some(n) = compact.strip_suffix("*cores") {
        Ok(number(n)? * cores)
    } else {
        Err(format!(
            "expected an integer or a core-count expression (cores, cores+N, cores-N, N*cores), found `{text}`"
        ))
    }
}
