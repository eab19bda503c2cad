//! The core-to-core matrix (`switch.c2c`) as a report reads it: each
//! variant and model's cells (a pair of CPUs, its median round trip, its
//! topology class), each class's figure over the samples of its pairs, the
//! answer to "what does sharing a cache line between two cores cost here?",
//! and the matrix's class named where other points' observed placement
//! matches one.

use std::collections::BTreeMap;

use crate::host::{PairClass, Topology};
use crate::results::{Estimate, PlacementClass, PointResult, RunResults};
use crate::text::format_ns;
use crate::vocab::{Model, Status};

pub const SCENARIO: &str = "switch.c2c";
/// The variant and model the answer and the placement names quote.
const HEADLINE: (&str, Model) = ("cas_pingpong", Model::Thread);

/// One pair's figure.
#[derive(Debug, Clone)]
pub struct Cell {
    pub a: u32,
    pub b: u32,
    pub class: Option<PairClass>,
    /// Median ns per round trip, None when the point failed.
    pub median: Option<f64>,
    pub id: String,
}

/// One class's figure: the median ns per round trip over all its pairs'
/// samples, that median's 95% interval, and the range of its pairs' medians.
#[derive(Debug, Clone)]
pub struct ClassRow {
    pub class: PairClass,
    pub pairs: usize,
    pub estimate: Estimate,
    pub pair_range: (f64, f64),
}

/// One variant and model's matrix.
#[derive(Debug, Clone)]
pub struct Matrix {
    pub variant: String,
    pub model: Model,
    pub cpus: Vec<u32>,
    pub cells: Vec<Cell>,
    pub classes: Vec<ClassRow>,
}

/// The run's matrices, headline first; empty when the run has no c2c points.
pub fn matrices(results: &RunResults) -> Vec<Matrix> {
    let points: Vec<&PointResult> = results
        .results
        .iter()
        .filter(|p| p.scenario == SCENARIO && p.status != Status::Skipped)
        .collect();
    let mut kinds: Vec<(String, Model)> = points
        .iter()
        .map(|p| (p.variant.clone(), p.model))
        .collect();
    kinds.sort_by_key(|(v, m)| ((v.as_str(), *m) != HEADLINE, v.clone(), m.name()));
    kinds.dedup();
    kinds
        .into_iter()
        .map(|(variant, model)| {
            let own: Vec<&PointResult> = points
                .iter()
                .copied()
                .filter(|p| p.variant == variant && p.model == model)
                .collect();
            build(variant, model, &own, results.topology.as_ref())
        })
        .collect()
}

fn build(variant: String, model: Model, points: &[&PointResult], map: Option<&Topology>) -> Matrix {
    let cpu = |p: &PointResult, name: &str| p.params.0.get(name).map(|&v| v as u32);
    let cells: Vec<Cell> = points
        .iter()
        .filter_map(|p| {
            let (a, b) = (cpu(p, "cpu_a")?, cpu(p, "cpu_b")?);
            let class = map
                .and_then(|m| m.classify(a, b))
                .or_else(|| PairClass::from_index(*p.metrics.get("pair_class")?));
            let median = (p.status == Status::Ok)
                .then(|| p.summary.as_ref().map(|s| s.ns_per_op.median))
                .flatten();
            Some(Cell {
                a,
                b,
                class,
                median,
                id: p.id.clone(),
            })
        })
        .collect();
    let mut cpus: Vec<u32> = cells.iter().flat_map(|c| [c.a, c.b]).collect();
    cpus.sort_unstable();
    cpus.dedup();
    let classes = class_rows(points, &cells);
    Matrix {
        variant,
        model,
        cpus,
        cells,
        classes,
    }
}

fn class_rows(points: &[&PointResult], cells: &[Cell]) -> Vec<ClassRow> {
    let mut by_class: BTreeMap<PairClass, (Vec<f64>, Vec<f64>)> = BTreeMap::new();
    for (point, cell) in points.iter().zip(cells) {
        let (Some(class), Some(median)) = (cell.class, cell.median) else {
            continue;
        };
        let (samples, medians) = by_class.entry(class).or_default();
        medians.push(median);
        samples.extend(
            point
                .samples
                .iter()
                .map(|s| s.ns as f64 / s.ops.max(1) as f64),
        );
    }
    by_class
        .into_iter()
        .filter(|(_, (samples, _))| !samples.is_empty())
        .map(|(class, (samples, medians))| ClassRow {
            class,
            pairs: medians.len(),
            estimate: Estimate::of(&samples),
            pair_range: (
                medians.iter().copied().fold(f64::INFINITY, f64::min),
                medians.iter().copied().fold(0.0, f64::max),
            ),
        })
        .collect()
}

