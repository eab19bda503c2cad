//! `sync.handoff`: two long-lived threads (or two tokio tasks) pass a turn
//! back and forth through one primitive; the figure is ns per hand-off (half
//! a round trip). Each side counts the turns it received; verification
//! checks that both counts equal the round trips asked for.

use std::collections::BTreeMap;
use std::time::Instant;

use anyhow::ensure;

use super::baton::{self, HANDOFF_VARIANTS, Handoff};
use super::relay::{Relay, ThreadRelay, TokioRelay};
use super::support::cost_per_op;
use crate::model::placement::{PINNED_CORES, Placement};
use crate::results::Latency;
use crate::scenario::{CancelToken, Measured, Scenario, ScenarioInfo, Trial, TrialContext};
use crate::vocab::{Family, Model, ParamSpec, Params, Sample};

const ROUND_TRIPS: ParamSpec = ParamSpec {
    name: "round_trips",
    default: 1000,
    min: 1,
    max: 10_000_000,
    help: "ping-pong round trips per round (two hand-offs each)",
};

/// `sync.handoff`: ping-pong between two threads or tasks.
pub static HANDOFF: HandoffScenario = HandoffScenario {
    info: ScenarioInfo {
        id: "sync.handoff",
        family: Family::Sync,
        summary: "two threads (or tasks) pass a turn back and forth: ns per hand-off",
        unit: "hand-off",
        variants: HANDOFF_VARIANTS,
        params: &[ROUND_TRIPS, PINNED_CORES],
        throughput_vs: None,
    },
};

pub struct HandoffScenario {
    info: ScenarioInfo,
}

/// Operations in one round: two hand-offs (there and back) per round trip.
fn round_ops(params: &Params) -> anyhow::Result<u64> {
    Ok(2 * params.get("round_trips")?)
}

impl Scenario for HandoffScenario {
    fn info(&self) -> &ScenarioInfo {
        &self.info
    }

    fn build(&self, context: &TrialContext) -> anyhow::Result<Box<dyn Trial>> {
        let relay = match baton::for_variant(Handoff::of(context.variant)?) {
            Some(baton) => {
                let placement = Placement::new(context.params.get("pinned_cores")?)
                    .map_err(anyhow::Error::msg)?;
                Relay::Threads(ThreadRelay::start(baton, placement)?)
            }
            None => Relay::Tokio(TokioRelay::start()?),
        };
        Ok(Box::new(HandoffTrial {
            relay,
            trips_per_round: context.params.get("round_trips")?,
            per_round: round_ops(&context.params)?,
            trips_done: 0,
            cancel: context.cancel.clone(),
        }))
    }

    fn ops_per_round(&self, params: &Params) -> anyhow::Result<Option<u64>> {
        round_ops(params).map(Some)
    }

    fn validate(&self, model: Model, params: &Params) -> Result<(), String> {
        let pinned = params.get("pinned_cores").map_err(|e| e.to_string())?;
        if pinned > 0 && model == Model::Async {
            return Err(format!(
                "pinned_cores={pinned} pins threads, but the tokio variant runs on its runtime's workers: use pinned_cores = 0 for it"
            ));
        }
        Ok(())
    }

    fn check_limits(&self, _model: Model, params: &Params) -> Result<(), String> {
        let pinned = params.get("pinned_cores").map_err(|e| e.to_string())?;
        Placement::new(pinned).map(|_| ())
    }
}

struct HandoffTrial {
    relay: Relay,
    trips_per_round: u64,
    /// Operations per round (`round_ops`).
    per_round: u64,
    /// Round trips of every batch that completed.
    trips_done: u64,
    cancel: CancelToken,
}

impl Trial for HandoffTrial {
    fn run(&mut self, rounds: u64) -> anyhow::Result<Sample> {
        let trips = rounds * self.trips_per_round;
        let started = Instant::now();
        self.relay.batch(trips, &self.cancel)?;
        let ns = started.elapsed().as_nanos() as u64;
        self.trips_done += trips;
        Ok(Sample {
            ops: rounds * self.per_round,
            ns,
        })
    }

    fn verify(&mut self) -> anyhow::Result<()> {
        let [ping, pong] = self.relay.received();
        let expected = self.trips_done;
        ensure!(
            ping == expected && pong == expected,
            "{} of {} hand-offs arrived: the pong side received {pong} turns and the ping side {ping}, {expected} each expected",
            ping + pong,
            2 * expected
        );
        let refused = self.relay.faults();
        ensure!(refused == 0, "the primitive refused {refused} hand-offs");
        Ok(())
    }

