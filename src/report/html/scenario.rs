//! One scenario's part of report.html: the comparison bars at its default
//! point, its scaling charts, its table, and each point's utilisation
//! heatmap, latency percentiles and resources.

use std::fmt::Write;

use super::points::{self, bytes};
use crate::report::plot::{self, bars};
use crate::report::speedup;
use crate::report::view::{self, ScenarioView, short_label};
use crate::results::PointResult;
use crate::text::escape;
use crate::text::format_ns;

/// `findings`: the scenario's findings, drawn first. `detail`: how each
/// point's own figures are drawn (charts, or one compact table).
pub fn block(
    s: &ScenarioView<'_>,
    findings: &str,
    detail: points::Detail,
) -> anyhow::Result<String> {
    let summary = s.meta.map_or("", |m| m.summary.as_str());
    let mut out = format!(
        "<article id=\"{}\"><h3>{}</h3><p>{}</p>",
        view::anchor(&["scenario", s.id]),
        escape(s.id),
        escape(summary)
    );
    out.push_str(findings);
    out.push_str(&bars_figure(s)?);
    out.push_str(&super::runtimes::figures(s)?);
    for scaling in s.scalings() {
        out.push_str(&scaling_figures(s, scaling)?);
    }
    out.push_str(&speedup_table(s));
    out.push_str(&table(s));
    let _ = write!(out, "<div id=\"{}\">", view::anchor(&["points", s.id]));
    out.push_str(&points::section(&s.points, detail)?);
    out.push_str("</div></article>");
    Ok(out)
}

/// Parameters whose values are categories, not quantities: a line across
/// them would suggest values in between.
const CATEGORICAL: &[&str] = &["pinned_cores", "all_hold_first"];

/// The most lines one chart carries; more are split into small multiples.
const MOST_LINES: usize = 6;

/// One swept parameter: grouped bars for a categorical one, else line
/// charts of at most `MOST_LINES` lines each.
fn scaling_figures(s: &ScenarioView<'_>, scaling: view::Scaling<'_>) -> anyhow::Result<String> {
    let anchor = view::anchor(&["scaling", s.id, &scaling.param]);
    if CATEGORICAL.contains(&scaling.param.as_str()) {
        return Ok(format!(
            "<figure id=\"{anchor}\">{}</figure>",
            grouped_bars(s, &scaling)?
        ));
    }
    let throughput = s.meta.and_then(|m| m.throughput_vs.as_deref());
    let as_throughput = throughput == Some(scaling.param.as_str());
    let view::Scaling { param, lines } = scaling;
    let parts = lines.len().div_ceil(MOST_LINES).max(1);
    let per_part = lines.len().div_ceil(parts).max(1);
    let mut out = format!("<figure id=\"{anchor}\">");
    let mut lines = lines.into_iter();
    for part in 1..=parts {
        let chunk: Vec<view::Line<'_>> = lines.by_ref().take(per_part).collect();
        let of = if parts > 1 {
            format!(" ({part} of {parts})")
        } else {
            String::new()
        };
        let title = format!(
            "{}: {} against {param}{of}",
            s.id,
            if as_throughput { "throughput" } else { "cost" },
        );
        let small = view::Scaling {
            param: param.clone(),
            lines: chunk,
        };
        out.push_str(&plot::scaling::chart(
            &title,
            &small,
            s.unit(),
            as_throughput,
        )?);
    }
    out.push_str("</figure>");
    Ok(out)
}