impl Matrix {
    /// `cas_pingpong, threads`.
    pub fn title(&self) -> String {
        format!("{}, {}", self.variant, self.model.name())
    }

    /// All pairs or a sample, and of how many.
    pub fn coverage(&self, map: Option<&Topology>) -> String {
        let n = map.map_or(self.cpus.len(), |m| m.cpus.len());
        let (measured, all) = (self.cells.len(), n * n);
        if measured >= all {
            format!("all {all} ordered pairs of the {n} CPUs this process may run on")
        } else {
            format!(
                "a stratified sample: {measured} of the {all} ordered pairs of {n} CPUs, the same number from each class"
            )
        }
    }

    pub fn class(&self, class: PairClass) -> Option<&ClassRow> {
        self.classes.iter().find(|r| r.class == class)
    }
}

/// What a class's row says in a sentence: `205 ns (95% interval 201-240 ns, 2 pairs)`.
pub fn figure(row: &ClassRow) -> String {
    let interval = match row.estimate.interval() {
        Some((lo, hi)) => format!("95% interval {}–{}", format_ns(lo), format_ns(hi)),
        None => "too few samples for an interval".to_string(),
    };
    let pairs = if row.pairs == 1 { "pair" } else { "pairs" };
    format!(
        "{} ({interval}, {} {pairs})",
        format_ns(row.estimate.median),
        row.pairs
    )
}

/// The answer: each class's round trip, nearest first, and one way.
pub fn answer(matrices: &[Matrix]) -> Option<String> {
    let m = matrices.first()?;
    let between: Vec<String> = m
        .classes
        .iter()
        .filter(|r| r.class != PairClass::SameCpu)
        .map(|r| format!("{} between CPUs of {}", figure(r), r.class.words()))
        .collect();
    let first = m.classes.iter().find(|r| r.class != PairClass::SameCpu)?;
    let mut text = format!(
        "A round trip of one cache line ({}) costs {}; one way is half that, about {}.",
        m.title(),
        between.join("; "),
        format_ns(first.estimate.median / 2.0)
    );
    if let Some(same) = m.class(PairClass::SameCpu) {
        text.push_str(&format!(
            " On one CPU the two sides take turns (each yields while it waits): {} per round trip.",
            format_ns(same.estimate.median)
        ));
    }
    Some(text)
}

/// Where other points' observed placement matches a class of the matrix:
/// one line per class, naming how many points ran that way in most samples
/// and the matrix's figure for it.
pub fn placement_matches(results: &RunResults, matrices: &[Matrix]) -> Vec<String> {
    let Some(m) = matrices.first() else {
        return Vec::new();
    };
    let mut counts: BTreeMap<PairClass, Vec<&str>> = BTreeMap::new();
    for point in results.results.iter().filter(|p| p.scenario != SCENARIO) {
        if let Some(class) = observed_class(point, results.topology.as_ref()) {
            counts.entry(class).or_default().push(&point.id);
        }
    }
    counts
        .into_iter()
        .filter_map(|(class, ids)| {
            let row = m.class(class)?;
            let points = if ids.len() == 1 { "point" } else { "points" };
            Some(format!(
                "{} other {points} ran their parties on {} in most samples (e.g. {}): the matrix's {} class, {} per round trip ({}).",
                ids.len(),
                if class == PairClass::SameCpu { "one CPU".to_string() } else { format!("two CPUs of {}", class.words()) },
                ids[0],
                class.words(),
                format_ns(row.estimate.median),
                m.title()
            ))
        })
        .collect()
}

/// The matrix class of a point's placement in at least 80% of its samples:
/// all on one CPU, or exactly two CPUs whose pair the map classifies.
pub fn observed_class(point: &PointResult, map: Option<&Topology>) -> Option<PairClass> {
    let samples = &point.placement.as_ref()?.samples;
    let classes: Vec<PairClass> = samples
        .iter()
        .filter_map(|s| match s.class {
            PlacementClass::SameCpu => Some(PairClass::SameCpu),
            PlacementClass::Spread => {
                let mut cpus: Vec<u32> = s.cpus_start.iter().chain(&s.cpus_end).copied().collect();
                cpus.sort_unstable();
                cpus.dedup();
                match cpus[..] {
                    [a, b] => map?.classify(a, b),
                    _ => None,
                }
            }
            _ => None,
        })
        .collect();
    let first = *classes.first()?;
    let agreeing = classes.iter().filter(|&&c| c == first).count();
    (samples.len() >= 2 && agreeing as f64 >= 0.8 * samples.len() as f64).then_some(first)
}

#[cfg(test)]
#[path = "matrix_tests.rs"]
mod tests;