    fn metrics(&self, measured: &Measured<'_>) -> BTreeMap<String, f64> {
        cost_per_op(measured, "handoff")
    }

    fn begin_measurement(&mut self) {
        self.relay.clear_latency();
    }

    fn latency(&self) -> Option<Latency> {
        self.relay.latency()
    }
}

#[cfg(test)]
mod tests {
    use super::super::relay::TIME_ONE_IN;
    use super::*;
    use crate::model::placement::allowed_cpus;
    use crate::scenario::sync::test_support::{context, every_variant_verifies};

    #[test]
    fn every_variant_hands_off_and_verifies() {
        every_variant_verifies(&HANDOFF, &[("round_trips", 200), ("pinned_cores", 0)], 400);
    }

    #[test]
    fn pinned_sides_hand_off_on_one_cpu_or_two() {
        let cpus = allowed_cpus().len().min(2) as u64;
        for cpus in 1..=cpus {
            let mut trial = HANDOFF
                .build(&context(
                    Handoff::ParkUnpark.name(),
                    Model::Thread,
                    &[("round_trips", 50), ("pinned_cores", cpus)],
                ))
                .expect("builds");
            trial.run(2).expect("runs");
            trial.verify().expect("verified");
        }
    }

    #[test]
    fn pinning_is_refused_for_tokio_and_beyond_the_machine() {
        let params = |cpus: u64| {
            Params(
                [
                    ("round_trips".to_string(), 1),
                    ("pinned_cores".to_string(), cpus),
                ]
                .into(),
            )
        };
        assert!(HANDOFF.check_limits(Model::Thread, &params(1)).is_ok());
        assert!(HANDOFF.validate(Model::Async, &params(0)).is_ok());
        let refused = HANDOFF
            .validate(Model::Async, &params(2))
            .expect_err("tokio");
        assert!(refused.contains("use pinned_cores = 0"), "{refused}");
        if allowed_cpus().len() < 2 {
            let refused = HANDOFF
                .check_limits(Model::Thread, &params(2))
                .expect_err("1 CPU");
            assert!(refused.contains("may run on 1"), "{refused}");
        }
    }

    #[test]
    fn timed_hand_offs_show_up_as_latency_and_warm_up_is_forgotten() {
        for variant in [Handoff::Condvar, Handoff::TokioSemaphore].map(Handoff::name) {
            let model = HANDOFF.info.variant(variant).expect("variant").models[0];
            let mut trial = HANDOFF
                .build(&context(
                    variant,
                    model,
                    &[("round_trips", 640), ("pinned_cores", 0)],
                ))
                .expect("builds");
            trial.run(1).expect("warm-up");
            trial.begin_measurement();
            assert!(trial.latency().is_none(), "{variant}: warm-up cleared");
            trial.run(2).expect("measured");
            let latency = trial.latency().expect("recorded");
            assert_eq!(latency.count, 2 * 640 / TIME_ONE_IN, "{variant}");
        }
    }

    #[test]
    fn a_miscount_fails_verification() {
        let mut trial = HANDOFF
            .build(&context(
                Handoff::Event.name(),
                Model::Thread,
                &[("round_trips", 10), ("pinned_cores", 1)],
            ))
            .expect("builds");
        let mut broken = HandoffTrial {
            relay: Relay::Tokio(TokioRelay::start().expect("runtime")),
            trips_per_round: 10,
            per_round: 20,
            trips_done: 1,
            cancel: CancelToken::default(),
        };
        let error = broken.verify().expect_err("one round trip is missing");
        assert!(error.to_string().contains("0 of 2 hand-offs"), "{error}");
        trial.run(2).expect("runs");
        trial.verify().expect("20 round trips arrived");
    }

    #[test]
    fn a_cancelled_point_stops_and_tears_down() {
        for variant in [
            Handoff::Semaphore,
            Handoff::ParkUnpark,
            Handoff::TokioSemaphore,
        ]
        .map(Handoff::name)
        {
            let model = HANDOFF.info.variant(variant).expect("variant").models[0];
            let context = context(
                variant,
                model,
                &[("round_trips", 10_000_000), ("pinned_cores", 0)],
            );
            let mut trial = HANDOFF.build(&context).expect("builds");
            let cancel = context.cancel.clone();
            let canceller = std::thread::spawn(move || {
                std::thread::sleep(std::time::Duration::from_millis(20));
                cancel.cancel();
            });
            let error = trial.run(1_000).expect_err("too long to finish");
            assert!(
                error.to_string().contains("cancelled"),
                "{variant}: {error}"
            );
            drop(trial);
            canceller.join().expect("canceller");
        }
    }
}
