//! A run as reports see it: points grouped by family and scenario, the group
//! each scenario is compared at, and its scaling series. Derived from the
//! results file alone, so families added later need no report changes.

use std::collections::BTreeSet;

use crate::results::{PointResult, RunResults, ScenarioMeta};
use crate::vocab::Status;
use crate::vocab::{Family, Params};

/// One scenario's points, in run order.
pub struct ScenarioView<'a> {
    pub id: &'a str,
    pub family: Family,
    pub meta: Option<&'a ScenarioMeta>,
    pub points: Vec<&'a PointResult>,
}

/// A line of a scaling chart: one variant/model (and fixed other params)
/// across the values of the swept parameter, sorted by that value.
pub struct Line<'a> {
    pub label: String,
    pub points: Vec<(u64, &'a PointResult)>,
}

/// The lines of one scaling chart: `param` swept.
pub struct Scaling<'a> {
    pub param: String,
    pub lines: Vec<Line<'a>>,
}

/// Scenarios grouped by family, both in the order the run met them.
pub fn families(results: &RunResults) -> Vec<(Family, Vec<ScenarioView<'_>>)> {
    let mut families: Vec<(Family, Vec<ScenarioView<'_>>)> = Vec::new();
    for point in &results.results {
        let family = match families.iter_mut().find(|(f, _)| *f == point.family) {
            Some(entry) => entry,
            None => {
                families.push((point.family, Vec::new()));
                families.last_mut().expect("just pushed")
            }
        };
        match family.1.iter_mut().find(|s| s.id == point.scenario) {
            Some(scenario) => scenario.points.push(point),
            None => family.1.push(ScenarioView {
                id: &point.scenario,
                family: point.family,
                meta: results.scenarios.get(&point.scenario),
                points: vec![point],
            }),
        }
    }
    families
}

/// `variant/model`: how a point is named inside its scenario.
pub fn short_label(point: &PointResult) -> String {
    format!("{}/{}", point.variant, point.model.name())
}

impl<'a> ScenarioView<'a> {
    pub fn unit(&self) -> &'a str {
        self.points.first().map_or("op", |p| p.unit.as_str())
    }

    pub fn ok_points(&self) -> impl Iterator<Item = &'a PointResult> + '_ {
        self.points
            .iter()
            .copied()
            .filter(|p| p.status == Status::Ok && p.summary.is_some())
    }

    /// The parameter set to compare variants at, and its ok points: the
    /// scenario's defaults when the run has them, else the set most points
    /// share (the first such in run order).
    pub fn comparison(&self) -> Option<(&'a Params, Vec<&'a PointResult>)> {
        let ok: Vec<&PointResult> = self.ok_points().collect();
        let at = |params: &Params| {
            ok.iter()
                .copied()
                .filter(|p| &p.params == params)
                .collect::<Vec<_>>()
        };
        if let Some(meta) = self.meta {
            let defaults = ok.iter().find(|p| p.params == meta.defaults);
            if let Some(point) = defaults {
                return Some((&point.params, at(&point.params)));
            }
        }
        let best = ok.iter().max_by_key(|p| {
            (
                at(&p.params).len(),
                std::cmp::Reverse(first_index(&ok, &p.params)),
            )
        })?;
        Some((&best.params, at(&best.params)))
    }

    /// Every parameter set of the ok points but the comparison point's, in
    /// run order, each with its ok points.
    pub fn parameter_sets(&self) -> Vec<(&'a Params, Vec<&'a PointResult>)> {
        let compared = self.comparison().map(|(params, _)| params);
        let mut sets: Vec<(&'a Params, Vec<&'a PointResult>)> = Vec::new();
        for point in self.ok_points() {
            if Some(&point.params) == compared {
                continue;
            }
            match sets.iter_mut().find(|(params, _)| **params == point.params) {
                Some((_, points)) => points.push(point),
                None => sets.push((&point.params, vec![point])),
            }
        }
        sets
    }

    /// One scaling chart per parameter that takes two or more values among
    /// the ok points; lines with a single point are left out.
    pub fn scalings(&self) -> Vec<Scaling<'a>> {
        let ok: Vec<&PointResult> = self.ok_points().collect();
        let names: BTreeSet<&str> = ok
            .iter()
            .flat_map(|p| p.params.0.keys().map(String::as_str))
            .collect();
        let mut charts = Vec::new();
        for name in names {
            let values: BTreeSet<u64> = ok
                .iter()
                .filter_map(|p| p.params.0.get(name).copied())
                .collect();
            if values.len() < 2 {
                continue;
            }
            let varying: Vec<&str> = self
                .varying_params()
                .into_iter()
                .filter(|n| *n != name)
                .collect();
            let mut lines: Vec<Line<'a>> = Vec::new();
            for point in &ok {
                let Some(&x) = point.params.0.get(name) else {
                    continue;
                };
                let others: Vec<String> = varying
                    .iter()
                    .filter_map(|n| point.params.0.get(*n).map(|v| format!("{n}={v}")))
                    .collect();
                let label = std::iter::once(short_label(point))
                    .chain(others)
                    .collect::<Vec<_>>()
                    .join(" ");
                match lines.iter_mut().find(|l| l.label == label) {
                    Some(line) => line.points.push((x, point)),
                    None => lines.push(Line {
                        label,
                        points: vec![(x, point)],
                    }),
                }
            }
            lines.retain(|l| l.points.len() >= 2);
            for line in &mut lines {
                line.points.sort_by_key(|(x, _)| *x);
            }
            if !lines.is_empty() {
                charts.push(Scaling {
                    param: name.to_string(),
                    lines,
                });
            }
        }
        charts
    }

    /// Parameters that take more than one value in this scenario.
    pub fn varying_params(&self) -> Vec<&'a str> {
        let names: BTreeSet<&str> = self
            .points
            .iter()
            .flat_map(|p| p.params.0.keys().map(String::as_str))
            .collect();
        names
            .into_iter()
            .filter(|n| {
                self.points
                    .iter()
                    .filter_map(|p| p.params.0.get(*n))
                    .collect::<BTreeSet<_>>()
                    .len()
                    > 1
            })
            .collect()
    }
}

fn first_index(points: &[&PointResult], params: &Params) -> usize {
    points
        .iter()
        .position(|p| &p.params == params)
        .unwrap_or(usize::MAX)
}

/// Points that did not measure (or did not show the outcome they were meant
/// to), with their reasons, in run order.
pub fn problems(results: &RunResults) -> Vec<&PointResult> {
    results
        .results
        .iter()
        .filter(|p| p.status != Status::Ok || p.is_failure())
        .collect()
}

/// An HTML id fragment for a chart of a scenario (ids keep only [a-z0-9-]).
pub fn anchor(parts: &[&str]) -> String {
    let joined = parts.join("-");
    joined
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}

/// Whether `point` did the same work as one with `params`: they match,
/// apart from the worker count `throughput_vs`.
pub fn same_work(
    point: &PointResult,
    params: &crate::vocab::Params,
    throughput_vs: Option<&str>,
) -> bool {
    point.params.0.iter().all(|(name, value)| {
        Some(name.as_str()) == throughput_vs || params.0.get(name) == Some(value)
    })
}
