//! `concbench worker serve`: the measuring worker of the interleaved gate.
//! It holds at most one point's trial at a time and does exactly what the
//! controller asks, one line at a time (see `protocol`): build, warm up, time
//! a sample of so many rounds, verify, drop. The timing happens here, inside
//! the build being measured, exactly as the harness times a point.

use std::io::{BufRead, Write};
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow, bail};

use super::measure::{slowed, timed_run, warm_rounds};
use super::protocol::{BuildSpec, Reply, Request, VERSION, Verified};
use super::resources::Snapshot;
use crate::model::group::PointGroup;
use crate::scenario::{CancelToken, Measured, Progress, Trial, TrialContext, registry};
use crate::vocab::{Params, Sample};

/// One built point: its trial, what was timed of it, and its children's group.
struct Served {
    trial: Box<dyn Trial>,
    context: TrialContext,
    /// The calibration knob: busy work worth this fraction of each sample.
    slowdown: f64,
    /// From the first timed sample: what the samples cost the machine.
    snapshot: Option<Snapshot>,
    /// The wall time of this side's own sample requests. Not the span from
    /// the first to the last: the other build's samples, interleaved, take
    /// about half of it, while this worker waits idle.
    sampled_ns: u64,
    samples: Vec<Sample>,
    /// Where the point's parties run, sample by sample: each sample's
    /// class goes back with it, for the gate to pair like with like.
    observer: super::observe::Observer,
    group: Option<PointGroup>,
}

impl Drop for Served {
    fn drop(&mut self) {
        if let Some(group) = self.group.take() {
            group.finish();
        }
    }
}

/// Serve requests from `input` until `quit` or its end; returns the exit code.
pub fn serve(input: impl BufRead, mut output: impl Write) -> i32 {
    let mut served: Option<Served> = None;
    if say(&mut output, &Reply::Hello { version: VERSION }).is_err() {
        return 1;
    }
    for line in input.lines() {
        let Ok(line) = line else { return 1 };
        let reply = match Request::parse(&line) {
            Ok(Request::Quit) => return 0,
            Ok(request) => {
                let answered = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    answer(request, &mut served)
                }));
                answered.unwrap_or_else(|payload| {
                    // The trial may be half-updated: it goes.
                    served = None;
                    Reply::Error(format!("panicked: {}", panic_text(payload.as_ref())))
                })
            }
            Err(why) => Reply::Error(why),
        };
        if say(&mut output, &reply).is_err() {
            return 1;
        }
    }
    0
}

fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".into())
}

fn say(output: &mut impl Write, reply: &Reply) -> std::io::Result<()> {
    writeln!(output, "{}", reply.line())?;
    output.flush()
}

fn answer(request: Request, served: &mut Option<Served>) -> Reply {
    let outcome = match request {
        Request::Host => Ok(Reply::Host(Box::new(crate::host::HostInfo::detect()))),
        Request::Build(spec) => {
            *served = None;
            match build(&spec) {
                Ok(Built::Ready(point)) => {
                    *served = Some(*point);
                    Ok(Reply::Built)
                }
                Ok(Built::Skipped(why)) => Ok(Reply::Skipped(why)),
                Err(e) => Err(e),
            }
        }
        Request::Warm {
            warmup_ms,
            target_ns,
        } => with_point(served, |p| warm(p, warmup_ms, target_ns)),
        Request::Sample { rounds } => with_point(served, |p| sample(p, rounds)),
        Request::Verify => with_point(served, verify),
        Request::Drop => {
            *served = None;
            Ok(Reply::Dropped)
        }
        Request::Quit => Ok(Reply::Dropped),
    };
    outcome.unwrap_or_else(|e| Reply::Error(format!("{e:#}")))
}

fn with_point(
    served: &mut Option<Served>,
    work: impl FnOnce(&mut Served) -> anyhow::Result<Reply>,
) -> anyhow::Result<Reply> {
    let point = served
        .as_mut()
        .ok_or_else(|| anyhow!("no point is built"))?;
    work(point)
}

enum Built {
    Ready(Box<Served>),
    Skipped(String),
}

