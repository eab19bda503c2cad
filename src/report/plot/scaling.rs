//! The scaling chart: the headline metric against a swept parameter, one line
//! per variant/model with 95% error bars. Costs (ns per operation) by
//! default; for throughput scenarios, operations/s with each line's
//! linear-scaling ideal dashed, and mean CPU utilisation in a panel beside.

use plotters::prelude::*;

use super::{AxisRange, FONT, WIDTH, chart_error, colour, format_count, svg};
use crate::report::view::Scaling;
use crate::results::PointResult;
use crate::text::format_ns;

/// A point of a line: x, then (low, middle, high) of the plotted metric.
type Plotted = (f64, (f64, f64, f64));

/// Draw `scaling`; `throughput` switches from ns/op to ops/s with ideals.
pub fn chart(
    title: &str,
    scaling: &Scaling<'_>,
    unit: &str,
    throughput: bool,
) -> anyhow::Result<String> {
    let lines = plotted_lines(scaling, throughput);
    let ideals: Vec<Vec<(f64, f64)>> = if throughput {
        lines.iter().map(|(_, pts)| ideal(pts)).collect()
    } else {
        Vec::new()
    };
    let x = AxisRange::fit(
        lines.iter().flat_map(|(_, p)| p.iter().map(|(x, _)| *x)),
        false,
    );
    let y_values = lines
        .iter()
        .flat_map(|(_, p)| p.iter().flat_map(|(_, (lo, _, hi))| [*lo, *hi]));
    let y = AxisRange::fit(
        y_values.chain(ideals.iter().flatten().map(|(_, y)| *y)),
        throughput,
    );
    let y_desc = if throughput {
        format!("{unit}s per second")
    } else {
        format!("time per {unit}")
    };
    let labels: Vec<&str> = lines.iter().map(|(l, _)| l.as_str()).collect();
    let columns = legend_columns(&labels);
    let legend_rows = lines.len().div_ceil(columns) as u32 + u32::from(throughput);
    let height = 360 + 20 * legend_rows + 10;
    svg(WIDTH, height, |root| {
        let (upper, legend_area) = root.split_vertically(360);
        legend(&legend_area, &labels, columns, throughput)?;
        let (main, side) = if throughput {
            upper.split_horizontally(WIDTH * 7 / 10)
        } else {
            (upper.clone(), upper.clone())
        };
        crate::with_axes!(x, y, |xs, ys| {
            let mut chart = ChartBuilder::on(&main)
                .caption(title, (FONT, 16))
                .margin(12)
                .x_label_area_size(44)
                .y_label_area_size(78)
                .build_cartesian_2d(xs, ys)
                .map_err(chart_error)?;
            // Swept values are whole numbers: a few of them (0, 1, 2
            // pinned cores) get one tick each and no fractions between.
            let few = !x.log && x.hi - x.lo <= 10.0;
            chart
                .configure_mesh()
                .x_desc(log_label(&scaling.param, x.log))
                .y_desc(log_label(&y_desc, y.log))
                .x_labels(if few {
                    (x.hi - x.lo).ceil() as usize + 1
                } else {
                    10
                })
                .x_label_formatter(&|v| {
                    if few && v.fract().abs() > 1e-9 {
                        String::new()
                    } else {
                        format_count(*v)
                    }
                })
                .y_label_formatter(&|v| {
                    if throughput {
                        format_count(*v)
                    } else {
                        format_ns(*v)
                    }
                })
                .label_style((FONT, 12))
                .light_line_style(RGBColor(235, 235, 235))
                .draw()
                .map_err(chart_error)?;
            draw_lines(&mut chart, &lines, &ideals)
        })?;
        if throughput {
            utilisation_panel(&side, scaling, &x)?;
        }
        Ok(())
    })
}

/// An axis title, marked when the axis is logarithmic.
fn log_label(title: &str, log: bool) -> String {
    if log {
        format!("{title} (log scale)")
    } else {
        title.to_string()
    }
}

/// Each line's points as (x, (low, median, high)) of the plotted metric.
fn plotted_lines(scaling: &Scaling<'_>, throughput: bool) -> Vec<(String, Vec<Plotted>)> {
    let plotted = |points: &[(u64, &PointResult)]| {
        points
            .iter()
            .map(|(x, p)| (*x as f64, metric(p, throughput)))
            .collect()
    };
    scaling
        .lines
        .iter()
        .map(|line| (line.label.clone(), plotted(&line.points)))
        .collect()
}

/// Each line with its 95% error bars and points, and its dashed ideal.
fn draw_lines<X, Y>(
    chart: &mut ChartContext<'_, SVGBackend<'_>, Cartesian2d<X, Y>>,
    lines: &[(String, Vec<Plotted>)],
    ideals: &[Vec<(f64, f64)>],
) -> anyhow::Result<()>
where
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
{
    for (index, (_, points)) in lines.iter().enumerate() {
        let c = colour(index);
        let middles = points.iter().map(|(x, (_, mid, _))| (*x, *mid));
        chart
            .draw_series(LineSeries::new(middles.clone(), c.stroke_width(2)))
            .map_err(chart_error)?;
        let bars = points
            .iter()
            .map(|(x, (lo, mid, hi))| ErrorBar::new_vertical(*x, *lo, *mid, *hi, c.filled(), 8));
        chart.draw_series(bars).map_err(chart_error)?;
        chart
            .draw_series(middles.map(|p| Circle::new(p, 3, c.filled())))
            .map_err(chart_error)?;
        if let Some(ideal) = ideals.get(index) {
            let dashed =
                DashedLineSeries::new(ideal.iter().copied(), 6, 4, c.mix(0.6).stroke_width(1));
            chart.draw_series(dashed).map_err(chart_error)?;
        }
    }
    Ok(())
}

