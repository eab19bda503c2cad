//! One point's trend chart as compact inline SVG: each commit's figure,
//! the levels between change points with their intervals, and a marker at
//! each change with its commit. Hand-written (not plotters) so that a
//! thousand commits stay a few kilobytes.

use std::fmt::Write;

use super::series::Series;
use crate::text::{escape, format_ns};

const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 150.0;
const LEFT: f64 = 74.0;
const RIGHT: f64 = 10.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 26.0;
/// Per-commit interval bars are drawn up to this many commits.
const BARS_UP_TO: usize = 150;

/// Maps commit index and ns to the chart's pixels (a log scale for ns).
struct Frame {
    n: usize,
    low: f64,
    high: f64,
}

impl Frame {
    fn of(series: &Series) -> Frame {
        let mut values: Vec<f64> = series.commits.iter().map(|c| c.value).collect();
        for c in &series.changes {
            values.extend([c.before.median, c.after.median]);
        }
        let low = values.iter().copied().fold(f64::INFINITY, f64::min).ln();
        let high = values
            .iter()
            .copied()
            .fold(f64::NEG_INFINITY, f64::max)
            .ln();
        let pad = ((high - low) * 0.08).max(0.02);
        Frame {
            n: series.commits.len(),
            low: low - pad,
            high: high + pad,
        }
    }

    fn x(&self, index: f64) -> f64 {
        let span = (self.n.max(2) - 1) as f64;
        LEFT + (WIDTH - LEFT - RIGHT) * index / span
    }

    fn y(&self, ns: f64) -> f64 {
        let t = (ns.max(f64::MIN_POSITIVE).ln() - self.low) / (self.high - self.low);
        TOP + (HEIGHT - TOP - BOTTOM) * (1.0 - t.clamp(-0.05, 1.05))
    }
}

/// The chart, or nothing for a series with no commits.
pub fn svg(series: &Series) -> String {
    if series.commits.is_empty() {
        return String::new();
    }
    let frame = Frame::of(series);
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" width=\"{WIDTH}\" height=\"{HEIGHT}\" role=\"img\">\
         <title>{} over {} commits</title><rect x=\"{LEFT}\" y=\"{TOP}\" width=\"{}\" height=\"{}\" fill=\"#fbfbfc\" stroke=\"#d9dde3\"/>",
        escape(&series.point),
        series.commits.len(),
        WIDTH - LEFT - RIGHT,
        HEIGHT - TOP - BOTTOM
    );
    axes(&mut out, series, &frame);
    levels(&mut out, series, &frame);
    bars(&mut out, series, &frame);
    line(&mut out, series, &frame);
    markers(&mut out, series, &frame);
    out.push_str("</svg>");
    out
}

fn axes(out: &mut String, series: &Series, frame: &Frame) {
    for ns in [
        frame.low.exp(),
        ((frame.low + frame.high) / 2.0).exp(),
        frame.high.exp(),
    ] {
        let y = frame.y(ns);
        let _ = write!(
            out,
            "<text x=\"{:.0}\" y=\"{:.0}\" font-size=\"11\" text-anchor=\"end\" fill=\"#5b6472\">{}</text>",
            LEFT - 6.0,
            y + 4.0,
            format_ns(ns)
        );
    }
    let last = series.commits.len() - 1;
    for (index, anchor) in [(0, "start"), (last, "end")] {
        let c = &series.commits[index];
        let _ = write!(
            out,
            "<text x=\"{:.0}\" y=\"{:.0}\" font-size=\"11\" text-anchor=\"{anchor}\" fill=\"#5b6472\">{} {}</text>",
            frame.x(index as f64),
            HEIGHT - 8.0,
            escape(super::labels::short(&c.commit)),
            escape(c.started.get(..10).unwrap_or(&c.started))
        );
    }
}

