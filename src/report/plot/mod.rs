//! Charts for the HTML report, drawn with plotters into SVG strings: one file
//! per chart type. Shared here: the palette, axis choice (log when values
//! span decades) and the SVG canvas.

pub mod bars;
mod compact;
pub mod drift;
pub mod heatmap;
pub mod latency;
pub mod placement;
pub mod scaling;

use plotters::prelude::*;

/// Chart width in px; the page's column is laid out for it.
pub const WIDTH: u32 = 760;
pub const FONT: &str = "sans-serif";

/// Tableau 10: distinct, colour-blind-friendly line and bar colours.
const PALETTE: [(u8, u8, u8); 10] = [
    (78, 121, 167),
    (242, 142, 43),
    (225, 87, 89),
    (118, 183, 178),
    (89, 161, 79),
    (237, 201, 72),
    (176, 122, 161),
    (255, 157, 167),
    (156, 117, 95),
    (186, 176, 172),
];

pub fn colour(index: usize) -> RGBColor {
    let (r, g, b) = PALETTE[index % PALETTE.len()];
    RGBColor(r, g, b)
}

/// A log axis reads better once the values span more than this ratio.
const LOG_SPAN: f64 = 30.0;

/// An axis range over `values` (all > 0 for a log axis), padded a little.
#[derive(Debug, Clone, Copy)]
pub struct AxisRange {
    pub lo: f64,
    pub hi: f64,
    pub log: bool,
}

impl AxisRange {
    /// Log when every value is positive and they span decades.
    pub fn fit(values: impl IntoIterator<Item = f64>, include_zero: bool) -> AxisRange {
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for v in values.into_iter().filter(|v| v.is_finite()) {
            lo = lo.min(v);
            hi = hi.max(v);
        }
        if !lo.is_finite() {
            return AxisRange {
                lo: 0.0,
                hi: 1.0,
                log: false,
            };
        }
        if lo > 0.0 && hi / lo > LOG_SPAN {
            return AxisRange {
                lo: lo / 1.5,
                hi: hi * 1.5,
                log: true,
            };
        }
        let pad = ((hi - lo) * 0.08).max(hi.abs() * 0.05).max(1e-9);
        let lo = if include_zero {
            lo.min(0.0)
        } else {
            (lo - pad).max(0.0)
        };
        AxisRange {
            lo,
            hi: hi + pad,
            log: false,
        }
    }
}

/// The upper edge of row `row` of `rows` on a segmented axis: the next
/// row's start, or the axis end for the last (plotters has no `Exact(rows)`).
pub fn row_end(row: usize, rows: usize) -> plotters::prelude::SegmentValue<usize> {
    use plotters::prelude::SegmentValue;
    if row + 1 >= rows {
        SegmentValue::Last
    } else {
        SegmentValue::Exact(row + 1)
    }
}

/// Draw on a fresh SVG canvas and return the SVG text.
pub fn svg(
    width: u32,
    height: u32,
    draw: impl FnOnce(&DrawingArea<SVGBackend<'_>, plotters::coord::Shift>) -> anyhow::Result<()>,
) -> anyhow::Result<String> {
    let mut text = String::new();
    {
        let root = SVGBackend::with_string(&mut text, (width, height)).into_drawing_area();
        root.fill(&WHITE).map_err(chart_error)?;
        draw(&root)?;
        root.present().map_err(chart_error)?;
    }
    Ok(compact::compact(&text))
}

/// plotters errors borrow nothing useful; keep their message.
pub fn chart_error(error: impl std::fmt::Display) -> anyhow::Error {
    anyhow::anyhow!("drawing a chart: {error}")
}

/// Short tick labels for counts and rates: 950, 12k, 3.4M.
pub fn format_count(value: f64) -> String {
    let (scaled, suffix) = match value.abs() {
        m if m >= 1e9 => (value / 1e9, "G"),
        m if m >= 1e6 => (value / 1e6, "M"),
        m if m >= 1e3 => (value / 1e3, "k"),
        _ => (value, ""),
    };
    let digits = format!("{scaled:.2}");
    format!(
        "{}{suffix}",
        digits.trim_end_matches('0').trim_end_matches('.')
    )
}

/// Call `$body` with `$x` and `$y` as plotters range specs, log or linear as
/// each `AxisRange` says: the four combinations are distinct types.
#[macro_export]
macro_rules! with_axes {
    ($x:expr, $y:expr, |$xs:ident, $ys:ident| $body:expr) => {{
        let (x, y) = ($x, $y);
        match (x.log, y.log) {
            (true, true) => {
                let ($xs, $ys) = ((x.lo..x.hi).log_scale(), (y.lo..y.hi).log_scale());
                $body
            }
            (true, false) => {
                let ($xs, $ys) = ((x.lo..x.hi).log_scale(), y.lo..y.hi);
                $body
            }
            (false, true) => {
                let ($xs, $ys) = (x.lo..x.hi, (y.lo..y.hi).log_scale());
                $body
            }
            (false, false) => {
                let ($xs, $ys) = (x.lo..x.hi, y.lo..y.hi);
                $body
            }
        }
    }};
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axes_go_log_only_across_decades_of_positive_values() {
        assert!(AxisRange::fit([1.0, 1000.0], false).log);
        assert!(!AxisRange::fit([10.0, 20.0], false).log);
        assert!(!AxisRange::fit([0.0, 1000.0], false).log);
    }

    #[test]
    fn counts_read_short() {
        assert_eq!(format_count(950.0), "950");
        assert_eq!(format_count(12_000.0), "12k");
        assert_eq!(format_count(3_400_000.0), "3.4M");
        assert_eq!(format_count(0.0), "0");
    }
}
