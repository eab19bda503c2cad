//! A point's samples one by one, each dot coloured by where its parties
//! ran (same CPU, spread over CPUs, moved, one party): where a point's
//! speed has two modes, this shows whether placement is what tells them
//! apart.

use plotters::prelude::*;

use super::{AxisRange, FONT, WIDTH, chart_error, colour, svg};
use crate::results::{PlacementClass, PointResult};
use crate::text::format_ns;

/// The classes in legend order, each with its colour.
const CLASSES: [(PlacementClass, usize); 4] = [
    (PlacementClass::SameCpu, 0),
    (PlacementClass::Spread, 1),
    (PlacementClass::Moved, 2),
    (PlacementClass::Single, 3),
];

/// The chart of `point`'s samples (ns per operation, in sample order);
/// None when it was not observed.
pub fn chart(point: &PointResult) -> Option<anyhow::Result<String>> {
    let observation = point.placement.as_ref()?;
    let dots: Vec<(f64, f64, PlacementClass)> = point
        .samples
        .iter()
        .zip(&observation.samples)
        .enumerate()
        .map(|(i, (s, p))| (i as f64, s.ns as f64 / s.ops.max(1) as f64, p.class))
        .collect();
    if dots.is_empty() {
        return None;
    }
    Some(draw(&dots, &point.unit))
}

fn draw(dots: &[(f64, f64, PlacementClass)], unit: &str) -> anyhow::Result<String> {
    let x = AxisRange {
        lo: -0.5,
        hi: dots.len() as f64 - 0.5,
        log: false,
    };
    let y = AxisRange::fit(dots.iter().map(|d| d.1), false);
    svg(WIDTH / 2 + 60, 220, |root| {
        crate::with_axes!(x, y, |xs, ys| {
            let mut chart = ChartBuilder::on(root)
                .caption("each sample, by where its parties ran", (FONT, 13))
                .margin(8)
                .x_label_area_size(28)
                .y_label_area_size(58)
                .build_cartesian_2d(xs, ys)
                .map_err(chart_error)?;
            chart
                .configure_mesh()
                .x_desc("sample")
                .x_label_formatter(&|v| format!("{v:.0}"))
                .y_desc(format!("time per {unit}"))
                .y_label_formatter(&|v| format_ns(*v))
                .label_style((FONT, 11))
                .light_line_style(RGBColor(235, 235, 235))
                .draw()
                .map_err(chart_error)?;
            for (class, index) in CLASSES {
                let mine: Vec<(f64, f64)> = dots
                    .iter()
                    .filter(|d| d.2 == class)
                    .map(|d| (d.0, d.1))
                    .collect();
                if mine.is_empty() {
                    continue;
                }
                let style = colour(index).filled();
                chart
                    .draw_series(mine.iter().map(|&p| Circle::new(p, 3, style)))
                    .map_err(chart_error)?;
            }
            anyhow::Ok(())
        })
    })
}

/// The chart's legend as HTML, under it (drawn inside, it hid the dots it
/// explains): a dot in each class's colour, its name and sample count.
pub fn legend(point: &PointResult) -> String {
    let Some(observation) = &point.placement else {
        return String::new();
    };
    CLASSES
        .iter()
        .filter_map(|&(class, index)| {
            let count = observation
                .samples
                .iter()
                .filter(|s| s.class == class)
                .count();
            let RGBColor(r, g, b) = colour(index);
            (count > 0).then(|| {
                format!(
                    "<span style=\"color:#{r:02x}{g:02x}{b:02x}\">●</span> {} ({count})",
                    class.word()
                )
            })
        })
        .collect::<Vec<_>>()
        .join(" &nbsp; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dots_are_coloured_by_class() {
        let dots: Vec<(f64, f64, PlacementClass)> = (0..20)
            .map(|i| {
                if i % 4 == 0 {
                    (i as f64, 9000.0, PlacementClass::Spread)
                } else {
                    (i as f64, 2200.0, PlacementClass::SameCpu)
                }
            })
            .collect();
        let svg = draw(&dots, "switch").expect("draws");
        assert_eq!(svg.matches("<circle").count(), 20, "a dot per sample");
        let (blue, orange) = ("fill=\"#4E79A7\"", "fill=\"#F28E2B\"");
        assert_eq!(
            (svg.matches(blue).count(), svg.matches(orange).count()),
            (15, 5)
        );
    }
}
