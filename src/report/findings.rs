//! Conclusions the data supports, each with its numbers and the chart it
//! comes from. A difference is stated only when the two 95% intervals do not
//! overlap; otherwise the finding says the difference is within noise.

use super::view::{self, ScenarioView, short_label};
use crate::results::{PointResult, RunResults};
use crate::text::format_ns;
use crate::vocab::Model;

/// One conclusion, with the anchor of the chart that shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub text: String,
    pub anchor: String,
    /// False when the finding is that a difference is within noise.
    pub supported: bool,
}

/// Every finding of the run, scenario by scenario.
pub fn findings(results: &RunResults) -> Vec<Finding> {
    let mut found = Vec::new();
    for (_, scenarios) in view::families(results) {
        for scenario in &scenarios {
            found.extend(comparisons(scenario));
            found.extend(against_ideal(scenario));
            found.extend(speedups(scenario));
            found.extend(against_serial(scenario, results.host.logical_cores as u64));
        }
    }
    found
}

fn interval(point: &PointResult) -> (f64, f64, f64) {
    point.summary.as_ref().map_or((0.0, 0.0, 0.0), |s| {
        (s.ns_per_op.median, s.ns_per_op.ci95_lo, s.ns_per_op.ci95_hi)
    })
}

/// Whether two [lo, hi] intervals are disjoint.
pub fn disjoint(a: (f64, f64), b: (f64, f64)) -> bool {
    a.1 < b.0 || b.1 < a.0
}

/// Each variant at the comparison point against the first one of the run.
fn comparisons(scenario: &ScenarioView<'_>) -> Vec<Finding> {
    let Some((params, points)) = scenario.comparison() else {
        return Vec::new();
    };
    let Some((reference, others)) = points.split_first() else {
        return Vec::new();
    };
    let anchor = view::anchor(&["bars", scenario.id]);
    let (ref_median, ref_lo, ref_hi) = interval(reference);
    let at = if params.0.is_empty() {
        String::new()
    } else {
        format!(" ({})", params.label())
    };
    let unit = scenario.unit();
    others
        .iter()
        .map(|other| {
            let (median, lo, hi) = interval(other);
            let (a, b) = (short_label(other), short_label(reference));
            let figures = format!("{} vs {}", format_ns(median), format_ns(ref_median));
            let supported = disjoint((lo, hi), (ref_lo, ref_hi));
            let text = if !supported {
                format!("{}{at}: {a} and {b} are within noise of each other ({figures} per {unit}; the 95% intervals overlap).", scenario.id)
            } else if median >= ref_median {
                format!("{}{at}: {a} takes {:.2}x as long per {unit} as {b} ({figures}).", scenario.id, median / ref_median)
            } else {
                format!("{}{at}: {a} is {} faster per {unit} than {b} ({figures}).", scenario.id, times(ref_median / median))
            };
            Finding { text, anchor: anchor.clone(), supported }
        })
        .collect()
}

/// `3.2x`, or `198x` once the ratio is large.
fn times(ratio: f64) -> String {
    if ratio >= 10.0 {
        format!("{ratio:.0}x")
    } else {
        format!("{ratio:.2}x")
    }
}

/// Points that report `wall_vs_ideal`: how far a round is from its ideal.
fn against_ideal(scenario: &ScenarioView<'_>) -> Vec<Finding> {
    let anchor = view::anchor(&["points", scenario.id]);
    scenario
        .ok_points()
        .filter_map(|point| {
            let ratio = *point.metrics.get("wall_vs_ideal")?;
            let ideal = *point.metrics.get("ideal_ns")?;
            let (median, _, _) = interval(point);
            let text = format!(
                "{} ({}): a round of {} takes {ratio:.2}x the ideal {} ({}).",
                scenario.id,
                point.params.label(),
                short_label(point),
                format_ns(ideal),
                format_ns(median)
            );
            Some(Finding {
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
            let ((m0, lo0, hi0), (m1, lo1, hi1)) = (interval(first), interval(last));
            let speedup = m0 / m1;
            let supported = disjoint((lo0, hi0), (lo1, hi1));
            let efficiency = 100.0 * speedup / (x1 as f64 / x0.max(1) as f64);
            let text = if supported {
                format!(
                    "{}: {} reaches {speedup:.2}x the throughput of {param}={x0} at {param}={x1} ({efficiency:.0}% parallel efficiency).",
                    scenario.id, line.label
                )
            } else {
                format!(
                    "{}: {} gains nothing beyond noise from {param}={x0} to {param}={x1} ({speedup:.2}x).",
                    scenario.id, line.label
                )
            };
            found.push(Finding {
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
    let Some(serial) = scenario.ok_points().find(|p| p.model == Model::Serial) else {
        return Vec::new();
    };
    let (serial_ns, serial_lo, serial_hi) = interval(serial);
    let anchor = view::anchor(&["speedup", scenario.id]);
    scenario
        .ok_points()
        .filter(|p| p.model != Model::Serial && p.params.0.get(param) == Some(&cores))
        .filter(|p| p.metrics.contains_key("speedup_vs_serial"))
        .map(|point| {
            let (median, lo, hi) = interval(point);
            let speedup = serial_ns / median;
            let efficiency = 100.0 * speedup / cores as f64;
            let others = point
                .params
                .0
                .iter()
                .filter(|(name, _)| name.as_str() != param)
                .map(|(name, value)| format!("{name}={value}"))
                .collect::<Vec<_>>()
                .join(",");
            Finding {
                text: format!(
                    "{} ({others}): {} at {param}={cores} (the machine's cores) runs {speedup:.2}x as fast as serial (95% interval {:.2}–{:.2}), {efficiency:.0}% parallel efficiency.",
                    scenario.id,
                    short_label(point),
                    serial_lo / hi.max(f64::MIN_POSITIVE),
                    serial_hi / lo.max(f64::MIN_POSITIVE),
                ),
                anchor: anchor.clone(),
                supported: true,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::disjoint;

    #[test]
    fn touching_or_overlapping_intervals_are_not_disjoint() {
        assert!(disjoint((1.0, 2.0), (2.5, 3.0)));
        assert!(!disjoint((1.0, 2.0), (2.0, 3.0)));
        assert!(!disjoint((1.0, 5.0), (2.0, 3.0)));
    }
}
