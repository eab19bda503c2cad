//! Conclusions the data supports, each with its numbers and the chart it
//! comes from. Two points measured in the same interleaved rounds are
//! compared round by round (`relate`): a difference is stated only when the
//! 95% interval of the per-round ratio excludes 1. Two points measured apart
//! are compared from their own intervals, and the finding says it is not
//! paired in time (the machine's drift between them is invisible to it).

use std::collections::BTreeSet;

use super::by_placement;
use super::placement;
use super::relation::{CLEAR_LEAD, Relation, median, relate, times};
use super::replication;
use super::view::{self, ScenarioView, short_label};
use crate::results::{PointResult, RunResults};
use crate::text::format_ns;
use crate::vocab::{Model, Params};

/// One conclusion, with the anchor of the chart that shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// The scenario it is about.
    pub scenario: String,
    pub text: String,
    pub anchor: String,
    /// False when no difference is stated: within noise, within
    /// `CLEAR_LEAD`, or decided by placement.
    pub supported: bool,
}

/// Every finding of the run, scenario by scenario.
pub fn findings(results: &RunResults) -> Vec<Finding> {
    let mut found = Vec::new();
    for (_, scenarios) in view::families(results) {
        for scenario in &scenarios {
            found.extend(placement_findings(scenario));
            found.extend(comparisons(scenario));
            found.extend(against_ideal(scenario));
            found.extend(speedups(scenario));
            found.extend(against_serial(scenario, results.host.logical_cores as u64));
        }
    }
    found
}

/// Each variant at the comparison point against the first one of the run;
/// then each variant the comparison point lacks against the first point
/// of the parameter set it was measured at (`elsewhere`).
fn comparisons(scenario: &ScenarioView<'_>) -> Vec<Finding> {
    let Some((params, points)) = scenario.comparison() else {
        return Vec::new();
    };
    let mut found = compare_at(scenario, params, &points, |_| true);
    let compared: BTreeSet<String> = points.iter().map(|p| short_label(p)).collect();
    for (params, points) in scenario.parameter_sets() {
        if points.len() > 1 && points.iter().any(|p| !compared.contains(&short_label(p))) {
            found.extend(compare_at(scenario, params, &points, |p| {
                !compared.contains(&short_label(p))
            }));
        }
    }
    found
}

/// The points of `points` after the first that `wanted` keeps, each
/// against the first, at `params`.
fn compare_at(
    scenario: &ScenarioView<'_>,
    params: &Params,
    points: &[&PointResult],
    wanted: impl Fn(&PointResult) -> bool,
) -> Vec<Finding> {
    let Some((reference, others)) = points.split_first() else {
        return Vec::new();
    };
    let anchor = view::anchor(&["bars", scenario.id]);
    let at = if params.0.is_empty() {
        String::new()
    } else {
        format!(" ({})", params.label())
    };
    others
        .iter()
        .filter(|other| wanted(other))
        .map(|other| {
            let relation = relate(reference, other);
            let (text, supported) = comparison_text(scenario, &at, reference, other, &relation);
            Finding {
                scenario: scenario.id.to_string(),
                text,
                anchor: anchor.clone(),
                supported,
            }
        })
        .collect()
}

/// A comparison's sentence, and whether it states a difference. A point
/// whose speed depends on placement gets each placement's figures instead
/// of a ratio, which one run's draw of placements would decide.
fn comparison_text(
    scenario: &ScenarioView<'_>,
    at: &str,
    reference: &PointResult,
    other: &PointResult,
    relation: &Relation,
) -> (String, bool) {
    let unit = scenario.unit();
    let head = format!("{}{at}: ", scenario.id);
    // Placement decides nothing when the same side is faster in every
    // placement either observed: then the paired ratio stands.
    let settled = placement::settled_anyway(
        other,
        reference,
        relation.clearly_differs(),
        relation.ratio < 1.0,
    );
    if !settled && let Some(text) = placement_text(reference, other, unit) {
        return (head + &text, false);
    }
    let figures = format!(
        "{} vs {} per {unit}{}{}",
        format_ns(median(other)),
        format_ns(median(reference)),
        placement::qualifier(other, reference),
        if settled {
            held_everywhere(reference, other)
        } else {
            String::new()
        }
    );
    let (text, supported) = lead_text(reference, other, relation, unit, figures);
    (head + &text, supported)
}

/// What a comparison placement does not decide adds: ", the same way in
/// every placement either observed (on one CPU and spread over CPUs)", and
/// ", samples that moved CPU aside" where either had such samples.
fn held_everywhere(reference: &PointResult, other: &PointResult) -> String {
    let placements = placement::placements_held_in(other, reference)
        .map(|p| format!(" ({p})"))
        .unwrap_or_default();
    let moved = if placement::either_moved(other, reference) {
        ", samples that moved CPU aside"
    } else {
        ""
    };
    format!(", the same way in every placement either observed{placements}{moved}")
}

