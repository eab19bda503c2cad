//! The drift monitor's timeline: the machine's speed on the reference
//! workload through the run, relative to its median (1 = usual), so that a
//! reader sees when the machine was slow and by how much; with the wide
//! probe beside it where the run timed one, relative to its fastest
//! reading (1 = undisturbed), the reference its slow count uses.

use plotters::prelude::*;

use super::{AxisRange, FONT, WIDTH, chart_error, colour, svg};

/// `speeds`: (ms since the run began, speed relative to the median) of the
/// chain; `wide`: the wide probe's, relative to its fastest (empty in older
/// runs).
pub fn chart(speeds: &[(u64, f64)], wide: &[(u64, f64)]) -> anyhow::Result<String> {
    let seconds = |series: &[(u64, f64)]| -> Vec<(f64, f64)> {
        series
            .iter()
            .map(|&(ms, speed)| (ms as f64 / 1000.0, speed))
            .collect()
    };
    let (points, wide) = (seconds(speeds), seconds(wide));
    let x = AxisRange {
        lo: 0.0,
        hi: points.last().map_or(1.0, |p| p.0.max(1.0)),
        log: false,
    };
    let spread = points
        .iter()
        .chain(&wide)
        .map(|p| (p.1 - 1.0).abs())
        .fold(0.05, f64::max);
    let y = AxisRange {
        lo: (1.0 - spread * 1.15).max(0.0),
        hi: 1.0 + spread * 1.15,
        log: false,
    };
    let caption = if wide.is_empty() {
        "machine speed through the run (1 = its median)"
    } else {
        "machine speed through the run (1 = the chain's median, the wide probe's fastest)"
    };
    svg(WIDTH, 170, |root| {
        let mut chart = ChartBuilder::on(root)
            .caption(caption, (FONT, 13))
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
        if !wide.is_empty() {
            chart
                .draw_series(LineSeries::new(
                    wide.iter().copied(),
                    colour(1).stroke_width(1),
                ))
                .map_err(chart_error)?
                .label("wide probe (throughput-bound)")
                .legend(|(x, y)| PathElement::new([(x, y), (x + 14, y)], colour(1)));
        }
        let chain = chart
            .draw_series(LineSeries::new(
                points.iter().copied(),
                colour(0).stroke_width(2),
            ))
            .map_err(chart_error)?;
        if !wide.is_empty() {
            chain
                .label("chain (latency-bound)")
                .legend(|(x, y)| PathElement::new([(x, y), (x + 14, y)], colour(0)));
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::UpperLeft)
                .background_style(WHITE.mix(0.85))
                .border_style(RGBColor(200, 200, 200))
                .label_font((FONT, 11))
                .draw()
                .map_err(chart_error)?;
        }
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
        let svg = chart(&speeds, &[]).expect("draws");
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains("seconds since the run began") && svg.contains("1.00x"));
        assert!(!svg.contains("wide probe"), "no legend for one line");
        let wide: Vec<(u64, f64)> = speeds.iter().map(|&(ms, s)| (ms, s * 0.6)).collect();
        let svg = chart(&speeds, &wide).expect("draws both");
        assert!(
            svg.contains("wide probe (throughput-bound)") && svg.contains("chain (latency-bound)")
        );
        assert!(
            svg.contains("0.60x"),
            "the axis reaches down to the wide probe's 0.6x"
        );
    }
}
