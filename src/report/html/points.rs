//! Each point's own figures in a scenario's part of report.html: on a page
//! of a few hundred points, a block per point with its utilisation heatmap,
//! latency percentiles and resources; on a larger page (a full sweep), one
//! compact table per scenario, so the page stays a few MB.

use std::fmt::Write;

use crate::report::plot;
use crate::results::{PointResult, Resources};
use crate::text::{escape, format_ns};

/// A page with more points than this draws their figures as tables.
pub const MOST_CHARTED_POINTS: usize = 300;

/// How each point's own figures are drawn.
#[derive(Clone, Copy, Debug)]
pub enum Detail {
    /// A block per point with charts; each heatmap may use this many cells.
    Charts { heatmap_cells: usize },
    /// One table row per point.
    Table,
}

impl Detail {
    /// Charts while the page has few enough points to keep them small.
    pub fn for_page(points: usize) -> Detail {
        if points > MOST_CHARTED_POINTS {
            Detail::Table
        } else {
            Detail::Charts {
                heatmap_cells: plot::heatmap::PAGE_CELL_BUDGET / points.max(1),
            }
        }
    }
}

/// The figures of `points`, drawn as `detail` says.
pub fn section(points: &[&PointResult], detail: Detail) -> anyhow::Result<String> {
    match detail {
        Detail::Charts { heatmap_cells } => {
            let mut out = String::new();
            for point in points {
                out.push_str(&point_block(point, heatmap_cells)?);
            }
            Ok(out)
        }
        Detail::Table => Ok(table(points)),
    }
}

/// One row per point: each core's mean busy % as a shaded cell, latency
/// percentiles, CPU time, context switches and peak memory.
fn table(points: &[&PointResult]) -> String {
    let mut out = String::from(
        "<table class=\"points compact\"><caption>Each point measured (a full sweep: one row per point instead of its charts)</caption><tr><th>point</th><th>status</th><th>cores busy (mean %)</th>\
         <th>latency p50 / p99 / max</th><th>user / sys CPU</th><th>context switches</th><th>peak RSS</th></tr>",
    );
    for p in points {
        let cores = p.utilisation.as_ref().map_or(String::new(), |u| {
            u.per_core
                .iter()
                .map(|core| busy_cell(core))
                .collect::<String>()
        });
        let latency = p.latency_ns.as_ref().map_or(String::new(), |l| {
            format!(
                "{} / {} / {}",
                format_ns(l.p50 as f64),
                format_ns(l.p99 as f64),
                format_ns(l.max as f64)
            )
        });
        let (cpu, switches, rss) = p.resources.as_ref().map_or_else(Default::default, |r| {
            (
                match worker_cpu_ns(p) {
                    Some(ns) => format!("{} worker (user + sys)", format_ns(ns)),
                    None => format!(
                        "{} / {}",
                        format_ns((r.user_ns + r.children.user_ns) as f64),
                        format_ns((r.sys_ns + r.children.sys_ns) as f64)
                    ),
                },
                (r.voluntary_cs
                    + r.children.voluntary_cs
                    + r.involuntary_cs
                    + r.children.involuntary_cs)
                    .to_string(),
                bytes(r.max_rss_bytes as f64),
            )
        });
        let status = match &p.error {
            Some(error) => format!("{}: {}", p.status_text(), escape(error)),
            None => p.status_text(),
        };
        let _ = write!(
            out,
            "<tr><td><code>{}</code></td><td>{status}</td><td class=\"cores\">{cores}</td>\
             <td>{latency}</td><td>{cpu}</td><td>{switches}</td><td>{rss}</td></tr>",
            escape(&p.id)
        );
    }
    out.push_str("</table>");
    out
}

/// A core's mean busy %, shaded from idle (light) to busy (dark blue).
fn busy_cell(core: &[f32]) -> String {
    let mean = if core.is_empty() {
        0.0
    } else {
        core.iter().map(|v| f64::from(*v)).sum::<f64>() / core.len() as f64
    };
    let colour = plot::heatmap::shade(mean);
    let ink = if mean > 55.0 { "#fff" } else { "#1f2328" };
    format!(
        "<span style=\"background:#{:02x}{:02x}{:02x};color:{ink}\">{mean:.0}</span>",
        colour.0, colour.1, colour.2
    )
}

/// A byte count in its natural unit.
pub fn bytes(value: f64) -> String {
    match value {
        v if v >= (1u64 << 30) as f64 => format!("{:.2} GiB", v / (1u64 << 30) as f64),
        v if v >= (1u64 << 20) as f64 => format!("{:.1} MiB", v / (1u64 << 20) as f64),
        v if v >= 1024.0 => format!("{:.1} KiB", v / 1024.0),
        v => format!("{v:.0} B"),
    }
}