/// Find the scenario, variant and model in this build, fill in the
/// parameters' defaults, check them, and set the trial up.
fn build(spec: &BuildSpec) -> anyhow::Result<Built> {
    let scenario = registry::find(&spec.scenario)
        .ok_or_else(|| anyhow!("this build has no scenario `{}`", spec.scenario))?;
    let info = scenario.info();
    let (variant_name, runtime) = match spec.variant.split_once('@') {
        Some((name, word)) => (
            name,
            Some(std::sync::Arc::new(
                crate::model::runtime::Runtime::from_word(word).map_err(anyhow::Error::msg)?,
            )),
        ),
        None => (spec.variant.as_str(), None),
    };
    let variant = info
        .variant(variant_name)
        .filter(|v| v.models.contains(&spec.model))
        .ok_or_else(|| {
            anyhow!(
                "this build has no variant `{}` under model `{}` in {}",
                spec.variant,
                spec.model.name(),
                spec.scenario
            )
        })?;
    let mut params = Params(
        info.params
            .iter()
            .map(|p| (p.name.to_string(), p.default))
            .collect(),
    );
    for (name, value) in &spec.params.0 {
        let declared = info
            .param(name)
            .ok_or_else(|| anyhow!("this build's {} has no parameter `{name}`", spec.scenario))?;
        if !(declared.min..=declared.max).contains(value) {
            bail!(
                "{name} = {value} is out of range {}..={}",
                declared.min,
                declared.max
            );
        }
        params.0.insert(name.clone(), *value);
    }
    scenario
        .validate(spec.model, &params)
        .map_err(anyhow::Error::msg)?;
    if let Err(why) = scenario.check_variant_limits(variant.name, spec.model, &params) {
        return Ok(Built::Skipped(why));
    }
    if let Some(runtime) = &runtime
        && let crate::model::runtime::Probe::Missing(why) = crate::model::runtime::probed(runtime)
    {
        return Ok(Built::Skipped(format!("{}: {why}", runtime.name)));
    }
    let context = TrialContext {
        variant: variant.name,
        model: spec.model,
        params,
        cancel: CancelToken::default(),
        progress: Progress::default(),
        worker_binary: crate::model::worker::worker_binary(),
        runtime,
    };
    let group = PointGroup::start().context("starting the point's process group")?;
    let observer = super::observe::Observer::before_build();
    let trial = match crate::scenario::registry::build_trial(scenario, &context) {
        Ok(trial) => trial,
        Err(e) => match e.downcast_ref::<crate::vocab::Unsupported>() {
            Some(why) => return Ok(Built::Skipped(why.to_string())),
            None => return Err(e.context("setting up the trial")),
        },
    };
    Ok(Built::Ready(Box::new(Served {
        trial,
        context,
        slowdown: super::measure::slowdown_fraction(spec.slowdown_pct),
        snapshot: None,
        sampled_ns: 0,
        samples: Vec::new(),
        observer,
        group: Some(group),
    })))
}

fn warm(point: &mut Served, warmup_ms: u64, target_ns: u64) -> anyhow::Result<Reply> {
    let (rounds, ns_per_op) = warm_rounds(
        point.trial.as_mut(),
        Duration::from_millis(warmup_ms),
        Duration::from_nanos(target_ns),
        &point.context,
    )?;
    point.trial.begin_measurement();
    point.observer.after_warm_up();
    Ok(Reply::Warmed { rounds, ns_per_op })
}

fn sample(point: &mut Served, rounds: u64) -> anyhow::Result<Reply> {
    if rounds == 0 {
        bail!("a sample needs at least one round");
    }
    if point.snapshot.is_none() {
        point.snapshot = Some(Snapshot::start());
    }
    point.observer.before_sample();
    let began = Instant::now();
    let sample = timed_run(point.trial.as_mut(), rounds, &point.context.progress)?;
    if sample.ops == 0 {
        bail!("a sample did no operations");
    }
    let sample = slowed(sample, point.slowdown);
    point.sampled_ns += began.elapsed().as_nanos() as u64;
    point.observer.after_sample(sample.ns);
    point.samples.push(sample);
    Ok(Reply::Sample {
        ops: sample.ops,
        ns: sample.ns,
        placement: point.observer.last_class(),
    })
}

fn verify(point: &mut Served) -> anyhow::Result<Reply> {
    let snapshot = point
        .snapshot
        .take()
        .ok_or_else(|| anyhow!("verify before any sample"))?;
    // CPU time over the whole span (between its samples the worker only
    // waits), against the wall time of its own samples.
    let resources = snapshot.delta_to_now(point.sampled_ns);
    point.trial.verify().context("verification failed")?;
    let summary = crate::results::Summary::of(&point.samples);
    let metrics = point.trial.metrics(&Measured {
        samples: &point.samples,
        median_ns_per_op: summary.ns_per_op.median,
        resources: &resources,
    });
    let latency = point.trial.latency();
    Ok(Reply::Verified(Box::new(Verified {
        resources,
        metrics,
        latency,
    })))
}

#[cfg(test)]
mod tests;