/// A categorical parameter: one bar per line and category, the bars of a
/// line together and each category in its own colour.
fn grouped_bars(s: &ScenarioView<'_>, scaling: &view::Scaling<'_>) -> anyhow::Result<String> {
    let mut categories: Vec<u64> = scaling
        .lines
        .iter()
        .flat_map(|l| l.points.iter().map(|(v, _)| *v))
        .collect();
    categories.sort_unstable();
    categories.dedup();
    let bars: Vec<bars::Bar> = scaling
        .lines
        .iter()
        .flat_map(|line| line.points.iter().map(move |(v, p)| (line, *v, *p)))
        .filter_map(|(line, value, p)| {
            let e = &p.summary.as_ref()?.ns_per_op;
            let colour = categories.iter().position(|c| *c == value).unwrap_or(0);
            Some(bars::Bar {
                label: format!("{} · {}={value}", line.label, scaling.param),
                value: e.median,
                interval: e.interval(),
                colour: plot::colour(colour),
                text: format_ns(e.median),
            })
        })
        .collect();
    let title = format!("{}: time per {} by {}", s.id, s.unit(), scaling.param);
    let x_desc = format!("time per {} (95% interval)", s.unit());
    let options = bars::BarChart {
        title: &title,
        x_desc: &x_desc,
        reference: None,
        tick: &format_ns,
    };
    bars::chart(&options, &bars)
}

/// Where each point's parties mostly ran (`placement::placement_of`), for
/// its bar's label; all None unless the points ran in more than one
/// placement, where the bars alone would set unlike beside unlike.
fn placement_labels(points: &[&PointResult]) -> Vec<Option<String>> {
    let placed: Vec<Option<String>> = points
        .iter()
        .map(|p| crate::report::placement::placement_of(p))
        .collect();
    let kinds: std::collections::BTreeSet<&String> = placed.iter().flatten().collect();
    if kinds.len() > 1 {
        placed
    } else {
        vec![None; points.len()]
    }
}

/// The variants compared at the scenario's default point, as bars.
fn bars_figure(s: &ScenarioView<'_>) -> anyhow::Result<String> {
    let mut out = String::new();
    if let Some((params, points)) = s.comparison().filter(|(_, p)| !p.is_empty()) {
        // The point's parameters go under the chart, where the page wraps
        // them: in the chart's own title a long list ran off both sides.
        let placed = placement_labels(&points);
        let mut said = Vec::new();
        if !params.0.is_empty() {
            said.push(format!("at {}", params.label().replace(',', ", ")));
        }
        if placed.iter().any(Option::is_some) {
            said.push("in brackets, where a point's parties mostly ran: bars in different placements are not like with like".to_string());
        }
        let caption = if said.is_empty() {
            String::new()
        } else {
            format!("<figcaption>{}</figcaption>", escape(&said.join("; ")))
        };
        let title = format!("{}: median time per {} (95% interval)", s.id, s.unit());
        let bars: Vec<bars::Bar> = points
            .iter()
            .enumerate()
            .filter_map(|(i, p)| {
                let e = &p.summary.as_ref()?.ns_per_op;
                Some(bars::Bar {
                    label: match &placed[i] {
                        Some(place) => format!("{} ({place})", short_label(p)),
                        None => short_label(p),
                    },
                    value: e.median,
                    interval: e.interval(),
                    colour: plot::colour(i),
                    text: format_ns(e.median),
                })
            })
            .collect();
        let x_desc = format!("time per {}", s.unit());
        let options = bars::BarChart {
            title: &title,
            x_desc: &x_desc,
            reference: None,
            tick: &format_ns,
        };
        let _ = write!(
            out,
            "<figure id=\"{}\">{}{caption}</figure>",
            view::anchor(&["bars", s.id]),
            bars::chart(&options, &bars)?
        );
    }
    Ok(out)
}

/// Speedup over the run's serial reference by variant and worker count.
fn speedup_table(s: &ScenarioView<'_>) -> String {
    let Some(matrix) = speedup::matrix(s) else {
        return String::new();
    };
    let mut out = format!(
        "<table class=\"points\" id=\"{}\"><caption>speed-up over the serial point of the same runtime (95% interval over the paired rounds), parallel efficiency, by {}</caption><tr><th>variant/model</th>",
        view::anchor(&["speedup", s.id]),
        escape(&matrix.param)
    );
    for k in &matrix.columns {
        let _ = write!(out, "<th>{}={k}</th>", escape(&matrix.param));
    }
    out.push_str("</tr>");
    for row in &matrix.rows {
        let _ = write!(out, "<tr><td><code>{}</code></td>", escape(&row.label));
        for cell in &row.cells {
            let _ = write!(out, "<td class=\"num\">{}</td>", speedup::cell_text(*cell));
        }
        out.push_str("</tr>");
    }
    out.push_str("</table>");
    if let Some(note) = speedup::busy_note(&matrix) {
        let _ = write!(
            out,
            "<p class=\"warn\">⚠ {}</p>",
            escape(&crate::text::upper_first(&note))
        );
    }
    out
}

