//! One point, measured: build the trial, warm up while choosing how many
//! rounds make a sample, take samples until both the sample count and the
//! measuring time are reached, then verify and summarise.

use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};

use super::observe::Observer;
use super::resources::Snapshot;
use super::sampler::Sampler;
use crate::plan::Point;
use crate::results::{Resources, Summary, Utilisation};
use crate::scenario::{Measured, Trial, TrialContext};
use crate::vocab::Sample;

/// A safety cap for very fast operations with a long measuring time.
pub const MAX_SAMPLES: usize = 10_000;
/// The shortest sample the harness aims for: shorter ones are dominated by
/// the cost of reading the clock.
const MIN_SAMPLE_TIME: Duration = Duration::from_millis(1);

/// What a successful point produced.
pub struct Measurement {
    pub samples: Vec<Sample>,
    pub summary: Summary,
    pub resources: Resources,
    pub utilisation: Utilisation,
    pub metrics: std::collections::BTreeMap<String, f64>,
    pub latency: Option<crate::results::Latency>,
    /// Where its parties ran, sample by sample.
    pub placement: Option<crate::results::Observation>,
}

pub fn measure(point: &Point, context: &TrialContext) -> anyhow::Result<Measurement> {
    let settings = &point.settings;
    let mut prepared = prepare(point, context)?;
    let mut sampler = Sampler::start(
        &context.worker_binary,
        settings.sampler_interval,
        settings.timeout,
    )?;
    let snapshot = Snapshot::start();
    let began = Instant::now();
    let mut samples = Vec::with_capacity(settings.min_samples as usize);
    while (samples.len() < settings.min_samples as usize || began.elapsed() < settings.measure_time)
        && samples.len() < MAX_SAMPLES
    {
        samples.push(prepared.sample(context)?);
    }
    let wall_ns = began.elapsed().as_nanos() as u64;
    let utilisation = sampler.stop()?;
    let resources = snapshot.delta_to_now(wall_ns);
    // Kept for the next point, never reaped during one: the sampler's CPU
    // is reported on its own, never mixed into the point's children.
    sampler.release();
    prepared.finish(point, samples, resources, utilisation)
}

/// A point's trial, built and warmed up, ready for its timed samples.
pub struct Prepared {
    trial: Box<dyn Trial>,
    /// Watches where its parties run, sample by sample.
    observer: Observer,
    /// Rounds per sample, chosen by the warm-up.
    rounds: u64,
    /// The calibration knob: busy work worth this fraction of each sample.
    slowdown: f64,
}

/// Build `point`'s trial and warm it up (outside any timed region).
pub fn prepare(point: &Point, context: &TrialContext) -> anyhow::Result<Prepared> {
    let mut observer = Observer::before_build();
    let mut trial = crate::scenario::registry::build_trial(point.scenario, context)
        .context("setting up the trial")?;
    let rounds = warm_up(trial.as_mut(), point, context)?;
    trial.begin_measurement();
    observer.after_warm_up();
    Ok(Prepared {
        trial,
        observer,
        rounds,
        slowdown: slowdown_fraction(point.settings.slowdown_pct),
    })
}

impl Prepared {
    /// One timed sample (slowed by the calibration knob when it is set).
    pub fn sample(&mut self, context: &TrialContext) -> anyhow::Result<Sample> {
        if context.cancel.is_cancelled() {
            bail!("cancelled by the watchdog");
        }
        self.observer.before_sample();
        let sample = timed_run(self.trial.as_mut(), self.rounds, &context.progress)?;
        self.observer.after_sample(sample.ns);
        ensure!(sample.ops > 0, "a sample did no operations");
        Ok(slowed(sample, self.slowdown))
    }

