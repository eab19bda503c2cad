//! Latency percentiles in the HDR-histogram style: the percentile axis
//! stretches the tail (50%, 90%, 99%, 99.9%, max at equal steps) and
//! latency is on a log axis. Only the five labelled positions and the
//! decades get grid lines: a chart per point must stay a few kilobytes.

use plotters::prelude::*;

use super::{AxisRange, FONT, chart_error, colour, svg};
use crate::results::Latency;
use crate::text::format_ns;

/// Positions on the percentile axis, one step per "nine" (50% sits a step
/// before 90%), with max one step past 99.9%.
const STEPS: [(f64, &str); 5] = [
    (0.0, "50%"),
    (1.0, "90%"),
    (2.0, "99%"),
    (3.0, "99.9%"),
    (4.0, "max"),
];

pub fn chart(title: &str, latency: &Latency) -> anyhow::Result<String> {
    let values = [
        latency.p50,
        latency.p90,
        latency.p99,
        latency.p999,
        latency.max,
    ]
    .map(|v| (v as f64).max(1.0));
    let points: Vec<(f64, f64)> = STEPS
        .iter()
        .zip(values)
        .map(|((x, _), y)| (*x, y))
        .collect();
    let x = AxisRange {
        lo: -0.3,
        hi: 4.3,
        log: false,
    };
    let mut y = AxisRange::fit(values, false);
    y.log = true;
    y.lo = y.lo.max(1.0);
    svg(420, 260, |root| {
        crate::with_axes!(x, y, |xs, ys| {
            let mut chart = ChartBuilder::on(root)
                .caption(title, (FONT, 13))
                .margin(10)
                .x_label_area_size(34)
                .y_label_area_size(64)
                .build_cartesian_2d(xs, ys)
                .map_err(chart_error)?;
            let label = |v: &f64| {
                STEPS
                    .iter()
                    .find(|(x, _)| (x - v).abs() < 0.05)
                    .map_or(String::new(), |(_, l)| (*l).to_string())
            };
            chart
                .configure_mesh()
                .x_labels(STEPS.len())
                .x_label_formatter(&label)
                .max_light_lines(0)
                .y_label_formatter(&|v| format_ns(*v))
                .x_desc(format!("percentile ({} operations)", latency.count))
                .label_style((FONT, 11))
                .light_line_style(RGBColor(235, 235, 235))
                .draw()
                .map_err(chart_error)?;
            chart
                .draw_series(LineSeries::new(
                    points.iter().copied(),
                    colour(0).stroke_width(2),
                ))
                .map_err(chart_error)?;
            chart
                .draw_series(
                    points
                        .iter()
                        .map(|p| Circle::new(*p, 3, colour(0).filled())),
                )
                .map_err(chart_error)?;
            anyhow::Ok(())
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_every_percentile_with_its_label() {
        let latency = Latency {
            p50: 120,
            p90: 300,
            p99: 2_000,
            p999: 40_000,
            max: 900_000,
            count: 10_000,
        };
        let svg = chart("latency", &latency).expect("draws");
        assert!(svg.starts_with("<svg"));
        for label in ["50%", "90%", "99%", "99.9%", "max", "10000 operations"] {
            assert!(svg.contains(label), "{label}");
        }
    }
}
