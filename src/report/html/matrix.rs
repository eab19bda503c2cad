//! The machine's map in report.html: the core-to-core matrix of each
//! variant and model as a heatmap (rows: the measuring side's CPU, columns:
//! the peer's; shade from the fastest to the slowest pair of two CPUs on a
//! log scale, the same-CPU diagonal grey;
//! each cell marked with its topology class), each class's median and
//! interval in a table, the topology it was classified by, and where other
//! points' observed placement matches a class.

use std::fmt::Write;

use crate::host::PairClass;
use crate::report::matrix::{self, Matrix};
use crate::report::view;
use crate::results::RunResults;
use crate::text::{escape, format_ns};

/// Cells up to this many CPUs carry their figure as text; beyond, only colour.
const LABELLED_UP_TO: usize = 16;

/// The section, or nothing when the run has no matrix.
pub fn section(results: &RunResults) -> String {
    let found = matrix::matrices(results);
    let Some(first) = found.first() else {
        return String::new();
    };
    let map = results.topology.as_ref();
    let mut out = format!(
        "<section id=\"{}\"><h2>The machine's map: core-to-core latency</h2>",
        view::anchor(&["c2c"])
    );
    if let Some(answer) = matrix::answer(&found) {
        let _ = write!(
            out,
            "<p class=\"answer\"><b>What does sharing a cache line between two cores cost here?</b> {}</p>",
            escape(&answer)
        );
    }
    let _ = write!(
        out,
        "<p>Measured: {}. Topology (sysfs): {}.</p>",
        escape(&first.coverage(map)),
        escape(&map.map_or("not recorded in this results file".into(), |m| m.summary()))
    );
    for m in &found {
        out.push_str(&figure_of(m));
    }
    let matches = matrix::placement_matches(results, &found);
    if !matches.is_empty() {
        out.push_str(
            "<p>Other points, where they ran (observed placement) in the matrix's terms:</p><ul>",
        );
        for line in matches {
            let _ = write!(out, "<li>{}</li>", escape(&line));
        }
        out.push_str("</ul>");
    }
    out.push_str("</section>");
    out
}

/// One matrix: heatmap and class table side by side.
fn figure_of(m: &Matrix) -> String {
    let mut out = format!(
        "<figure class=\"c2c\"><figcaption>{} — ns per round trip, row: measuring CPU, column: peer CPU; colour from the fastest pair (pale) to 4x it or more (deep red)</figcaption>",
        escape(&m.title())
    );
    out.push_str(&heatmap(m));
    out.push_str("<table><tr><th>class</th><th>median per round trip</th><th>95% interval</th><th>one way</th><th>pairs</th><th>pairs' medians</th></tr>");
    for row in &m.classes {
        let interval = row.estimate.interval().map_or("-".into(), |(lo, hi)| {
            format!("{} – {}", format_ns(lo), format_ns(hi))
        });
        let _ = write!(
            out,
            "<tr><td><b>{}</b> {}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{} – {}</td></tr>",
            row.class.code(),
            escape(row.class.words()),
            format_ns(row.estimate.median),
            interval,
            format_ns(row.estimate.median / 2.0),
            row.pairs,
            format_ns(row.pair_range.0),
            format_ns(row.pair_range.1),
        );
    }
    out.push_str("</table></figure>");
    out
}

/// The least span of the heatmap's colour scale: the slowest colour is at
/// least this many times the fastest pair.
const SCALE_SPAN: f64 = 4.0;

/// A colour from pale (fastest pair) to deep red (slowest), log scale.
fn shade(value: f64, lo: f64, hi: f64) -> String {
    let t = if hi > lo {
        ((value.ln() - lo.ln()) / (hi.ln() - lo.ln())).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let mix = |a: f64, b: f64| (a + (b - a) * t).round() as u8;
    format!(
        "#{:02x}{:02x}{:02x}",
        mix(255.0, 165.0),
        mix(245.0, 15.0),
        mix(215.0, 21.0)
    )
}

/// The outline that marks a class (same CPU: none; farther: darker).
fn outline(class: Option<PairClass>) -> &'static str {
    match class {
        Some(PairClass::SameCpu) => "#888888",
        Some(PairClass::SmtSibling) => "#1b9e77",
        Some(PairClass::SameLlc) => "#2166ac",
        Some(PairClass::OtherLlc) => "#7570b3",
        Some(PairClass::OtherPackage) => "#000000",
        _ => "#cccccc",
    }
}

/// The heatmap as plain SVG rects: one per measured pair, unmeasured blank.
fn heatmap(m: &Matrix) -> String {
    let n = m.cpus.len().max(1);
    let cell = (560 / n).clamp(4, 64);
    let (left, top) = (40, 24);
    let side = cell * n;
    // The same-CPU diagonal (turns taken by yielding, microseconds) is grey
    // and left out of the scale, which would otherwise flatten the pairs.
    let values: Vec<f64> = m
        .cells
        .iter()
        .filter(|c| c.class != Some(PairClass::SameCpu))
        .filter_map(|c| c.median)
        .collect();
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    // The scale spans at least a factor of 4, so pairs a few percent apart
    // look alike instead of pale against deep red.
    let hi = values
        .iter()
        .copied()
        .fold(0.0, f64::max)
        .max(lo * SCALE_SPAN);
    let index = |cpu: u32| m.cpus.iter().position(|&c| c == cpu).unwrap_or(0);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" font-family=\"sans-serif\" font-size=\"11\" role=\"img\">",
        left + side + 8,
        top + side + 8
    );
    if n <= LABELLED_UP_TO {
        for (i, cpu) in m.cpus.iter().enumerate() {
            let centre = i * cell + cell / 2;
            let _ = write!(
                svg,
                "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{cpu}</text><text x=\"{}\" y=\"{}\" text-anchor=\"end\">{cpu}</text>",
                left + centre,
                top - 8,
                left - 6,
                top + centre + 4
            );
        }
    }
    for c in &m.cells {
        let (x, y) = (left + index(c.b) * cell, top + index(c.a) * cell);
        let fill = match (c.median, c.class) {
            (None, _) => "#eeeeee".to_string(),
            (Some(_), Some(PairClass::SameCpu)) => "#d9d9d9".to_string(),
            (Some(v), _) => shade(v, lo, hi),
        };
        let code = c.class.map_or("?", PairClass::code);
        let what = c.median.map_or("failed".to_string(), format_ns);
        let _ = write!(
            svg,
            "<rect x=\"{x}\" y=\"{y}\" width=\"{cell}\" height=\"{cell}\" fill=\"{fill}\" stroke=\"{}\" stroke-width=\"{}\"><title>CPU {} → CPU {}: {what} ({})</title></rect>",
            outline(c.class),
            if cell >= 16 { 2 } else { 0 },
            c.a,
            c.b,
            escape(c.class.map_or("class unknown", PairClass::words)),
        );
        if n <= LABELLED_UP_TO && cell >= 40 {
            let _ = write!(
                svg,
                "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text><text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-weight=\"bold\">{code}</text>",
                x + cell / 2,
                y + cell / 2 - 2,
                escape(&what),
                x + cell / 2,
                y + cell / 2 + 12
            );
        }
    }
    svg.push_str("</svg>");
    svg
}