    /// Verify the work, derive the scenario's figures, and tear the trial
    /// down (untimed).
    pub fn finish(
        self,
        point: &Point,
        samples: Vec<Sample>,
        resources: Resources,
        utilisation: Utilisation,
    ) -> anyhow::Result<Measurement> {
        let mut trial = self.trial;
        let placement = Some(self.observer.finish());
        trial.verify().context("verification failed")?;
        let summary = Summary::of(&samples);
        let mut metrics = trial.metrics(&Measured {
            samples: &samples,
            median_ns_per_op: summary.ns_per_op.median,
            resources: &resources,
        });
        if point.settings.slowdown_pct > 0 {
            metrics.insert(
                "calibration_slowdown_pct".into(),
                point.settings.slowdown_pct as f64,
            );
        }
        let latency = trial.latency();
        // Teardown (joining helpers, reaping, freeing) happens here, untimed.
        drop(trial);
        Ok(Measurement {
            samples,
            summary,
            resources,
            utilisation,
            metrics,
            latency,
            placement,
        })
    }
}

/// The calibration knob's `pct` as a fraction of a sample's time.
pub(super) fn slowdown_fraction(pct: u64) -> f64 {
    pct as f64 / 100.0
}

/// The calibration knob at work: after the sample, busy-wait `fraction` of
/// its own time, and count that time as part of the sample. Each slowed
/// sample lasts (1 + fraction) times what it measured, so the true ratio
/// is 1 + fraction on every point and in every process, whatever speed the
/// process drew (a per-operation cost fixed at the warm-up was not: a
/// process whose warm-up ran slower than its samples added more).
pub(super) fn slowed(sample: Sample, fraction: f64) -> Sample {
    if fraction <= 0.0 {
        return sample;
    }
    let extra = Duration::from_nanos((sample.ns as f64 * fraction) as u64);
    let started = Instant::now();
    while started.elapsed() < extra {
        std::hint::spin_loop();
    }
    Sample {
        ops: sample.ops,
        ns: sample.ns + started.elapsed().as_nanos() as u64,
    }
}

/// Run the trial for the warm-up time (at least once) and return the number
/// of rounds that makes one sample last about measure_time / (2 x min_samples).
fn warm_up(trial: &mut dyn Trial, point: &Point, context: &TrialContext) -> anyhow::Result<u64> {
    let settings = &point.settings;
    let per_sample = settings.measure_time / (2 * settings.min_samples.max(1)) as u32;
    let target = per_sample.max(MIN_SAMPLE_TIME);
    Ok(warm_rounds(trial, settings.warmup, target, context)?.0)
}

/// Run the trial for `warmup` (at least once), growing the rounds tenfold
/// at a time; return the rounds that make a sample last about `target`, and
/// the ns per operation of the last warm-up sample.
pub(super) fn warm_rounds(
    trial: &mut dyn Trial,
    warmup: Duration,
    target: Duration,
    context: &TrialContext,
) -> anyhow::Result<(u64, f64)> {
    let (cancel, progress) = (&context.cancel, &context.progress);
    let target_ns = target.max(MIN_SAMPLE_TIME).as_nanos() as f64;
    let started = Instant::now();
    let mut rounds = 1u64;
    loop {
        if cancel.is_cancelled() {
            bail!("cancelled by the watchdog during warm-up");
        }
        let sample = timed_run(trial, rounds, progress)?;
        let per_round = sample.ns.max(1) as f64 / rounds as f64;
        let fitting = (target_ns / per_round).clamp(1.0, 1e9) as u64;
        if started.elapsed() >= warmup {
            return Ok((fitting, sample.ns as f64 / sample.ops.max(1) as f64));
        }
        rounds = fitting.min(rounds.saturating_mul(10));
    }
}

/// `trial.run(rounds)`, with the stall watchdog watching only meanwhile.
pub(super) fn timed_run(
    trial: &mut dyn Trial,
    rounds: u64,
    progress: &crate::scenario::Progress,
) -> anyhow::Result<Sample> {
    progress.set_busy(true);
    let sample = trial.run(rounds);
    progress.set_busy(false);
    sample
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_knob_adds_its_fraction_of_each_sample_whatever_its_length() {
        for ns in [200_000u64, 2_000_000] {
            let slowed = slowed(Sample { ops: 7, ns }, slowdown_fraction(10));
            assert_eq!(slowed.ops, 7);
            assert!(slowed.ns >= ns + ns / 10, "{ns} ns became {}", slowed.ns);
        }
        let untouched = slowed(Sample { ops: 7, ns: 1000 }, slowdown_fraction(0));
        assert_eq!((untouched.ops, untouched.ns), (7, 1000));
    }
}
