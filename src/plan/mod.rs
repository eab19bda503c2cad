//! From a suite file to the list of points to measure: resolve scenario ids,
//! variants and models, expand parameter lists to a grid, check every value
//! against the scenario's ranges and the machine's limits, layer settings
//! (built-in defaults < [run] < [scenario.run] < command line), and filter.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::config::{ScenarioEntry, SettingsPatch, Suite};
use crate::error::BadInput;
use crate::model::runtime::Runtime;
use crate::scenario::{self, Scenario};
use crate::vocab::{Model, Params, Status};

mod filter;
use filter::hint;
pub use filter::{closest, matches_filter};

mod settings;
pub use settings::{MIN_SAMPLER_INTERVAL, Overrides, Settings};

pub mod groups;
mod params;
use params::expand_params;
#[cfg(test)]
use params::{cores_expression, param_values};
mod runtimes;

/// One thing to measure: a scenario, a variant, a model and parameter values.
#[derive(Clone)]
pub struct Point {
    pub scenario: &'static dyn Scenario,
    pub variant: &'static str,
    pub model: Model,
    pub params: Params,
    pub settings: Settings,
    /// The outcome the suite declared the point is meant to show.
    pub expect: Option<Status>,
    /// The runtime an external variant (`py_*`) runs in.
    pub runtime: Option<std::sync::Arc<crate::model::runtime::Runtime>>,
}

impl Point {
    /// `scenario/variant/model/params`, stable across runs.
    pub fn id(&self) -> String {
        crate::vocab::point_id(
            self.scenario.info().id,
            &self.variant_label(),
            self.model,
            &self.params,
        )
    }

    /// The variant, with the runtime it runs in when it is external:
    /// `py_thread@python3`.
    pub fn variant_label(&self) -> String {
        match &self.runtime {
            Some(runtime) => format!("{}@{}", self.variant, runtime.name),
            None => self.variant.to_string(),
        }
    }
}

/// The points of a run, in order, and the suite's own settings.
pub struct Plan {
    pub config: PathBuf,
    pub settings: Settings,
    pub points: Vec<Point>,
}

/// Build the plan of `suite`, apply `overrides`, keep the points `filter` matches.
pub fn build(suite: &Suite, overrides: &Overrides, filter: Option<&str>) -> Result<Plan, BadInput> {
    let base = apply(suite, Settings::default(), &suite.file.run)?;
    let runtimes = runtimes::runtimes(suite, overrides)?;
    let mut points = Vec::new();
    for entry in &suite.file.scenarios {
        let scenario = scenario::registry::find(entry.id.get_ref()).ok_or_else(|| {
            let known: Vec<&str> = scenario::registry::all()
                .iter()
                .map(|s| s.info().id)
                .collect();
            suite.error_at(
                entry.id.span(),
                format!(
                    "unknown scenario `{}`{}",
                    entry.id.get_ref(),
                    hint(entry.id.get_ref(), &known)
                ),
            )
        })?;
        let settings = with_overrides(apply(suite, base, &entry.run)?, overrides);
        let expect = expected_outcome(suite, entry)?;
        let combos = combinations(suite, scenario, entry)?;
        let grid = scenario.select(
            expand_params(suite, scenario, &entry.params)?,
            settings.warmup + settings.measure_time,
        );
        for &(variant, model) in &combos {
            let runs_in: Vec<Option<Arc<Runtime>>> = if scenario::py_variants::is_external(variant)
            {
                runtimes.iter().cloned().map(Some).collect()
            } else {
                vec![None]
            };
            for params in &grid {
                for runtime in &runs_in {
                    let point = Point {
                        scenario,
                        variant,
                        model,
                        params: params.clone(),
                        settings,
                        expect,
                        runtime: runtime.clone(),
                    };
                    scenario.validate(model, params).map_err(|why| {
                        suite.error_at(entry.id.span(), format!("{}: {why}", point.id()))
                    })?;
                    if runtime.is_some() {
                        scenario::py_variants::check_params(scenario.info().id, params).map_err(
                            |why| suite.error_at(entry.id.span(), format!("{}: {why}", point.id())),
                        )?;
                    }
                    points.push(point);
                }
            }
        }
    }
    filter::first_of_each_id(&mut points, Point::id);
    if points.is_empty() {
        return Err(BadInput::Config {
            path: suite.path.clone(),
            message: "the suite has no [[scenario]] to run".into(),
        });
    }
    if let Some(pattern) = filter {
        let ids: Vec<String> = points.iter().map(Point::id).collect();
        points.retain(|p| matches_filter(pattern, &p.id()));
        if points.is_empty() {
            let registered: Vec<&str> = crate::scenario::registry::all()
                .iter()
                .map(|s| s.info().id)
                .collect();
            return Err(BadInput::FilterMatchesNothing {
                pattern: pattern.to_string(),
                suggestion: filter::suggestion(pattern, &ids, &registered, &suite.path),
            });
        }
    }
    Ok(Plan {
        config: suite.path.clone(),
        settings: with_overrides(base, overrides),
        points,
    })
}

/// The outcome an entry's points are meant to show (`expect = ...`).
fn expected_outcome(suite: &Suite, entry: &ScenarioEntry) -> Result<Option<Status>, BadInput> {
    let Some(expect) = &entry.expect else {
        return Ok(None);
    };
    match expect.get_ref().as_str() {
        "deadlocked" => Ok(Some(Status::Deadlocked)),
        other => Err(suite.error_at(
            expect.span(),
            format!("expect = \"{other}\": the one outcome a point can be meant to show is \"deadlocked\""),
        )),
    }
}

