//! The drift monitor's timeline: the machine's speed on the reference
//! workload through the run, relative to its median (1 = usual), so that a
//! reader sees when the machine was slow and by how much.

use plotters::prelude::*;

use super::{AxisRange, FONT, WIDTH, chart_error, colour, svg};

/// `speeds`: (ms since the run began, speed relative to the median).
pub fn chart(speeds: &[(u64, f64)]) -> anyhow::Result<String> {
    let points: Vec<(f64, f64)> = speeds
        .iter()
        .map(|&(ms, speed)| (ms as f64 / 1000.0, speed))
        .collect();
    let x = AxisRange {
        lo: 0.0,
        hi: points.last().map_or(1.0, |p| p.0.max(1.0)),
        log: false,
    };
    let spread = points
        .iter()
        .map(|p| (p.1 - 1.0).abs())
        .fold(0.05, f64::max);
    let y = AxisRange {
        lo: (1.0 - spread * 1.15).max(0.0),
        hi: 1.0 + spread * 1.15,
        log: false,
    };
    svg(WIDTH, 170, |root| {
        let mut chart = ChartBuilder::on(root)
            .caption(
                "machine speed through the run (reference workload, 1 = its median)",
                (FONT, 13),
            )
            .margin(8)
            .x_label_area_size(30)
            .y_label_area_size(48)
            .build_cartesian_2d(x.lo..x.hi, y.lo..y.hi)
            .map_err(chart_error)?;
        chart
            .configure_mesh()
            .x_desc("seconds since the run began")
            .y_label_formatter(&|v| format!("{v:.2}x"))
            .x_labels(10)
            .y_labels(5)
            .label_style((FONT, 11))
            .light_line_style(RGBColor(235, 235, 235))
            .draw()
            .map_err(chart_error)?;
        chart
            .draw_series(LineSeries::new(
                [(x.lo, 1.0), (x.hi, 1.0)],
                RGBColor(150, 150, 150).stroke_width(1),
            ))
            .map_err(chart_error)?;
        chart
            .draw_series(LineSeries::new(
                points.iter().copied(),
                colour(0).stroke_width(2),
            ))
            .map_err(chart_error)?;
        anyhow::Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_a_line_and_its_axes_for_a_run() {
        let speeds: Vec<(u64, f64)> = (0..50)
            .map(|i| (i * 1000, 1.0 + 0.01 * (i % 7) as f64))
            .collect();
        let svg = chart(&speeds).expect("draws");
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains("seconds since the run began") && svg.contains("1.00x"));
    }
}
