//! A group's results from several fresh processes (`draws`) as one result
//! per point: samples one after another, each tagged with its process and
//! its round numbered apart (`ROUNDS_PER_DRAW`); CPU time, switches
//! and faults summed; the scenario's metrics the median over the processes;
//! latency merged; a process that failed fails the point, saying which.

use std::collections::BTreeMap;

use crate::plan::Point;
use crate::results::{Latency, Observation, PointResult, Summary, Utilisation};
use crate::vocab::Status;

/// Rounds of process k are numbered from k times this, so that rounds of
/// different processes never pair with each other.
pub const ROUNDS_PER_DRAW: u32 = 1_000_000;

/// One result per point of `points`, from every process's results (or why
/// a process gave none).
pub fn merge(points: &[Point], draws: Vec<Result<Vec<PointResult>, String>>) -> Vec<PointResult> {
    let total = draws.len();
    points
        .iter()
        .map(|point| {
            let id = point.id();
            let parts: Vec<Result<&PointResult, String>> = draws
                .iter()
                .map(|draw| match draw {
                    Ok(results) => results
                        .iter()
                        .find(|r| r.id == id)
                        .ok_or_else(|| "the draw process did not report it".to_string()),
                    Err(why) => Err(why.clone()),
                })
                .collect();
            merge_point(point, &parts, total)
        })
        .collect()
}

fn merge_point(point: &Point, parts: &[Result<&PointResult, String>], total: usize) -> PointResult {
    let mut merged = crate::harness::empty_result(point);
    let failure = parts.iter().enumerate().find_map(|(k, part)| match part {
        Err(why) => Some((
            Status::Failed,
            format!("in process {} of {total}: {why}", k + 1),
        )),
        Ok(r) if r.status != Status::Ok => Some((
            r.status,
            format!(
                "in process {} of {total}: {}",
                k + 1,
                r.error.as_deref().unwrap_or(r.status.word())
            ),
        )),
        Ok(_) => None,
    });
    let ok: Vec<(u32, &PointResult)> = parts
        .iter()
        .enumerate()
        .filter_map(|(k, p)| Some((k as u32, *p.as_ref().ok()?)))
        .collect();
    merged.elapsed_ns = ok.iter().map(|(_, r)| r.elapsed_ns).sum();
    if let Some((status, why)) = failure {
        merged.status = status;
        merged.error = Some(why);
        return merged;
    }
    let mut draws = Vec::new();
    let mut rounds = Vec::new();
    for (k, r) in &ok {
        merged.samples.extend(r.samples.iter().copied());
        draws.extend(std::iter::repeat_n(*k, r.samples.len()));
        let own: Vec<u32> = match &r.paired_rounds {
            Some(rounds) => rounds.clone(),
            None => (0..r.samples.len() as u32).collect(),
        };
        rounds.extend(own.into_iter().map(|round| k * ROUNDS_PER_DRAW + round));
    }
    let results: Vec<&PointResult> = ok.iter().map(|(_, r)| *r).collect();
    merged.status = Status::Ok;
    merged.summary = Some(summary_over_draws(&merged.samples, &draws));
    merged.paired_group = results[0].paired_group.clone();
    merged.paired_rounds = Some(rounds);
    merged.draws = Some(draws);
    merged.resources =
        results
            .iter()
            .filter_map(|r| r.resources.clone())
            .fold(None, |mut total, part| {
                crate::harness::resources::accumulate(&mut total, part);
                total
            });
    let timelines: Vec<_> = results
        .iter()
        .filter_map(|r| r.utilisation.as_ref())
        .collect();
    merged.utilisation = joined_utilisation(&timelines);
    let observed: Vec<_> = results
        .iter()
        .filter_map(|r| r.placement.as_ref())
        .collect();
    merged.placement = joined_placement(&observed);
    let latencies: Vec<Latency> = results
        .iter()
        .filter_map(|r| r.latency_ns.clone())
        .collect();
    merged.latency_ns = Latency::merged(&latencies);
    merged.metrics = median_metrics(&results);
    merged
        .metrics
        .insert("processes".into(), results.len() as f64);
    merged
}

/// Each metric's median over the processes that report it.
fn median_metrics(results: &[&PointResult]) -> BTreeMap<String, f64> {
    let mut all: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for r in results {
        for (name, value) in &r.metrics {
            all.entry(name.clone()).or_default().push(*value);
        }
    }
    all.into_iter()
        .map(|(name, mut values)| {
            values.sort_by(f64::total_cmp);
            (name, crate::stats::median_of_sorted(&values))
        })
        .collect()
}