/// Where placement decides a comparison (`placement::dependence`,
/// `placement::unlike`): its sentence after the scenario's name.
/// Each placement in which the two shared rounds enough then gets its own
/// paired verdict (`by_placement::sentence`).
fn placement_text(reference: &PointResult, other: &PointResult, unit: &str) -> Option<String> {
    let (a, b) = (short_label(other), short_label(reference));
    let text = if let Some(dependence) = placement::dependence(other, reference) {
        format!(
            "{a} against {b} depends on where their parties ran, so no one ratio is stated ({dependence})."
        )
    } else {
        let (mine, theirs) = placement::unlike(other, reference)?;
        format!(
            "{a} ran with its parties {mine}, {b} {theirs}: not like with like, so no ratio is stated ({} vs {} per {unit}).",
            format_ns(median(other)),
            format_ns(median(reference)),
        )
    };
    Some(match by_placement::sentence(reference, other) {
        Some(verdicts) => format!("{text} {verdicts}"),
        None => text,
    })
}

/// A comparison placement does not decide: its sentence after the
/// scenario's name, and whether it states a difference. A lead is stated
/// where this run's interval clears 10% and no earlier run of the machine
/// disagrees, or where the runs show it (`replication::replicated`).
fn lead_text(
    reference: &PointResult,
    other: &PointResult,
    relation: &Relation,
    unit: &str,
    figures: String,
) -> (String, bool) {
    let (a, b) = (short_label(other), short_label(reference));
    let slower = relation.ratio >= 1.0;
    let shown = |x: f64| if slower { x } else { 1.0 / x };
    let over_runs = replication::replicated(reference, other, relation);
    let supported = relation.clearly_differs() || over_runs.is_some();
    if supported && let Some(held) = replication::held_back(reference, other, relation) {
        return (
            format!("{held}, {figures}; {}).", relation.basis(shown)),
            false,
        );
    }
    let figures = match &over_runs {
        Some(replicated) => format!("{figures}; {}", replicated.sentence(&a, &b, shown)),
        None => figures,
    };
    // A lead the runs state and this run's rounds alone do not: say why
    // the rounds' interval, which may include 1, does not stop it.
    let rounds_alone = if over_runs.is_some() && !relation.clearly_differs() {
        format!(
            ", which alone does not clear a {:.0}% lead; the runs above do",
            100.0 * (CLEAR_LEAD - 1.0)
        )
    } else {
        String::new()
    };
    let basis = relation.basis(|x| x);
    let text = if relation.interval.is_none() {
        format!("{a} against {b}: no verdict ({figures}; {basis}).")
    } else if !relation.differs() && !supported {
        format!("{a} and {b} are within noise of each other ({figures}; {basis}).")
    } else if !supported {
        format!(
            "{a} and {b} are within {:.0}% of each other, less than reruns move a point here, so no difference is stated ({figures}; {basis}).",
            100.0 * (CLEAR_LEAD - 1.0),
        )
    } else if slower {
        format!(
            "{a} takes {} as long per {unit} as {b} ({figures}; {basis}{rounds_alone}).",
            times(relation.ratio)
        )
    } else {
        format!(
            "{a} is {} faster per {unit} than {b} ({figures}; {}{rounds_alone}).",
            times(1.0 / relation.ratio),
            relation.basis(shown)
        )
    };
    (text, supported)
}

/// Each point whose speed depends on where its parties ran.
fn placement_findings(scenario: &ScenarioView<'_>) -> Vec<Finding> {
    let anchor = view::anchor(&["points", scenario.id]);
    scenario
        .ok_points()
        .filter_map(|point| {
            let sentence = placement::point_sentence(point)?;
            Some(Finding {
                scenario: scenario.id.to_string(),
                text: format!("{} ({}): {sentence}.", scenario.id, point.params.label()),
                anchor: anchor.clone(),
                supported: true,
            })
        })
        .collect()
}

/// Points that report `wall_vs_ideal`: how far a round is from its ideal.
fn against_ideal(scenario: &ScenarioView<'_>) -> Vec<Finding> {
    let anchor = view::anchor(&["points", scenario.id]);
    scenario
        .ok_points()
        .filter_map(|point| {
            let ratio = *point.metrics.get("wall_vs_ideal")?;
            let ideal = *point.metrics.get("ideal_ns")?;
            let median = median(point);
            let text = format!(
                "{} ({}): a round of {} takes {ratio:.2}x the ideal {} ({}).",
                scenario.id,
                point.params.label(),
                short_label(point),
                format_ns(ideal),
                format_ns(median)
            );
            Some(Finding {
                scenario: scenario.id.to_string(),
                text,
                anchor: anchor.clone(),
                supported: true,
            })
        })
        .collect()
}