/// The (variant, model) pairs an entry asks for, checked against the scenario.
fn combinations(
    suite: &Suite,
    scenario: &dyn Scenario,
    entry: &ScenarioEntry,
) -> Result<Vec<(&'static str, Model)>, BadInput> {
    let info = scenario.info();
    if let Some(asked) = &entry.variants {
        let known: Vec<&str> = info.all_variants().map(|v| v.name).collect();
        if let Some(name) = asked.get_ref().iter().find(|n| info.variant(n).is_none()) {
            return Err(suite.error_at(
                asked.span(),
                format!("{} has no variant `{name}`{}", info.id, hint(name, &known)),
            ));
        }
    }
    let models = chosen_models(suite, scenario, entry)?;
    let mut combos = Vec::new();
    for variant in info.all_variants() {
        // Listing no variants means every Rust one; another runtime's
        // variants run only when named.
        let wanted = match &entry.variants {
            Some(v) => v.get_ref().iter().any(|n| n == variant.name),
            None => !scenario::py_variants::is_external(variant.name),
        };
        for &model in variant.models {
            if wanted && (models.is_empty() || models.contains(&model)) {
                combos.push((variant.name, model));
            }
        }
    }
    if combos.is_empty() {
        let span = entry.models.as_ref().map_or(entry.id.span(), |m| m.span());
        return Err(suite.error_at(
            span,
            format!(
                "{}: no chosen variant runs under the chosen models",
                info.id
            ),
        ));
    }
    Ok(combos)
}

/// The models an entry names (empty: all), each one the scenario runs under.
fn chosen_models(
    suite: &Suite,
    scenario: &dyn Scenario,
    entry: &ScenarioEntry,
) -> Result<Vec<Model>, BadInput> {
    let info = scenario.info();
    let supported: Vec<Model> = Model::ALL
        .into_iter()
        .filter(|m| info.all_variants().any(|v| v.models.contains(m)))
        .collect();
    let Some(asked) = &entry.models else {
        return Ok(Vec::new());
    };
    asked
        .get_ref()
        .iter()
        .map(|name| {
            Model::from_name(name)
                .filter(|m| supported.contains(m))
                .ok_or_else(|| {
                    let known: Vec<&str> = supported.iter().map(|m| m.name()).collect();
                    suite.error_at(
                        asked.span(),
                        format!(
                            "{} does not run under model `{name}`{}",
                            info.id,
                            hint(name, &known)
                        ),
                    )
                })
        })
        .collect()
}

fn apply(
    suite: &Suite,
    mut settings: Settings,
    patch: &SettingsPatch,
) -> Result<Settings, BadInput> {
    let duration = |field: &Option<crate::config::SpannedDuration>,
                    min: Duration,
                    key: &str|
     -> Result<Option<Duration>, BadInput> {
        let Some(value) = field else { return Ok(None) };
        let d = **value.get_ref();
        if d < min || d > Duration::from_secs(24 * 3600) {
            let shown = humantime::format_duration(d);
            let floor = humantime::format_duration(min);
            return Err(suite.error_at(
                value.span(),
                format!("{key} = {shown} is out of range {floor}..=24h"),
            ));
        }
        Ok(Some(d))
    };
    settings.warmup = duration(&patch.warmup, Duration::ZERO, "warmup")?.unwrap_or(settings.warmup);
    settings.measure_time = duration(&patch.measure_time, Duration::ZERO, "measure_time")?
        .unwrap_or(settings.measure_time);
    settings.timeout =
        duration(&patch.timeout, Duration::from_millis(1), "timeout")?.unwrap_or(settings.timeout);
    settings.stall_timeout = duration(
        &patch.stall_timeout,
        Duration::from_millis(100),
        "stall_timeout",
    )?
    .unwrap_or(settings.stall_timeout);
    settings.sampler_interval = duration(
        &patch.sampler_interval,
        MIN_SAMPLER_INTERVAL,
        "sampler_interval",
    )?
    .unwrap_or(settings.sampler_interval);
    if let Some(pct) = &patch.slowdown_pct {
        if *pct.get_ref() > 1000 {
            return Err(suite.error_at(
                pct.span(),
                format!("slowdown_pct = {} is out of range 0..=1000", pct.get_ref()),
            ));
        }
        settings.slowdown_pct = *pct.get_ref();
    }
    if let Some(n) = &patch.processes {
        if !(1..=MOST_PROCESSES).contains(n.get_ref()) {
            return Err(suite.error_at(
                n.span(),
                format!(
                    "processes = {} is out of range 1..={MOST_PROCESSES}",
                    n.get_ref()
                ),
            ));
        }
        settings.processes = *n.get_ref();
    }
    if let Some(n) = &patch.min_samples {
        if !(1..=1_000_000).contains(n.get_ref()) {
            return Err(suite.error_at(
                n.span(),
                format!("min_samples = {} is out of range 1..=1000000", n.get_ref()),
            ));
        }
        settings.min_samples = *n.get_ref();
    }
    Ok(settings)
}

fn with_overrides(mut settings: Settings, overrides: &Overrides) -> Settings {
    settings.warmup = overrides.warmup.unwrap_or(settings.warmup);
    settings.measure_time = overrides.measure_time.unwrap_or(settings.measure_time);
    settings.min_samples = overrides.min_samples.unwrap_or(settings.min_samples);
    settings.timeout = overrides.timeout.unwrap_or(settings.timeout);
    settings.slowdown_pct = overrides.slowdown_pct.unwrap_or(settings.slowdown_pct);
    settings.processes = overrides.processes.unwrap_or(settings.processes);
    settings
}

/// The most fresh processes a group may be measured in.
pub const MOST_PROCESSES: u64 = 64;

#[cfg(test)]
mod tests;
