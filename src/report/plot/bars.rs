//! Horizontal bars with 95% whiskers: the variants of a scenario compared at
//! one point, or the ratios new/base of a two-run report (with a line at 1).

use plotters::prelude::*;

use plotters::coord::ranged1d::SegmentedCoord;
use plotters::coord::types::RangedCoordusize;

use super::{AxisRange, FONT, chart_error, svg};

/// One bar: its label, value and interval, colour, and the text at its end.
pub struct Bar {
    pub label: String,
    pub value: f64,
    /// Its 95% interval, drawn as a whisker; None draws none (too few
    /// samples or rounds for one, or a figure measured apart).
    pub interval: Option<(f64, f64)>,
    pub colour: RGBColor,
    pub text: String,
}

/// Options of a bar chart.
pub struct BarChart<'a> {
    pub title: &'a str,
    pub x_desc: &'a str,
    /// Draw a vertical reference line here (1.0 for ratios).
    pub reference: Option<f64>,
    pub tick: &'a dyn Fn(f64) -> String,
}

pub fn chart(options: &BarChart<'_>, bars: &[Bar]) -> anyhow::Result<String> {
    // plotters cannot draw a one-row segmented axis: keep at least two rows.
    let n = bars.len().max(2);
    let longest = bars
        .iter()
        .map(|b| b.label.chars().count())
        .max()
        .unwrap_or(4);
    let label_area = ((longest as f64 * 6.8) as u32 + 16).clamp(60, 440);
    let width = 600 + label_area;
    let height = 90 + 30 * n as u32;
    let values = bars
        .iter()
        .flat_map(|b| {
            let (lo, hi) = b.interval.unwrap_or((b.value, b.value));
            [lo, hi, b.value]
        })
        .chain(options.reference);
    let mut x = AxisRange::fit(values, true);
    if x.log {
        x.hi *= 1.6; // room for the value text at the end of the longest bar
    } else {
        x.hi *= 1.15;
    }
    svg(width, height, |root| {
        let y = AxisRange {
            lo: 0.0,
            hi: 1.0,
            log: false,
        };
        crate::with_axes!(x, y, |xs, _unused| {
            let mut chart = ChartBuilder::on(root)
                .caption(options.title, (FONT, 16))
                .margin(12)
                .x_label_area_size(40)
                .y_label_area_size(label_area)
                .build_cartesian_2d(xs, (0..n - 1).into_segmented())
                .map_err(chart_error)?;
            let label_of = |v: &SegmentValue<usize>| match v {
                SegmentValue::CenterOf(i) if *i < n => bars
                    .get(n - 1 - i)
                    .map_or(String::new(), |b| b.label.clone()),
                _ => String::new(),
            };
            chart
                .configure_mesh()
                .disable_y_mesh()
                .y_labels(n)
                .y_label_formatter(&label_of)
                .x_desc(if x.log {
                    format!("{} (log scale)", options.x_desc)
                } else {
                    options.x_desc.to_string()
                })
                .x_label_formatter(&|v| (options.tick)(*v))
                .label_style((FONT, 12))
                .light_line_style(RGBColor(235, 235, 235))
                .draw()
                .map_err(chart_error)?;
            // Bars grow from the reference line (1 for ratios), else from the axis.
            let base = options.reference.unwrap_or(if x.log { x.lo } else { 0.0 });
            draw_bars(&mut chart, bars, n, base)?;
            if let Some(at) = options.reference {
                let line = PathElement::new(
                    vec![(at, SegmentValue::Exact(0)), (at, SegmentValue::Last)],
                    RGBColor(90, 90, 90).stroke_width(1),
                );
                chart
                    .draw_series(std::iter::once(line))
                    .map_err(chart_error)?;
            }
            anyhow::Ok(())
        })
    })
}

/// Each bar from `base` to its value on row `n - 1 - index` (first on top),
/// with its whisker and its value written past the whisker.
fn draw_bars<X: Ranged<ValueType = f64>>(
    chart: &mut ChartContext<'_, SVGBackend<'_>, Cartesian2d<X, SegmentedCoord<RangedCoordusize>>>,
    bars: &[Bar],
    n: usize,
    base: f64,
) -> anyhow::Result<()> {
    for (index, bar) in bars.iter().enumerate() {
        let row = n - 1 - index;
        let corners = [
            (base, SegmentValue::Exact(row)),
            (bar.value, super::row_end(row, n)),
        ];
        let mut rect = Rectangle::new(corners, bar.colour.mix(0.85).filled());
        rect.set_margin(5, 5, 0, 0);
        chart
            .draw_series(std::iter::once(rect))
            .map_err(chart_error)?;
        let centre = SegmentValue::CenterOf(row);
        if let Some((lo, hi)) = bar.interval {
            let whisker = ErrorBar::new_horizontal(
                centre.clone(),
                lo,
                bar.value,
                hi,
                BLACK.stroke_width(1),
                8,
            );
            chart
                .draw_series(std::iter::once(whisker))
                .map_err(chart_error)?;
        }
        let end = bar.interval.map_or(bar.value, |(_, hi)| hi.max(bar.value));
        let label = EmptyElement::at((end, centre))
            + Text::new(bar.text.clone(), (6, -6), (FONT, 12).into_font());
        chart
            .draw_series(std::iter::once(label))
            .map_err(chart_error)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn svg_of(count: usize) -> String {
        let bars: Vec<Bar> = (0..count)
            .map(|i| Bar {
                label: format!("v{i}"),
                value: 10.0 + i as f64,
                interval: Some((9.0, 12.0 + i as f64)),
                colour: super::super::colour(i),
                text: "x".into(),
            })
            .collect();
        let options = BarChart {
            title: "t",
            x_desc: "x",
            reference: Some(1.0),
            tick: &|v| format!("{v}"),
        };
        chart(&options, &bars).expect("draws")
    }

    /// Lines drawn for bars A (10, interval 9-11), B (20, `b`) and C (30,
    /// interval 25-35: the axis is the same whatever `b` is).
    fn lines_with_b(b: Option<(f64, f64)>) -> usize {
        let bar = |value: f64, interval: Option<(f64, f64)>| Bar {
            label: format!("v{value}"),
            value,
            interval,
            colour: super::super::colour(0),
            text: "x".into(),
        };
        let bars = [
            bar(10.0, Some((9.0, 11.0))),
            bar(20.0, b),
            bar(30.0, Some((25.0, 35.0))),
        ];
        let options = BarChart {
            title: "t",
            x_desc: "x",
            reference: None,
            tick: &|v| format!("{v}"),
        };
        let svg = chart(&options, &bars).expect("draws");
        svg.matches("<line").count() + svg.matches("<polyline").count()
    }

    #[test]
    fn a_bar_without_an_interval_draws_no_whisker() {
        let with = lines_with_b(Some((18.0, 22.0)));
        let without = lines_with_b(None);
        assert!(
            without < with,
            "no zero-width whisker: {without} lines against {with}"
        );
    }

    #[test]
    fn no_rectangle_has_a_negative_size_whatever_the_bar_count() {
        for count in [1, 2, 7] {
            let svg = svg_of(count);
            assert!(
                !svg.contains("height=\"-") && !svg.contains("width=\"-"),
                "{count} bars: {svg}"
            );
        }
    }
}