/// Width the key may use, and about how wide a 12 px character is.
const LEGEND_WIDTH: usize = WIDTH as usize - 90;
const LEGEND_CHAR_PX: usize = 7;

/// Three columns of key when the labels fit, else two, else one, so that a
/// long label never runs into the next.
fn legend_columns(labels: &[&str]) -> usize {
    let longest = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    let needed = 28 + LEGEND_CHAR_PX * longest;
    (1..=3)
        .rev()
        .find(|columns| LEGEND_WIDTH / columns >= needed)
        .unwrap_or(1)
}

/// The key under the chart, in columns, so it never covers a line.
fn legend(
    area: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    labels: &[&str],
    columns: usize,
    throughput: bool,
) -> anyhow::Result<()> {
    let column_width = (LEGEND_WIDTH / columns) as i32;
    let style = (FONT, 12).into_font();
    for (index, label) in labels.iter().enumerate() {
        let (x, y) = (
            80 + column_width * (index % columns) as i32,
            8 + 20 * (index / columns) as i32,
        );
        area.draw(&PathElement::new(
            vec![(x, y), (x + 22, y)],
            colour(index).stroke_width(3),
        ))
        .map_err(chart_error)?;
        area.draw(&Text::new(
            label.to_string(),
            (x + 28, y - 7),
            style.clone(),
        ))
        .map_err(chart_error)?;
    }
    if throughput {
        let y = 8 + 20 * labels.len().div_ceil(columns) as i32;
        let dashes: Vec<PathElement<(i32, i32)>> = (0..3)
            .map(|d| {
                PathElement::new(
                    vec![(80 + d * 8, y), (85 + d * 8, y)],
                    BLACK.stroke_width(1),
                )
            })
            .collect();
        for dash in &dashes {
            area.draw(dash).map_err(chart_error)?;
        }
        area.draw(&Text::new(
            "dashed: linear scaling from the first point",
            (108, y - 7),
            style,
        ))
        .map_err(chart_error)?;
    }
    Ok(())
}

/// (x, (low, median, high)) of ns/op, or of ops/s (the interval flips).
fn metric(point: &PointResult, throughput: bool) -> (f64, f64, f64) {
    let Some(s) = &point.summary else {
        return (0.0, 0.0, 0.0);
    };
    let e = &s.ns_per_op;
    // Without an interval (under 6 samples) the whisker has no length.
    let (lo, hi) = e.interval().unwrap_or((e.median, e.median));
    if throughput {
        let rate = |ns: f64| if ns > 0.0 { 1e9 / ns } else { 0.0 };
        (rate(hi), rate(e.median), rate(lo))
    } else {
        (lo, e.median, hi)
    }
}

/// Linear scaling from the line's first point: y0 * x / x0.
fn ideal(points: &[Plotted]) -> Vec<(f64, f64)> {
    let Some(&(x0, (_, y0, _))) = points.first() else {
        return Vec::new();
    };
    points
        .iter()
        .map(|(x, _)| (*x, y0 * x / x0.max(1.0)))
        .collect()
}

/// Mean busy % over all cores and the whole point, per x, per line.
fn utilisation_panel(
    area: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    scaling: &Scaling<'_>,
    x: &AxisRange,
) -> anyhow::Result<()> {
    let x = *x;
    let y = AxisRange {
        lo: 0.0,
        hi: 100.0,
        log: false,
    };
    crate::with_axes!(x, y, |xs, ys| {
        let mut chart = ChartBuilder::on(area)
            .caption("mean CPU busy", (FONT, 13))
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(40)
            .build_cartesian_2d(xs, ys)
            .map_err(chart_error)?;
        chart
            .configure_mesh()
            .x_desc(scaling.param.as_str())
            .y_desc("%")
            .x_label_formatter(&|v| format_count(*v))
            .y_label_formatter(&|v| format!("{v:.0}"))
            .label_style((FONT, 11))
            .light_line_style(RGBColor(235, 235, 235))
            .draw()
            .map_err(chart_error)?;
        for (index, line) in scaling.lines.iter().enumerate() {
            let points: Vec<(f64, f64)> = line
                .points
                .iter()
                .filter_map(|(x, p)| Some((*x as f64, mean_busy(p)?)))
                .collect();
            chart
                .draw_series(LineSeries::new(
                    points.iter().copied(),
                    colour(index).stroke_width(2),
                ))
                .map_err(chart_error)?;
            chart
                .draw_series(
                    points
                        .iter()
                        .map(|p| Circle::new(*p, 3, colour(index).filled())),
                )
                .map_err(chart_error)?;
        }
        anyhow::Ok(())
    })
}

/// Mean of every core's busy % over the point's timeline.
pub fn mean_busy(point: &PointResult) -> Option<f64> {
    let timeline = point.utilisation.as_ref()?;
    let values: Vec<f32> = timeline.per_core.iter().flatten().copied().collect();
    (!values.is_empty())
        .then(|| values.iter().map(|v| f64::from(*v)).sum::<f64>() / values.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_legend_labels_get_fewer_columns() {
        assert_eq!(legend_columns(&["std_thread/thread", "rayon/pool"]), 3);
        let medium = "thread_per_connection/thread payload=64";
        assert_eq!(legend_columns(&[medium, "tokio/async"]), 2);
        let long = "crossbeam_bounded/thread consumers=1 producers=1 payload=8";
        assert_eq!(legend_columns(&[long]), 1);
        assert_eq!(legend_columns(&[]), 3);
    }
}
