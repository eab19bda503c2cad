//! The speedup table of a parallel scenario: for each variant/model, the
//! speedup over the run's serial reference (and the parallel efficiency) at
//! each worker count. Read from the `speedup_vs_serial` and
//! `parallel_efficiency` metrics the run stored with each point.

use std::collections::BTreeSet;

use super::view::{ScenarioView, short_label};
use crate::vocab::Model;

/// One row: a variant/model (plus any other varying params) across k.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub label: String,
    /// One per column; `None` where the run has no point.
    pub cells: Vec<Option<Cell>>,
}

/// A point's speed-up over serial.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cell {
    pub speedup: f64,
    /// The 95% interval over the paired rounds (None: measured apart).
    pub interval: Option<(f64, f64)>,
    pub efficiency: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Matrix {
    /// The worker-count parameter the columns are.
    pub param: String,
    pub columns: Vec<u64>,
    pub rows: Vec<Row>,
    /// The largest `machine_busy_pct` of its points: how busy the machine
    /// was while they were measured, at worst.
    pub busiest_pct: Option<f64>,
}

/// The table, when the scenario has a worker-count parameter and at least one
/// point with a speedup against serial.
pub fn matrix(scenario: &ScenarioView<'_>) -> Option<Matrix> {
    let param = scenario.meta?.throughput_vs.clone()?;
    let points: Vec<_> = scenario
        .ok_points()
        .filter(|p| p.model != Model::Serial && p.metrics.contains_key("speedup_vs_serial"))
        .collect();
    if points.is_empty() {
        return None;
    }
    let columns: Vec<u64> = points
        .iter()
        .filter_map(|p| p.params.0.get(&param).copied())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let varying = scenario.varying_params();
    let busiest_pct = points
        .iter()
        .filter_map(|p| p.metrics.get("machine_busy_pct").copied())
        .max_by(f64::total_cmp);
    let mut rows: Vec<Row> = Vec::new();
    for point in points {
        let others: Vec<String> = varying
            .iter()
            .filter(|name| **name != param)
            .filter_map(|name| point.params.0.get(*name).map(|v| format!("{name}={v}")))
            .collect();
        let label = if others.is_empty() {
            short_label(point)
        } else {
            format!("{} {}", short_label(point), others.join(","))
        };
        let Some(column) = point
            .params
            .0
            .get(&param)
            .and_then(|k| columns.iter().position(|c| c == k))
        else {
            continue;
        };
        let row = match rows.iter_mut().find(|r| r.label == label) {
            Some(row) => row,
            None => {
                rows.push(Row {
                    label,
                    cells: vec![None; columns.len()],
                });
                rows.last_mut().expect("just pushed")
            }
        };
        let m = &point.metrics;
        row.cells[column] = Some(Cell {
            speedup: m["speedup_vs_serial"],
            interval: m
                .get("speedup_lo")
                .zip(m.get("speedup_hi"))
                .map(|(lo, hi)| (*lo, *hi)),
            efficiency: m.get("parallel_efficiency").copied(),
        });
    }
    Some(Matrix {
        param,
        columns,
        rows,
        busiest_pct,
    })
}

/// A warning under the table when the machine was busy while its points
/// were measured (`BUSY_SHARE` of a group's wide probes slow, or more).
pub fn busy_note(matrix: &Matrix) -> Option<String> {
    let busy = matrix
        .busiest_pct
        .filter(|&pct| pct >= 100.0 * crate::results::BUSY_SHARE)?;
    Some(format!(
        "the machine was busy while these were measured: up to {busy:.0}% of the drift probes between their rounds found the wide work {:.1}x slower than its fastest in the run or worse (a neighbour on the host's core, which the guest cannot see). Work that keeps every CPU busy can get less speed-up then than on a quiet machine; compare with a run whose header reports few slow wide probes.",
        crate::results::WIDE_SLOW
    ))
}

/// `1.94x (1.90–1.98), 97%`: a cell as people read it, with the interval
/// of the paired rounds, or "unpaired" where it was measured apart.
pub fn cell_text(cell: Option<Cell>) -> String {
    let Some(cell) = cell else {
        return "–".into();
    };
    let interval = match cell.interval {
        Some((lo, hi)) => format!(" ({lo:.2}–{hi:.2})"),
        None => " (unpaired)".into(),
    };
    let efficiency = cell
        .efficiency
        .map_or(String::new(), |e| format!(", {:.0}%", 100.0 * e));
    format!("{:.2}x{interval}{efficiency}", cell.speedup)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matrix(busiest_pct: Option<f64>) -> Matrix {
        Matrix {
            param: "k".into(),
            columns: vec![2],
            rows: Vec::new(),
            busiest_pct,
        }
    }

    #[test]
    fn a_table_measured_on_a_busy_machine_says_so_and_a_quiet_one_does_not() {
        let note = busy_note(&matrix(Some(37.5))).expect("busy");
        assert!(note.contains("up to 38% of the drift probes"), "{note}");
        assert!(note.contains("wide work 1.2x slower"), "{note}");
        assert_eq!(busy_note(&matrix(Some(9.9))), None, "under 10%");
        assert_eq!(busy_note(&matrix(None)), None, "not observed");
    }
}
