//! Where a scenario has points run in another runtime (CPython): bar charts
//! that set them beside Rust's points of the same work, normally measured in
//! the same paired group (the caption says when they were not): time per
//! operation and, where the points have one, the speed-up over each
//! runtime's own serial point.

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
            "<figure id=\"{}\">{}{}<figcaption>at {}: other runtimes beside Rust, {}</figcaption></figure>",
            view::anchor(&["runtimes", s.id, &n.to_string()]),
            time_bars(s, &points, throughput_vs)?,
            speedup_bars(s, &points, throughput_vs)?,
            escape(&shared.join(", ")),
            pairing(&points)
        );
    }
    Ok(out)
}

/// How the figure's points were measured: all in the same interleaved
/// rounds, or not (a group that fails is measured again one point at a
/// time, and then its points compare only as medians taken apart).
fn pairing(points: &[&PointResult]) -> &'static str {
    let first = points.first().and_then(|p| p.paired_group.as_ref());
    if first.is_some() && points.iter().all(|p| p.paired_group.as_ref() == first) {
        "measured in the same interleaved rounds"
    } else if points.iter().all(|p| p.paired_group.is_none()) {
        "measured one by one, not paired (their group was measured again a point at a time): \
         the differences include whatever the machine did between them"
    } else {
        "only partly paired: some of these points were measured one by one, \
         so not every difference here is paired"
    }
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
    // An unpaired speed-up (two medians measured apart) has no interval,
    // nor has a paired one of fewer than 6 rounds: their bars draw none.
    let (mut paired, mut unpaired) = (0, 0);
    let bars = bars_of(points, throughput_vs, |p| {
        let m = &p.metrics;
        let speedup = *m.get("speedup_vs_serial")?;
        let interval = m
            .get("speedup_lo")
            .copied()
            .zip(m.get("speedup_hi").copied());
        if m.get("speedup_paired").is_some_and(|v| *v > 0.0) {
            paired += 1;
            let text = match interval {
                Some(_) => format!("{speedup:.2}x"),
                None => format!("{speedup:.2}x, paired, < 6 rounds"),
            };
            Some((speedup, interval, text))
        } else {
            unpaired += 1;
            Some((speedup, None, format!("{speedup:.2}x, unpaired")))
        }
    });
    if bars.is_empty() {
        return Ok(String::new());
    }
    let title = format!("{}: speed-up over its own runtime's serial point", s.id);
    let x_desc = match (paired, unpaired) {
        (_, 0) => "speed-up (95% interval over the paired rounds; 1 = no gain)",
        (0, _) => "speed-up (unpaired: two medians measured apart, no interval; 1 = no gain)",
        _ => "speed-up (95% interval over the paired rounds where paired; 1 = no gain)",
    };
    bars::chart(
        &bars::BarChart {
            title: &title,
            x_desc,
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
    mut figure: impl FnMut(&PointResult) -> Option<(f64, Option<(f64, f64)>, String)>,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::{RuntimeRecord, ScenarioMeta};
    use crate::vocab::{Family, Model};

    /// cpu.split's serial and k = 2 points, in Rust and in a CPython, in
    /// the paired group `group` (None: measured one by one).
    fn points(group: Option<&str>) -> Vec<PointResult> {
        let cases = [
            ("serial", Model::Serial, 1, false),
            ("std_thread", Model::Thread, 2, false),
            ("py_serial@python3", Model::Serial, 1, true),
            ("py_thread@python3", Model::Thread, 2, true),
        ];
        cases
            .iter()
            .map(|&(variant, model, k, python)| {
                let ns = if model == Model::Serial { 200.0 } else { 110.0 };
                let mut p = crate::report::findings::tests::point(ns, &[1.0; 5], group);
                p.scenario = "cpu.split".into();
                p.variant = variant.into();
                p.model = model;
                p.params = Params([("k".to_string(), k), ("chunks".to_string(), 8)].into());
                p.runtime = python.then(|| RuntimeRecord {
                    name: "python3".into(),
                    runtime: "cpython".into(),
                    version: "3.12".into(),
                    gil_enabled: Some(true),
                });
                if model != Model::Serial {
                    p.metrics.insert("speedup_vs_serial".into(), 1.82);
                    p.metrics
                        .insert("speedup_paired".into(), f64::from(group.is_some() as u8));
                    if group.is_some() {
                        p.metrics.insert("speedup_lo".into(), 1.7);
                        p.metrics.insert("speedup_hi".into(), 1.9);
                    }
                }
                p
            })
            .collect()
    }

    fn figures_of(points: &[PointResult]) -> String {
        let meta = ScenarioMeta {
            family: Family::Cpu,
            summary: "split".into(),
            unit: "chunk".into(),
            throughput_vs: Some("k".into()),
            defaults: Params::default(),
        };
        let view = ScenarioView {
            id: "cpu.split",
            family: Family::Cpu,
            meta: Some(&meta),
            points: points.iter().collect(),
        };
        figures(&view).expect("draws")
    }

    #[test]
    fn the_caption_says_paired_only_when_the_points_were_and_unpaired_speedups_claim_no_interval() {
        let paired = figures_of(&points(Some("g")));
        assert!(
            paired.contains("measured in the same interleaved rounds"),
            "{paired}"
        );
        assert!(paired.contains("95% interval over the paired rounds"));
        // The group fell back to measuring its points one by one.
        let apart = figures_of(&points(None));
        assert!(
            !apart.contains("in the same interleaved rounds"),
            "no pairing claimed: {apart}"
        );
        assert!(apart.contains("one by one"), "{apart}");
        assert!(
            !apart.contains("95% interval over the paired rounds"),
            "no interval claimed for unpaired speed-ups"
        );
        assert!(apart.contains("1.82x, unpaired"), "{apart}");
    }
}
