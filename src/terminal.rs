//! What concbench prints for a person at a terminal: the scenario list, one
//! line per finished point, and the table at the end of a run.

use std::fmt::Write;

use crate::results::{PointResult, RunResults};
use crate::scenario;
use crate::text::format_ns;

/// Failures shout on the terminal; ok, skipped and expected outcomes do not.
fn status_name(result: &PointResult) -> String {
    if result.is_failure() {
        result.status_text().to_uppercase()
    } else {
        result.status_text()
    }
}

/// `spawn.start/... ok 14.2 µs/worker [13.9 µs, 14.5 µs]`, or the error.
pub fn one_line(result: &PointResult) -> String {
    match (&result.summary, &result.error) {
        (Some(s), _) => format!(
            "{} {} {}/{} {}{}",
            result.id,
            status_name(result),
            format_ns(s.ns_per_op.median),
            result.unit,
            bracketed(s.ns_per_op.interval()),
            placement_note(result)
        ),
        (None, error) => format!(
            "{} {}: {}",
            result.id,
            status_name(result),
            error.as_deref().unwrap_or("")
        ),
    }
}

/// ` (depends on placement: same CPU 2.21 µs, spread over CPUs 9.32 µs)`
/// when the point's samples fall into placement classes of different speed.
pub fn placement_note(result: &PointResult) -> String {
    let Some(classes) = result.own_placement_dependence() else {
        return String::new();
    };
    let each: Vec<String> = classes
        .iter()
        .map(|c| format!("{} {}", c.class.word(), format_ns(c.median)))
        .collect();
    format!(" (depends on placement: {})", each.join(", "))
}

/// `[lo, hi]` of a 95% interval, or `[no interval: < 6 samples]`.
fn bracketed(interval: Option<(f64, f64)>) -> String {
    match interval {
        Some((lo, hi)) => format!("[{}, {}]", format_ns(lo), format_ns(hi)),
        None => "[no interval: < 6 samples]".to_string(),
    }
}

/// The end-of-run table, the harness's own cost, and where the files are.
pub fn run_table(results: &RunResults, dir: &std::path::Path) -> String {
    let width = results
        .results
        .iter()
        .map(|r| r.id.len())
        .max()
        .unwrap_or(2)
        .max(5);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<width$}  {:<10} {:>16}  {:>25}  {:>12}",
        "point", "status", "median", "95% interval", "per second"
    );
    for r in &results.results {
        let status = status_name(r);
        match &r.summary {
            Some(s) => {
                let median = format!("{}/{}", format_ns(s.ns_per_op.median), r.unit);
                let interval = bracketed(s.ns_per_op.interval());
                let _ = writeln!(
                    out,
                    "{:<width$}  {status:<10} {median:>16}  {interval:>25}  {:>12.0}",
                    r.id, s.ops_per_s
                );
            }
            None => {
                let _ = writeln!(
                    out,
                    "{:<width$}  {status:<10} {}",
                    r.id,
                    r.error.as_deref().unwrap_or("")
                );
            }
        }
    }
    let wall: u64 = results
        .results
        .iter()
        .filter_map(|r| r.resources.as_ref())
        .map(|r| r.wall_ns)
        .sum();
    if wall > 0 && results.harness.sampler_cpu_ns > 0 {
        let share = 100.0 * results.harness.sampler_cpu_ns as f64 / wall as f64;
        let _ = writeln!(
            out,
            "\nsampler cost: {share:.3}% of one core over {} measured",
            format_ns(wall as f64)
        );
    }
    if let Some(line) = drift_line(&results.harness) {
        let _ = writeln!(out, "{line}");
    }
    if let Some(environment) = &results.environment {
        for warning in environment.warnings(results.host.logical_cores) {
            let _ = writeln!(out, "warning: {warning}");
        }
    }
    let _ = writeln!(out, "results: {}", dir.join("results.json").display());
    let _ = writeln!(out, "report:  {}", dir.join("report.html").display());
    out
}

/// How much the machine's speed moved over the run (the drift monitor), and
/// what watching it cost; None without at least two probes.
pub fn drift_line(harness: &crate::results::HarnessInfo) -> Option<String> {
    let speeds = harness.relative_speed();
    let span_ms = speeds.last()?.0.max(1);
    if speeds.len() < 2 {
        return None;
    }
    let (lo, hi) = speeds
        .iter()
        .fold((f64::INFINITY, 0.0f64), |(lo, hi), &(_, s)| {
            (lo.min(s), hi.max(s))
        });
    let cost = 100.0 * harness.drift_cost_ns as f64 / (span_ms as f64 * 1e6);
    Some(format!(
        "machine speed (drift monitor, {} probes): {lo:.2}x to {hi:.2}x of its median over the run{}; the probes took {cost:.2}% of it",
        speeds.len(),
        wide_clause(harness)
    ))
}

/// What the wide probe saw, when some of its readings were slow: "; the
/// wide probe ... read 1.2x its fastest or slower in 5 of 40 probes (up to
/// 1.73x) ...". Empty when none were, or no probe timed it.
fn wide_clause(harness: &crate::results::HarnessInfo) -> String {
    match harness.wide_slowdowns() {
        Some((slow, worst, probes)) if slow > 0 => format!(
            "; the wide probe (throughput-bound work, which a busy neighbour on the host's core slows and the chain does not feel) read {:.1}x its fastest or slower in {slow} of {probes} probes (up to {worst:.2}x)",
            crate::results::WIDE_SLOW
        ),
        _ => String::new(),
    }
}

/// `concbench list`: every scenario with its variants, models and params.
pub fn scenario_list() -> String {
    let mut out = String::new();
    for scenario in scenario::registry::all() {
        let info = scenario.info();
        let _ = writeln!(
            out,
            "{}  [{}]  {}",
            info.id,
            info.family.name(),
            info.summary
        );
        let _ = writeln!(out, "  unit: {}", info.unit);
        let _ = writeln!(out, "  variants:");
        // Columns as wide as this scenario's longest name, so none overflows.
        let name_width = info
            .all_variants()
            .map(|v| v.name.len())
            .max()
            .unwrap_or(0)
            .max(16);
        for v in info.all_variants() {
            let models: Vec<&str> = v.models.iter().map(|m| m.name()).collect();
            let _ = writeln!(
                out,
                "    {:<name_width$} {:<14} {}",
                v.name,
                models.join(","),
                v.summary
            );
        }
        if !info.params.is_empty() {
            let _ = writeln!(out, "  params:");
            for p in info.params {
                let range = format!("{}..={}", p.min, p.max);
                let _ = writeln!(
                    out,
                    "    {:<16} default {:<8} range {:<16} {}",
                    p.name, p.default, range, p.help
                );
            }
        }
        out.push('\n');
    }
    out
}