fn point_block(p: &PointResult, heatmap_cells: usize) -> anyhow::Result<String> {
    let mut out = format!(
        "<div class=\"point\"><h4><code>{}</code> — {}</h4><div class=\"row\">",
        escape(&p.id),
        p.status_text()
    );
    if let Some(timeline) = p.utilisation.as_ref().filter(|t| !t.t_ms.is_empty()) {
        let _ = write!(
            out,
            "<figure>{}</figure>",
            plot::heatmap::chart(timeline, heatmap_cells)?
        );
    }
    if let (Some(classes), Some(chart)) = (p.own_placement_dependence(), plot::placement::chart(p))
    {
        let _ = write!(
            out,
            "<figure>{}<figcaption>{}<br>speed depends on placement: {}</figcaption></figure>",
            chart?,
            plot::placement::legend(p),
            escape(&crate::results::describe_classes(&classes, &p.unit))
        );
    }
    if let Some(latency) = &p.latency_ns {
        let _ = write!(
            out,
            "<figure>{}</figure>",
            plot::latency::chart("latency percentiles", latency)?
        );
    }
    if let Some(r) = &p.resources {
        out.push_str(&resources_list(r, worker_cpu_ns(p)));
    }
    if let Some(error) = &p.error {
        let _ = write!(out, "<p class=\"warn\">{}</p>", escape(error));
    }
    out.push_str("</div></div>");
    Ok(out)
}

/// The CPU a point run in another runtime (CPython) used while measured:
/// its worker's own figure, the worker's children included, user and sys
/// together as the worker reports them. The Rust side's rusage misses it:
/// the long-lived worker is not reaped during the samples, and concbench
/// only waits for its answers. None for a Rust point, or a worker that did
/// not say.
fn worker_cpu_ns(p: &PointResult) -> Option<f64> {
    let per_op = p
        .runtime
        .as_ref()
        .and(p.metrics.get("worker_cpu_ns_per_op"))?;
    let ops: u64 = p.samples.iter().map(|s| s.ops).sum();
    Some(per_op * ops as f64)
}

/// What the point cost the machine, as a definition list; `worker_cpu`:
/// the CPU of the worker of a point run in another runtime.
fn resources_list(r: &Resources, worker_cpu: Option<f64>) -> String {
    let pair = |a: u64, b: u64| format!("{} / {}", format_ns(a as f64), format_ns(b as f64));
    let mut rows = vec![("measured for", format_ns(r.wall_ns as f64))];
    match worker_cpu {
        Some(ns) => rows.extend([
            ("worker CPU (user + sys, with its children)", format_ns(ns)),
            ("concbench's own user / sys", pair(r.user_ns, r.sys_ns)),
        ]),
        None => rows.push(("user / sys CPU", pair(r.user_ns, r.sys_ns))),
    }
    rows.extend([
        (
            "children user / sys",
            pair(r.children.user_ns, r.children.sys_ns),
        ),
        (
            "context switches",
            format!(
                "{} voluntary, {} involuntary",
                r.voluntary_cs + r.children.voluntary_cs,
                r.involuntary_cs + r.children.involuntary_cs
            ),
        ),
        (
            "minor faults",
            format!("{}", r.minor_faults + r.children.minor_faults),
        ),
        (
            "peak RSS",
            format!(
                "{} (from {})",
                bytes(r.max_rss_bytes as f64),
                bytes(r.start_rss_bytes as f64)
            ),
        ),
    ]);
    let mut out = String::from("<dl>");
    for (key, value) in rows {
        let _ = write!(out, "<dt>{key}</dt><dd>{}</dd>", escape(&value));
    }
    out.push_str("</dl>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::RuntimeRecord;

    /// A CPython point: the harness side used 1 ms user and 0.5 ms sys,
    /// its worker 5 ms per operation over 500 operations (2.5 s).
    fn cpython_point() -> PointResult {
        let mut p = crate::report::findings::tests::point(1e6, &[1.0; 5], None);
        p.runtime = Some(RuntimeRecord {
            name: "python3".into(),
            runtime: "cpython".into(),
            version: "3.12".into(),
            gil_enabled: Some(true),
        });
        p.resources = Some(Resources {
            wall_ns: 3_000_000_000,
            user_ns: 1_000_000,
            sys_ns: 500_000,
            ..Resources::default()
        });
        p.metrics.insert("worker_cpu_ns_per_op".into(), 5e6);
        p
    }

    #[test]
    fn a_cpython_point_shows_its_workers_cpu_not_only_the_harness_side() {
        let p = cpython_point();
        let row = table(&[&p]);
        assert!(
            row.contains("2.50 s"),
            "the worker's CPU in the table: {row}"
        );
        let block = point_block(&p, 100).expect("draws");
        assert!(
            block.contains("2.50 s"),
            "and in the point's block: {block}"
        );
        // A Rust point still shows its own process's user / sys.
        let mut rust = p.clone();
        rust.runtime = None;
        rust.metrics.clear();
        assert!(table(&[&rust]).contains("1.00 ms / 500 µs"));
        assert!(!table(&[&rust]).contains("2.50 s"));
    }
}