/// Each segment's level (median) as a line over its commits, its interval
/// as a band.
fn levels(out: &mut String, series: &Series, frame: &Frame) {
    let mut starts = vec![0];
    starts.extend(series.changes.iter().map(|c| c.at));
    starts.push(series.commits.len());
    let level_of = |segment: usize| {
        if segment < series.changes.len() {
            series.changes[segment].before
        } else {
            series.changes[segment - 1].after
        }
    };
    if series.changes.is_empty() {
        return;
    }
    for segment in 0..starts.len() - 1 {
        let level = level_of(segment);
        let (x0, x1) = (
            frame.x(starts[segment] as f64 - 0.5),
            frame.x(starts[segment + 1] as f64 - 0.5),
        );
        let (x0, x1) = (x0.max(LEFT), x1.min(WIDTH - RIGHT));
        if let (Some(lo), Some(hi)) = (level.lo, level.hi) {
            let _ = write!(
                out,
                "<rect x=\"{x0:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"#f2b134\" opacity=\"0.25\"/>",
                frame.y(hi),
                x1 - x0,
                (frame.y(lo) - frame.y(hi)).max(0.5)
            );
        }
        let y = frame.y(level.median);
        let _ = write!(
            out,
            "<path d=\"M{x0:.1} {y:.1}H{x1:.1}\" stroke=\"#c77c02\" stroke-width=\"2\"/>"
        );
    }
}

fn bars(out: &mut String, series: &Series, frame: &Frame) {
    if series.commits.len() > BARS_UP_TO {
        return;
    }
    let mut path = String::new();
    for (i, c) in series.commits.iter().enumerate() {
        if let (Some(lo), Some(hi)) = (c.lo, c.hi) {
            let _ = write!(
                path,
                "M{:.1} {:.1}V{:.1}",
                frame.x(i as f64),
                frame.y(lo),
                frame.y(hi)
            );
        }
    }
    if !path.is_empty() {
        let _ = write!(
            out,
            "<path d=\"{path}\" stroke=\"#9db4cc\" stroke-width=\"1\"/>"
        );
    }
}

fn line(out: &mut String, series: &Series, frame: &Frame) {
    let mut points = String::new();
    for (i, c) in series.commits.iter().enumerate() {
        let _ = write!(points, "{:.1},{:.1} ", frame.x(i as f64), frame.y(c.value));
    }
    let _ = write!(
        out,
        "<polyline points=\"{}\" fill=\"none\" stroke=\"#2f5d8c\" stroke-width=\"1.2\"/>",
        points.trim_end()
    );
    if series.commits.len() <= BARS_UP_TO {
        let mut dots = String::new();
        for (i, c) in series.commits.iter().enumerate() {
            let _ = write!(dots, "M{:.1} {:.1}h0", frame.x(i as f64), frame.y(c.value));
        }
        let _ = write!(
            out,
            "<path d=\"{dots}\" stroke=\"#2f5d8c\" stroke-width=\"4\" stroke-linecap=\"round\"/>"
        );
    }
}

fn markers(out: &mut String, series: &Series, frame: &Frame) {
    for change in &series.changes {
        let commit = &series.commits[change.at];
        let x = frame.x(change.at as f64 - 0.5).max(LEFT);
        // Near the right edge the label goes left of its line.
        let (anchor, label_x) = if x > WIDTH - 140.0 {
            ("end", x - 3.0)
        } else {
            ("start", x + 3.0)
        };
        let colour = if change.ratio > 1.0 {
            "#d62728"
        } else {
            "#2ca02c"
        };
        let _ = write!(
            out,
            "<g><title>{} starts {:.2}x: {} -> {} (p {})</title>\
             <path d=\"M{x:.1} {TOP}V{:.0}\" stroke=\"{colour}\" stroke-width=\"1.5\" stroke-dasharray=\"4 3\"/>\
             <text x=\"{:.1}\" y=\"{:.0}\" font-size=\"11\" fill=\"{colour}\" text-anchor=\"{anchor}\">{} {:.2}x</text></g>",
            escape(&commit.commit),
            change.ratio,
            format_ns(change.before.median),
            format_ns(change.after.median),
            super::labels::p_text(change.p_value),
            HEIGHT - BOTTOM,
            label_x,
            TOP + 11.0,
            escape(super::labels::short(&commit.commit)),
            change.ratio
        );
    }
}
