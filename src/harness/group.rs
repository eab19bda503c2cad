//! Measures a group of points together (see `plan::groups` for which, and
//! `rounds` for how) under one watchdog, and turns each one's outcome into
//! its `PointResult`, marked with the group it was paired in. A group that
//! times out, stalls or panics is measured again point by point, so that
//! the point at fault fails alone and the others are still measured (then
//! unpaired, and their comparisons say so).

use std::time::{Duration, Instant};

use super::watchdog::{self, Outcome};
use super::{cannot_run, empty_result, failure, fill, rounds, run_point, skipped};
use crate::plan::Point;
use crate::results::PointResult;
use crate::scenario::{CancelToken, Progress, TrialContext};
use crate::vocab::Status;

/// Measure `points` in interleaved rounds as the group `label`; results in
/// the order of `points`.
pub fn run_group(points: &[Point], label: &str) -> Vec<PointResult> {
    let mut results: Vec<Option<PointResult>> = points.iter().map(|_| None).collect();
    let mut members = Vec::new();
    for (i, point) in points.iter().enumerate() {
        match cannot_run(point) {
            None => members.push(i),
            Some(why) => results[i] = Some(skipped(point, why)),
        }
    }
    if members.len() < 2 {
        for &i in &members {
            results[i] = Some(run_point(&points[i]));
        }
    } else {
        let chosen: Vec<Point> = members.iter().map(|&i| points[i].clone()).collect();
        for (i, result) in members.iter().zip(measure_together(&chosen, label)) {
            results[*i] = Some(result);
        }
    }
    results.into_iter().flatten().collect()
}

/// Measure `points` (two or more, all within the machine's limits) in one
/// set of interleaved rounds under one watchdog.
fn measure_together(points: &[Point], label: &str) -> Vec<PointResult> {
    let started = Instant::now();
    let (cancel, progress) = (CancelToken::default(), Progress::default());
    let contexts: Vec<TrialContext> = points
        .iter()
        .map(|point| TrialContext {
            variant: point.variant,
            model: point.model,
            params: point.params.clone(),
            cancel: cancel.clone(),
            progress: progress.clone(),
            worker_binary: crate::model::worker::worker_binary(),
            runtime: point.runtime.clone(),
        })
        .collect();
    // The longest timeout of any one point, plus twice what the others'
    // warm-ups and samples are meant to take.
    let meant: Duration = points
        .iter()
        .map(|p| p.settings.warmup + 2 * p.settings.measure_time)
        .sum();
    let longest = points.iter().map(|p| p.settings.timeout).max();
    let watch = watchdog::Watch {
        timeout: longest.unwrap_or(Duration::from_secs(60)) + 2 * meant,
        progress,
        stall_timeout: points
            .iter()
            .map(|p| p.settings.stall_timeout)
            .min()
            .unwrap_or(Duration::from_secs(2)),
    };
    let Ok(group) = crate::model::group::PointGroup::start() else {
        return points.iter().map(run_point).collect();
    };
    let owned = points.to_vec();
    let outcome = watchdog::run_watched(&watch, move || {
        rounds::measure_group(&owned, &contexts)
            .into_iter()
            .map(|m| m.map_err(failure))
            .collect::<Vec<_>>()
    });
    group.finish();
    let share = started.elapsed().as_nanos() as u64 / points.len() as u64;
    match outcome {
        Outcome::Finished(measured) => points
            .iter()
            .zip(measured)
            .map(|(point, m)| {
                let mut result = empty_result(point);
                match m {
                    Ok((m, rounds)) => {
                        fill(&mut result, m);
                        result.paired_group = Some(label.to_string());
                        result.paired_rounds = Some(rounds);
                    }
                    Err((status, message)) => {
                        result.status = status;
                        result.error = Some(message);
                    }
                }
                // The group's wall time, shared evenly among its points.
                result.elapsed_ns = share;
                result
            })
            .collect(),
        Outcome::Interrupted(signal) => {
            cancel.cancel();
            points
                .iter()
                .map(|point| {
                    let mut result = empty_result(point);
                    result.status = Status::Failed;
                    result.error = Some(format!(
                        "interrupted by {} before the point finished",
                        crate::interrupt::name(signal)
                    ));
                    result
                })
                .collect()
        }
        Outcome::Panicked(_) | Outcome::Stalled { .. } | Outcome::TimedOut => {
            // One of them misbehaved: each alone now, so only it pays.
            cancel.cancel();
            let what = match outcome {
                Outcome::Panicked(_) => "panicked",
                Outcome::Stalled { .. } => "stalled",
                _ => "timed out",
            };
            eprintln!(
                "warning: the paired group `{label}` {what}; measuring its {} points one by one (unpaired)",
                points.len()
            );
            points.iter().map(run_point).collect()
        }
    }
}
