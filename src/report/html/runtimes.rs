//! Where a scenario has points run in another runtime (CPython): bar charts
//! that set them beside Rust's points of the same work, measured in the same
//! paired group: time per operation and, where the points have one, the
//! speed-up over each runtime's own serial point.

use std::fmt::Write;

use crate::report::plot::{self, bars};
use crate::report::view::{self, ScenarioView, short_label};
use crate::results::PointResult;
use crate::text::{escape, format_ns};
use crate::vocab::Params;

/// One pair of charts per work another runtime did in this scenario.
pub fn figures(s: &ScenarioView<'_>) -> anyhow::Result<String> {
    let throughput_vs = s.meta.and_then(|m| m.throughput_vs.as_deref());
    let mut works: Vec<&Params> = Vec::new();
    for p in s.ok_points().filter(|p| p.runtime.is_some()) {
        if !works.iter().any(|w| view::same_work(p, w, throughput_vs)) {
            works.push(&p.params);
        }
    }
    let mut out = String::new();
    for (n, work) in works.into_iter().enumerate() {
        let points: Vec<&PointResult> = s
            .ok_points()
            .filter(|p| view::same_work(p, work, throughput_vs))
            .collect();
        let shared: Vec<String> = work
            .0
            .iter()
            .filter(|(name, _)| Some(name.as_str()) != throughput_vs)
            .map(|(name, value)| format!("{name}={value}"))
            .collect();
        let _ = write!(
            out,
            "<figure id=\"{}\">{}{}<figcaption>at {}: other runtimes beside Rust, measured in the same interleaved rounds</figcaption></figure>",
            view::anchor(&["runtimes", s.id, &n.to_string()]),
            time_bars(s, &points, throughput_vs)?,
            speedup_bars(s, &points, throughput_vs)?,
            escape(&shared.join(", "))
        );
    }
    Ok(out)
}

/// `py_thread@python3/thread k=2`: the worker count where it varies.
fn label(point: &PointResult, throughput_vs: Option<&str>) -> String {
    match throughput_vs.and_then(|k| Some((k, point.params.0.get(k)?))) {
        Some((k, value)) => format!("{} {k}={value}", short_label(point)),
        None => short_label(point),
    }
}

/// Rust in the first colour, each other runtime in one of its own.
fn colour(point: &PointResult, points: &[&PointResult]) -> plotters::style::RGBColor {
    let mut names: Vec<Option<&str>> = points
        .iter()
        .map(|p| p.runtime.as_ref().map(|r| r.name.as_str()))
        .collect();
    names.sort_unstable();
    names.dedup();
    let mine = point.runtime.as_ref().map(|r| r.name.as_str());
    plot::colour(names.iter().position(|n| *n == mine).unwrap_or(0))
}

fn time_bars(
    s: &ScenarioView<'_>,
    points: &[&PointResult],
    throughput_vs: Option<&str>,
) -> anyhow::Result<String> {
    let bars = bars_of(points, throughput_vs, |p| {
        let e = &p.summary.as_ref()?.ns_per_op;
        Some((e.median, e.interval(), format_ns(e.median)))
    });
    let title = format!("{}: time per {} (95% interval)", s.id, s.unit());
    let x_desc = format!("time per {}", s.unit());
    bars::chart(
        &bars::BarChart {
            title: &title,
            x_desc: &x_desc,
            reference: None,
            tick: &format_ns,
        },
        &bars,
    )
}

fn speedup_bars(
    s: &ScenarioView<'_>,
    points: &[&PointResult],
    throughput_vs: Option<&str>,
) -> anyhow::Result<String> {
    let bars = bars_of(points, throughput_vs, |p| {
        let m = &p.metrics;
        let speedup = *m.get("speedup_vs_serial")?;
        let interval = m
            .get("speedup_lo")
            .copied()
            .zip(m.get("speedup_hi").copied());
        Some((speedup, interval, format!("{speedup:.2}x")))
    });
    if bars.is_empty() {
        return Ok(String::new());
    }
    let title = format!("{}: speed-up over its own runtime's serial point", s.id);
    bars::chart(
        &bars::BarChart {
            title: &title,
            x_desc: "speed-up (95% interval over the paired rounds; 1 = no gain)",
            reference: Some(1.0),
            tick: &|v| format!("{v:.1}x"),
        },
        &bars,
    )
}

/// One bar per point that has a figure: (value, 95% interval, text).
fn bars_of(
    points: &[&PointResult],
    throughput_vs: Option<&str>,
    figure: impl Fn(&PointResult) -> Option<(f64, Option<(f64, f64)>, String)>,
) -> Vec<bars::Bar> {
    points
        .iter()
        .filter_map(|p| {
            let (value, interval, text) = figure(p)?;
            Some(bars::Bar {
                label: label(p, throughput_vs),
                value,
                interval,
                colour: colour(p, points),
                text,
            })
        })
        .collect()
}