fn table(s: &ScenarioView<'_>) -> String {
    let mut out = String::from(
        "<table class=\"points\"><tr><th>point</th><th>status</th><th>median</th><th>95% interval</th><th>per second</th><th>samples</th><th>derived</th></tr>",
    );
    for p in &s.points {
        let class = if p.is_failure() { " class=\"bad\"" } else { "" };
        let (median, interval, rate) = match &p.summary {
            Some(sum) => (
                format!("{}/{}", format_ns(sum.ns_per_op.median), p.unit),
                match sum.ns_per_op.interval() {
                    Some((lo, hi)) => format!("{} – {}", format_ns(lo), format_ns(hi)),
                    None => "— (under 6 samples)".to_string(),
                },
                plot::format_count(sum.ops_per_s),
            ),
            None => (String::new(), String::new(), String::new()),
        };
        let derived: Vec<String> = p
            .metrics
            .iter()
            .map(|(k, v)| format!("{k} {}", metric_value(k, *v)))
            .collect();
        let _ = write!(
            out,
            "<tr{class}><td><code>{}</code></td><td>{}</td><td class=\"num\">{median}</td><td class=\"num\">{interval}</td><td class=\"num\">{rate}</td><td class=\"num\">{}</td><td>{}</td></tr>",
            escape(&row_label(p)),
            p.status_text(),
            p.samples.len(),
            escape(&derived.join(", "))
        );
    }
    out.push_str("</table>");
    out
}

/// `variant/model params`: a table row names its whole point.
fn row_label(p: &PointResult) -> String {
    if p.params.0.is_empty() {
        short_label(p)
    } else {
        format!("{} {}", short_label(p), p.params.label())
    }
}

/// A derived metric in its natural unit, judged by its name.
fn metric_value(name: &str, value: f64) -> String {
    if name.ends_with("_ns") || name.contains("_ns_") {
        format_ns(value)
    } else if name.ends_with("_bytes") {
        bytes(value)
    } else {
        format!("{value:.3}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::{Observation, PlacementClass, SamplePlacement};
    use crate::vocab::Family;

    fn placed(variant: &str, ns: f64, class: PlacementClass) -> PointResult {
        let mut p = crate::report::findings::tests::point(ns, &[1.0; 8], Some("g"));
        p.variant = variant.into();
        p.placement = Some(Observation {
            samples: vec![SamplePlacement::new(class); 8],
            ..Observation::default()
        });
        p
    }

    fn figure(points: &[PointResult]) -> String {
        let view = ScenarioView {
            id: "x",
            family: Family::Switch,
            meta: None,
            points: points.iter().collect(),
        };
        bars_figure(&view).expect("drawn")
    }

    #[test]
    fn bars_of_points_in_different_placements_say_where_each_ran() {
        use PlacementClass::{SameCpu, Spread};
        let drawn = figure(&[placed("a", 8500.0, Spread), placed("b", 1300.0, SameCpu)]);
        assert!(drawn.contains("a/thread (spread over CPUs)"), "{drawn}");
        assert!(drawn.contains("b/thread (on one CPU)"), "{drawn}");
        assert!(drawn.contains("not like with like"), "{drawn}");
        // In one placement the bars compare like with like: no brackets.
        let drawn = figure(&[placed("a", 8500.0, Spread), placed("b", 1300.0, Spread)]);
        assert!(!drawn.contains("(spread over CPUs)"), "{drawn}");
        assert!(!drawn.contains("not like with like"), "{drawn}");
    }
}
