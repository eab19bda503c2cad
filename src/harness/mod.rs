//! Measures one point: runs it under the watchdog and turns whatever happened
//! (numbers, an error, a panic, a timeout) into one `PointResult`. Knows no
//! scenario by name.

pub mod drift;
pub mod group;
pub mod measure;
pub mod observe;
pub mod protocol;
pub mod relative;
pub mod resources;
pub mod rounds;
pub mod sampler;
pub mod sampling;
pub mod serve;
pub mod watchdog;

use std::collections::BTreeMap;
use std::time::Instant;

use crate::plan::Point;
use crate::results::PointResult;
use crate::scenario::{CancelToken, Progress, TrialContext};
use crate::vocab::Status;
use watchdog::Outcome;

/// Measure `point`; never panics and never waits past the point's timeout
/// (plus the time the point thread needs to notice).
pub fn run_point(point: &Point) -> PointResult {
    // The machine's limits are checked before anything starts: a point that
    // cannot fit is skipped with the limit named, not left to hang or fail.
    if let Some(why) = cannot_run(point) {
        return skipped(point, why);
    }
    let started = Instant::now();
    let context = TrialContext {
        variant: point.variant,
        model: point.model,
        params: point.params.clone(),
        cancel: CancelToken::default(),
        progress: Progress::default(),
        worker_binary: crate::model::worker::worker_binary(),
        runtime: point.runtime.clone(),
    };
    let cancel = context.cancel.clone();
    let owned = point.clone();
    let watch = watchdog::Watch {
        timeout: point.settings.timeout,
        progress: context.progress.clone(),
        stall_timeout: point.settings.stall_timeout,
    };
    // Every child the point starts joins this group: whatever happens to
    // the point, `finish` kills and reaps them all.
    let group = match crate::model::group::PointGroup::start() {
        Ok(group) => group,
        Err(e) => {
            let mut result = empty_result(point);
            result.status = Status::Failed;
            result.error = Some(format!("{e:#}"));
            return result;
        }
    };
    let outcome = watchdog::run_watched(&watch, move || {
        measure::measure(&owned, &context).map_err(failure)
    });
    group.finish();
    let mut result = empty_result(point);
    match outcome {
        Outcome::Finished(Ok(m)) => fill(&mut result, m),
        Outcome::Finished(Err((status, message))) => {
            result.status = status;
            result.error = Some(message);
        }
        Outcome::Panicked(message) => {
            result.status = Status::Failed;
            result.error = Some(format!("panicked: {message}"));
        }
        Outcome::Stalled { stalled_for, after } => {
            cancel.cancel();
            result.status = Status::Deadlocked;
            result.error = Some(format!(
                "no progress for {} (after {} of running); the point was stopped and its threads abandoned",
                humantime::format_duration(round_ms(stalled_for)),
                humantime::format_duration(round_ms(after))
            ));
        }
        Outcome::Interrupted(signal) => {
            cancel.cancel();
            result.status = Status::Failed;
            result.error = Some(format!(
                "interrupted by {} before the point finished",
                crate::interrupt::name(signal)
            ));
        }
        Outcome::TimedOut => {
            cancel.cancel();
            result.status = Status::TimedOut;
            result.error = Some(format!(
                "no result within the {} timeout; the point was abandoned",
                humantime::format_duration(point.settings.timeout)
            ));
        }
    }
    if result.status == Status::Ok
        && let Some(expected) = point.expect
    {
        result.error = Some(format!(
            "meant to show `{}`, but it finished and verified its work",
            expected.word()
        ));
    }
    result.elapsed_ns = started.elapsed().as_nanos() as u64;
    result
}

/// Why `point` cannot run here at all, checked before anything starts:
/// the machine's limits name the one it would exceed, and an external
/// variant's runtime must start and greet.
pub(crate) fn cannot_run(point: &Point) -> Option<String> {
    if let Err(why) = point
        .scenario
        .check_variant_limits(point.variant, point.model, &point.params)
    {
        return Some(why);
    }
    let runtime = point.runtime.as_ref()?;
    match crate::model::runtime::probed(runtime) {
        crate::model::runtime::Probe::Missing(why) => Some(format!("{}: {why}", runtime.name)),
        _ => None,
    }
}

/// A point's error as its status and message: what the machine or the
/// runtime does not support is `skipped`, anything else `failed`.
pub(crate) fn failure(error: anyhow::Error) -> (Status, String) {
    let unsupported = error
        .chain()
        .find_map(|cause| cause.downcast_ref::<crate::vocab::Unsupported>());
    match unsupported {
        Some(why) => (Status::Skipped, why.to_string()),
        None => (Status::Failed, format!("{error:#}")),
    }
}

/// A measured point's figures into its result.
fn fill(result: &mut PointResult, m: measure::Measurement) {
    result.status = Status::Ok;
    result.samples = m.samples;
    result.summary = Some(m.summary);
    result.resources = Some(m.resources);
    result.utilisation = Some(m.utilisation);
    result.metrics = m.metrics;
    result.latency_ns = m.latency;
    result.placement = m.placement;
}

fn round_ms(d: std::time::Duration) -> std::time::Duration {
    std::time::Duration::from_millis(d.as_millis() as u64)
}

/// A point that was not measured, with the reason.
pub fn skipped(point: &Point, reason: String) -> PointResult {
    let mut result = empty_result(point);
    result.status = Status::Skipped;
    result.error = Some(reason);
    result
}

pub(crate) fn empty_result(point: &Point) -> PointResult {
    let info = point.scenario.info();
    PointResult {
        id: point.id(),
        family: info.family,
        scenario: info.id.to_string(),
        variant: point.variant_label(),
        model: point.model,
        params: point.params.clone(),
        status: Status::Skipped,
        expected: point.expect,
        error: None,
        unit: info.unit.to_string(),
        elapsed_ns: 0,
        samples: Vec::new(),
        summary: None,
        latency_ns: None,
        resources: None,
        utilisation: None,
        metrics: BTreeMap::new(),
        paired_group: None,
        paired_rounds: None,
        runtime: point.runtime.as_deref().map(crate::model::runtime::record),
        draws: None,
        placement: None,
        earlier_medians: Vec::new(),
    }
}