/// Summary over several processes: the pooled samples' spread and
/// outliers, with the median and its interval taken over the processes'
/// own medians (none below 6 processes).
pub fn summary_over_draws(samples: &[crate::vocab::Sample], draws: &[u32]) -> Summary {
    let mut summary = Summary::of(samples);
    let mut per_draw: std::collections::BTreeMap<u32, Vec<f64>> = Default::default();
    for (sample, &draw) in samples.iter().zip(draws) {
        per_draw
            .entry(draw)
            .or_default()
            .push(sample.ns as f64 / sample.ops.max(1) as f64);
    }
    let mut medians: Vec<f64> = per_draw
        .into_values()
        .map(|mut v| {
            v.sort_by(f64::total_cmp);
            crate::stats::median_of_sorted(&v)
        })
        .collect();
    medians.sort_by(f64::total_cmp);
    if medians.is_empty() {
        return summary;
    }
    let e = &mut summary.ns_per_op;
    e.median = crate::stats::median_of_sorted(&medians);
    let interval = crate::stats::median_interval(&medians);
    (e.ci95_lo, e.ci95_hi) = (interval.map(|i| i.0), interval.map(|i| i.1));
    summary.ops_per_s = if e.median > 0.0 { 1e9 / e.median } else { 0.0 };
    summary
}

/// Several utilisation timelines one after another.
pub fn joined_utilisation(parts: &[&Utilisation]) -> Option<Utilisation> {
    let first = parts.first()?;
    let mut joined = Utilisation {
        interval_ms: first.interval_ms,
        ..Utilisation::default()
    };
    let mut offset = 0;
    for part in parts {
        joined.t_ms.extend(part.t_ms.iter().map(|t| t + offset));
        offset = joined.t_ms.last().copied().unwrap_or(offset);
        joined
            .per_core
            .resize(part.per_core.len().max(joined.per_core.len()), Vec::new());
        for (core, values) in part.per_core.iter().enumerate() {
            joined.per_core[core].extend(values);
        }
        joined.sampler_cpu_ns += part.sampler_cpu_ns;
    }
    Some(joined)
}

/// Several observations one after another.
pub fn joined_placement(parts: &[&Observation]) -> Option<Observation> {
    let first = parts.first()?;
    let mut joined = Observation {
        hardware_counters: first.hardware_counters.clone(),
        ..Observation::default()
    };
    for part in parts {
        joined.parties = joined.parties.max(part.parties);
        joined.observed = joined.observed.max(part.observed);
        joined.cost_ns += part.cost_ns;
        joined.samples.extend(part.samples.iter().cloned());
    }
    Some(joined)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::{Model, Params, Sample};

    fn point() -> Point {
        Point {
            scenario: crate::scenario::registry::find("spawn.start").expect("registered"),
            variant: "std_thread",
            model: Model::Thread,
            params: Params([("workers".to_string(), 10)].into()),
            settings: crate::plan::Settings::default(),
            expect: None,
            runtime: None,
        }
    }

    /// What one process reported for the point: samples of `ns` each, in
    /// rounds 0.., with a metric.
    fn drawn(ns: &[u64], metric: f64) -> PointResult {
        let mut r = crate::harness::empty_result(&point());
        r.status = Status::Ok;
        r.samples = ns.iter().map(|&ns| Sample { ops: 1, ns }).collect();
        r.summary = Some(crate::results::Summary::of(&r.samples));
        r.paired_group = Some("g".into());
        r.paired_rounds = Some((0..ns.len() as u32).collect());
        r.metrics.insert("x".into(), metric);
        r
    }

    #[test]
    fn processes_merge_into_one_point_with_the_process_as_the_unit() {
        let draws: Vec<Result<Vec<PointResult>, String>> = (0..6)
            .map(|k| {
                Ok(vec![drawn(
                    &[100 + 10 * k, 101 + 10 * k, 102 + 10 * k],
                    k as f64,
                )])
            })
            .collect();
        let merged = merge(&[point()], draws).remove(0);
        assert_eq!(merged.status, Status::Ok);
        assert_eq!(merged.samples.len(), 18);
        let draws = merged.draws.as_ref().expect("tagged");
        assert_eq!((draws[0], draws[17]), (0, 5));
        let rounds = merged.paired_rounds.as_ref().expect("rounds");
        assert_eq!(
            (rounds[3], rounds[17]),
            (ROUNDS_PER_DRAW, 5 * ROUNDS_PER_DRAW + 2)
        );
        // The median of the six processes' medians (101, 111, ... 151) and
        // the interval over them: [min, max] of six.
        let e = merged.summary.as_ref().expect("summary").ns_per_op;
        assert_eq!((e.median, e.interval()), (126.0, Some((101.0, 151.0))));
        assert_eq!(
            (merged.metrics["x"], merged.metrics["processes"]),
            (2.5, 6.0)
        );
    }

    #[test]
    fn fewer_than_six_processes_give_no_interval_and_a_lost_one_fails_the_point() {
        let two = vec![
            Ok(vec![drawn(&[100; 10], 1.0)]),
            Ok(vec![drawn(&[120; 10], 1.0)]),
        ];
        let merged = merge(&[point()], two).remove(0);
        assert_eq!(merged.summary.expect("summary").ns_per_op.interval(), None);
        let lost = vec![
            Ok(vec![drawn(&[100; 4], 1.0)]),
            Err("exited with 9".to_string()),
        ];
        let merged = merge(&[point()], lost).remove(0);
        assert_eq!(merged.status, Status::Failed);
        assert_eq!(
            merged.error.as_deref(),
            Some("in process 2 of 2: exited with 9")
        );
    }
}
