//! Results in the formats CI benchmark services read: Bencher Metric Format
//! (latency in ns per operation and throughput in operations/s, each with
//! its 95% interval) and github-action-benchmark's customSmallerIsBetter.
//! Only measured points are exported.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::{Format, ReportInput};
use crate::results::PointResult;
use crate::vocab::Status;

fn measured<'a>(
    input: &ReportInput<'a>,
) -> impl Iterator<Item = (&'a PointResult, &'a crate::results::Summary)> {
    input
        .new
        .results
        .iter()
        .filter(|p| p.status == Status::Ok)
        .filter_map(|p| p.summary.as_ref().map(|s| (p, s)))
}

/// `{"<point id>": {"latency": {...}, "throughput": {...}}}`
pub struct Bmf;

impl Format for Bmf {
    fn render(&self, input: &ReportInput<'_>) -> anyhow::Result<Vec<u8>> {
        let rate = |ns: f64| if ns > 0.0 { 1e9 / ns } else { 0.0 };
        let benchmarks: BTreeMap<&str, Value> = measured(input)
            .map(|(p, s)| {
                let e = &s.ns_per_op;
                // Bencher's bounds are optional: none without an interval.
                let measures = match e.interval() {
                    Some((lo, hi)) => json!({
                        "latency": { "value": e.median, "lower_value": lo, "upper_value": hi },
                        "throughput": { "value": rate(e.median), "lower_value": rate(hi), "upper_value": rate(lo) },
                    }),
                    None => json!({
                        "latency": { "value": e.median },
                        "throughput": { "value": rate(e.median) },
                    }),
                };
                (p.id.as_str(), measures)
            })
            .collect();
        Ok(serde_json::to_vec_pretty(&benchmarks)?)
    }
}

/// `[{"name", "unit": "ns/<unit>", "value", "range", "extra"}]`
pub struct GithubActionBenchmark;

impl Format for GithubActionBenchmark {
    fn render(&self, input: &ReportInput<'_>) -> anyhow::Result<Vec<u8>> {
        let entries: Vec<Value> = measured(input)
            .map(|(p, s)| {
                let e = &s.ns_per_op;
                let (range, interval) = match e.interval() {
                    Some((lo, hi)) => (
                        format!("± {:.1}", (hi - lo) / 2.0),
                        format!("95% interval {lo:.1}..{hi:.1} ns"),
                    ),
                    None => (String::new(), "no 95% interval (under 6 samples)".to_string()),
                };
                json!({
                    "name": p.id,
                    "unit": format!("ns/{}", p.unit),
                    "value": e.median,
                    "range": range,
                    "extra": format!("{interval} over {} samples; {} {}", p.samples.len(), input.new.host.cpu_model, input.new.run.id),
                })
            })
            .collect();
        Ok(serde_json::to_vec_pretty(&entries)?)
    }
}