/// For throughput scenarios: the gain from the smallest to the largest value
/// of the swept parameter, and the parallel efficiency that implies.
fn speedups(scenario: &ScenarioView<'_>) -> Vec<Finding> {
    let Some(param) = scenario.meta.and_then(|m| m.throughput_vs.as_deref()) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for chart in scenario.scalings().into_iter().filter(|c| c.param == param) {
        let anchor = view::anchor(&["scaling", scenario.id, param]);
        for line in &chart.lines {
            let (Some(&(x0, first)), Some(&(x1, last))) = (line.points.first(), line.points.last())
            else {
                continue;
            };
            let relation = relate(first, last);
            let speedup = 1.0 / relation.ratio;
            let supported = relation.differs();
            let efficiency = 100.0 * speedup / (x1 as f64 / x0.max(1) as f64);
            let basis = relation.basis(|x| 1.0 / x);
            let text = if supported {
                format!(
                    "{}: {} reaches {speedup:.2}x the throughput of {param}={x0} at {param}={x1} ({efficiency:.0}% parallel efficiency; {basis}).",
                    scenario.id, line.label
                )
            } else if relation.interval.is_none() {
                format!(
                    "{}: {} from {param}={x0} to {param}={x1}: {speedup:.2}x, no verdict ({basis}).",
                    scenario.id, line.label
                )
            } else {
                format!(
                    "{}: {} gains nothing beyond noise from {param}={x0} to {param}={x1} ({speedup:.2}x; {basis}).",
                    scenario.id, line.label
                )
            };
            found.push(Finding {
                scenario: scenario.id.to_string(),
                text,
                anchor: anchor.clone(),
                supported,
            });
        }
    }
    found
}

/// For scenarios with a serial reference: each parallel point at k = the
/// machine's cores, its speedup over serial with the interval the two 95%
/// intervals imply, and its parallel efficiency.
fn against_serial(scenario: &ScenarioView<'_>, cores: u64) -> Vec<Finding> {
    let Some(param) = scenario.meta.and_then(|m| m.throughput_vs.as_deref()) else {
        return Vec::new();
    };
    let anchor = view::anchor(&["speedup", scenario.id]);
    // Each point against the serial point of its own runtime and work.
    let serial_of = |point: &PointResult| {
        scenario.ok_points().find(|s| {
            s.model == Model::Serial
                && s.runtime.as_ref().map(|r| &r.name) == point.runtime.as_ref().map(|r| &r.name)
                && view::same_work(s, &point.params, Some(param))
        })
    };
    scenario
        .ok_points()
        .filter(|p| p.model != Model::Serial && p.params.0.get(param) == Some(&cores))
        .filter(|p| p.metrics.contains_key("speedup_vs_serial"))
        .filter_map(|point| Some((serial_of(point)?, point)))
        .map(|(serial, point)| {
            let relation = relate(serial, point);
            let speedup = 1.0 / relation.ratio;
            let efficiency = 100.0 * speedup / cores as f64;
            let others = point
                .params
                .0
                .iter()
                .filter(|(name, _)| name.as_str() != param)
                .map(|(name, value)| format!("{name}={value}"))
                .collect::<Vec<_>>()
                .join(",");
            let (id, label) = (scenario.id, short_label(point));
            let basis = relation.basis(|x| 1.0 / x);
            let supported = relation.differs();
            let text = if supported {
                format!("{id} ({others}): {label} at {param}={cores} (the machine's cores) runs {speedup:.2}x as fast as serial ({basis}), {efficiency:.0}% parallel efficiency.")
            } else if relation.interval.is_none() {
                format!("{id} ({others}): {label} at {param}={cores} (the machine's cores): {speedup:.2}x serial, no verdict ({basis}).")
            } else {
                format!("{id} ({others}): {label} at {param}={cores} (the machine's cores) is no faster than serial beyond noise ({speedup:.2}x; {basis}).")
            };
            Finding { scenario: scenario.id.to_string(), text, anchor: anchor.clone(), supported }
        })
        .collect()
}

#[cfg(test)]
#[path = "findings_tests.rs"]
pub(super) mod tests;

#[cfg(test)]
#[path = "findings_placement_tests.rs"]
mod placement_tests;

#[cfg(test)]
#[path = "findings_by_placement_tests.rs"]
mod by_placement_tests;

#[cfg(test)]
#[path = "findings_replication_tests.rs"]
mod replication_tests;
