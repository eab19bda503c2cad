//! Per-core utilisation of one point as a heatmap: time across, one row per
//! core, shade from idle to 100% busy, so a reader sees at a glance whether
//! every core worked. Long timelines are averaged into at most a few
//! hundred cells to keep the page small.

use plotters::prelude::*;

use super::{FONT, chart_error, svg};
use crate::results::Utilisation;

/// At most this many columns, however long the timeline.
const MAX_COLUMNS: usize = 120;
/// Cells in all the heatmaps of one page together: each is an SVG element,
/// and this keeps a report of hundreds of points on many cores a few MB.
pub const PAGE_CELL_BUDGET: usize = 24_000;
/// Shades are quantised to this many steps, so equal neighbours merge.
const SHADE_STEPS: f64 = 20.0;

/// Idle is near white, 100% busy a deep blue.
pub fn shade(percent: f64) -> RGBColor {
    let t = (percent / 100.0).clamp(0.0, 1.0);
    let mix = |idle: f64, busy: f64| (idle + (busy - idle) * t).round() as u8;
    RGBColor(mix(244.0, 8.0), mix(247.0, 48.0), mix(251.0, 107.0))
}

/// Average `values` into `columns` equal buckets.
pub fn downsample(values: &[f32], columns: usize) -> Vec<f64> {
    if values.len() <= columns || columns == 0 {
        return values.iter().map(|v| f64::from(*v)).collect();
    }
    (0..columns)
        .map(|c| {
            let (start, end) = (
                c * values.len() / columns,
                ((c + 1) * values.len() / columns).max(c * values.len() / columns + 1),
            );
            values[start..end]
                .iter()
                .map(|v| f64::from(*v))
                .sum::<f64>()
                / (end - start) as f64
        })
        .collect()
}

/// Draw `timeline` in at most `max_cells` cells (columns x cores).
pub fn chart(timeline: &Utilisation, max_cells: usize) -> anyhow::Result<String> {
    let cores = timeline.per_core.len().max(1);
    let ticks = timeline.t_ms.len();
    let columns = ticks
        .min(MAX_COLUMNS)
        .min((max_cells / cores).max(8))
        .max(1);
    let rows: Vec<Vec<f64>> = timeline
        .per_core
        .iter()
        .map(|core| downsample(core, columns))
        .collect();
    let span_ms = timeline.t_ms.last().copied().unwrap_or(0).max(1) as f64;
    let row_height = if cores > 16 { 8 } else { 16 };
    let height = 70 + row_height * cores as u32;
    svg(560, height, |root| {
        let (plot, legend) = root.split_horizontally(480);
        let mut chart = ChartBuilder::on(&plot)
            .margin(6)
            .x_label_area_size(30)
            .y_label_area_size(54)
            // plotters cannot draw a one-row segmented axis: keep two rows.
            .build_cartesian_2d(0.0..span_ms, (0..cores.max(2) - 1).into_segmented())
            .map_err(chart_error)?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc("ms since the samples began")
            .y_desc("core")
            .y_labels(cores.min(16))
            .y_label_formatter(&|v| match v {
                SegmentValue::CenterOf(core) if *core < cores => core.to_string(),
                _ => String::new(),
            })
            .x_label_formatter(&|v| format!("{v:.0}"))
            .label_style((FONT, 11))
            .draw()
            .map_err(chart_error)?;
        let width_ms = span_ms / columns as f64;
        let cells = rows.iter().enumerate().flat_map(|(core, row)| {
            merged_runs(row)
                .into_iter()
                .map(move |(first, count, busy)| {
                    let (x0, x1) = (first as f64 * width_ms, (first + count) as f64 * width_ms);
                    let corners = [
                        (x0, SegmentValue::Exact(core)),
                        (x1, super::row_end(core, cores.max(2))),
                    ];
                    Rectangle::new(corners, shade(busy).filled())
                })
        });
        chart.draw_series(cells).map_err(chart_error)?;
        colour_key(&legend)
    })
}

/// Runs of neighbouring cells with the same quantised shade, as (first
/// column, length, busy %): one rectangle each.
fn merged_runs(row: &[f64]) -> Vec<(usize, usize, f64)> {
    let step = 100.0 / SHADE_STEPS;
    let mut runs: Vec<(usize, usize, f64)> = Vec::new();
    for (column, busy) in row.iter().enumerate() {
        let level = (busy / step).round() * step;
        match runs.last_mut() {
            Some(run) if run.2 == level => run.1 += 1,
            _ => runs.push((column, 1, level)),
        }
    }
    runs
}

/// The 0-100% shade key beside the heatmap.
fn colour_key(area: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>) -> anyhow::Result<()> {
    let (_, height) = area.dim_in_pixel();
    let top = 10i32;
    let bottom = height as i32 - 34;
    let steps = 10;
    for step in 0..steps {
        let y0 = bottom - (bottom - top) * (step + 1) / steps;
        let y1 = bottom - (bottom - top) * step / steps;
        let fill = shade(100.0 * (f64::from(step) + 0.5) / f64::from(steps)).filled();
        area.draw(&Rectangle::new([(8, y0), (24, y1)], fill))
            .map_err(chart_error)?;
    }
    let style = (FONT, 11).into_font();
    area.draw(&Text::new("100% busy", (28, top), style.clone()))
        .map_err(chart_error)?;
    area.draw(&Text::new("idle", (28, bottom - 12), style))
        .map_err(chart_error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{downsample, merged_runs};

    #[test]
    fn one_core_and_many_cores_draw_without_negative_sizes() {
        for cores in [1, 2, 16] {
            let timeline = crate::results::Utilisation {
                interval_ms: 50,
                t_ms: (1..=40).map(|t| t * 50).collect(),
                per_core: (0..cores)
                    .map(|c| (0..40).map(|t| ((t * 7 + c * 13) % 101) as f32).collect())
                    .collect(),
                sampler_cpu_ns: 0,
            };
            let svg = super::chart(&timeline, 720).expect("draws");
            assert!(
                !svg.contains("height=\"-") && !svg.contains("width=\"-"),
                "{cores} cores"
            );
        }
    }

    #[test]
    fn equal_neighbours_merge_into_one_run() {
        assert_eq!(
            merged_runs(&[100.0, 99.0, 100.0, 10.0]),
            vec![(0, 3, 100.0), (3, 1, 10.0)]
        );
    }

    #[test]
    fn downsampling_averages_buckets_and_keeps_short_series() {
        assert_eq!(downsample(&[10.0, 20.0, 30.0, 40.0], 2), vec![15.0, 35.0]);
        assert_eq!(downsample(&[10.0, 20.0], 5), vec![10.0, 20.0]);
    }
}
