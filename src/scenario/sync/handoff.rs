//! `sync.handoff`: two long-lived threads (or two tokio tasks) pass a turn
//! back and forth through one primitive; the figure is ns per hand-off (half
//! a round trip). Each side counts the turns it received; verification
//! checks that both counts equal the round trips asked for.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use anyhow::{bail, ensure};
use tokio::runtime::Runtime;
use tokio::sync::Semaphore as TokioSemaphore;

use super::baton::{self, Baton, PING, PONG};
use super::crew::Crew;
use super::primitives::lock;
use super::{cost_per_op, tasks};
use crate::harness::latency::Recorder;
use crate::results::Latency;
use crate::scenario::{
    CancelToken, Family, Measured, Model, ParamSpec, Sample, Scenario, ScenarioInfo, Trial,
    TrialContext, VariantInfo,
};

/// One round trip in this many is timed for the latency percentiles (the
/// clock reads then cost well under 1% of a hand-off).
const TIME_ONE_IN: u64 = 64;

const ROUND_TRIPS: ParamSpec = ParamSpec {
    name: "round_trips",
    default: 1000,
    min: 1,
    max: 10_000_000,
    help: "ping-pong round trips per round (two hand-offs each)",
};

const VARIANTS: &[VariantInfo] = &[
    VariantInfo {
        name: "condvar",
        models: &[Model::Thread],
        summary: "std Mutex<turn> + Condvar: wait until it is my turn, set the other's, notify_one",
    },
    VariantInfo {
        name: "parking_lot_condvar",
        models: &[Model::Thread],
        summary: "the same on parking_lot::Mutex + parking_lot::Condvar",
    },
    VariantInfo {
        name: "semaphore",
        models: &[Model::Thread],
        summary: "two hand-written counting semaphores (Mutex<usize> + Condvar), one per side",
    },
    VariantInfo {
        name: "event",
        models: &[Model::Thread],
        summary: "two hand-written events (Mutex<bool> + Condvar): set the other's, wait for and clear one's own",
    },
    VariantInfo {
        name: "park_unpark",
        models: &[Model::Thread],
        summary: "an atomic flag per side + std::thread::park / Thread::unpark",
    },
    VariantInfo {
        name: "tokio_semaphore",
        models: &[Model::Async],
        summary: "two tokio tasks on a 2-worker runtime, one tokio::sync::Semaphore per side",
    },
];

/// `sync.handoff`: ping-pong between two threads or tasks.
pub static HANDOFF: HandoffScenario = HandoffScenario {
    info: ScenarioInfo {
        id: "sync.handoff",
        family: Family::Sync,
        summary: "two threads (or tasks) pass a turn back and forth: ns per hand-off",
        unit: "hand-off",
        variants: VARIANTS,
        params: &[ROUND_TRIPS],
        throughput_vs: None,
    },
};

pub struct HandoffScenario {
    info: ScenarioInfo,
}

impl Scenario for HandoffScenario {
    fn info(&self) -> &ScenarioInfo {
        &self.info
    }

    fn build(&self, context: &TrialContext) -> anyhow::Result<Box<dyn Trial>> {
        let relay = match (context.variant, baton::for_variant(context.variant)) {
            (_, Some(baton)) => Relay::Threads(ThreadRelay::start(baton)?),
            ("tokio_semaphore", None) => Relay::Tokio(TokioRelay::start()?),
            (other, None) => bail!("sync.handoff has no variant `{other}`"),
        };
        Ok(Box::new(HandoffTrial {
            relay,
            trips_per_round: context.params.get("round_trips")?,
            trips_done: 0,
            cancel: context.cancel.clone(),
        }))
    }
}

struct HandoffTrial {
    relay: Relay,
    trips_per_round: u64,
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
        Ok(Sample { ops: 2 * trips, ns })
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

/// Who plays the two sides.
enum Relay {
    Threads(ThreadRelay),
    Tokio(TokioRelay),
}

impl Relay {
    fn batch(&mut self, trips: u64, cancel: &CancelToken) -> anyhow::Result<()> {
        match self {
            Relay::Threads(relay) => relay.crew.run(Arc::new(trips), cancel),
            Relay::Tokio(relay) => relay.batch(trips, cancel),
        }
    }

    /// Turns received by [ping, pong] over all batches.
    fn received(&self) -> [u64; 2] {
        match self {
            Relay::Threads(relay) => relay
                .tally
                .received
                .each_ref()
                .map(|r| r.load(Ordering::Relaxed)),
            Relay::Tokio(relay) => relay.received,
        }
    }

    fn faults(&self) -> u64 {
        match self {
            Relay::Threads(relay) => relay.baton.faults(),
            Relay::Tokio(_) => 0,
        }
    }

    fn clear_latency(&mut self) {
        match self {
            Relay::Threads(relay) => lock(&relay.tally.latency).clear(),
            Relay::Tokio(relay) => relay.recorder.iter_mut().for_each(Recorder::clear),
        }
    }

    fn latency(&self) -> Option<Latency> {
        match self {
            Relay::Threads(relay) => lock(&relay.tally.latency).latency(),
            Relay::Tokio(relay) => relay.recorder.as_ref().and_then(Recorder::latency),
        }
    }
}

/// What the two sides report: turns received, and timed hand-offs.
#[derive(Default)]
struct Tally {
    received: [AtomicU64; 2],
    latency: Mutex<Recorder>,
}

/// Two crew threads, side 0 (ping) and side 1 (pong), around one baton.
struct ThreadRelay {
    baton: Arc<dyn Baton>,
    tally: Arc<Tally>,
    crew: Crew<u64>,
}

impl ThreadRelay {
    fn start(baton: Arc<dyn Baton>) -> anyhow::Result<ThreadRelay> {
        let tally = Arc::new(Tally::default());
        let (shared, counts) = (Arc::clone(&baton), Arc::clone(&tally));
        let crew = Crew::start("sync-handoff", 2, move |side, &trips: &u64| {
            if side == PING {
                ping(shared.as_ref(), trips, &counts);
            } else {
                pong(shared.as_ref(), trips, &counts);
            }
        })?;
        if let [first, second] = crew.threads().as_slice() {
            baton.attach([first.clone(), second.clone()]);
        }
        Ok(ThreadRelay { baton, tally, crew })
    }
}

impl Drop for ThreadRelay {
    /// Wake a side blocked in an abandoned batch before the crew joins it.
    fn drop(&mut self) {
        self.baton.shutdown();
    }
}

/// Side 0: pass the turn, wait for it to come back; time one trip in 64.
fn ping(baton: &dyn Baton, trips: u64, tally: &Tally) {
    let mut recorder = lock(&tally.latency);
    let mut back = 0;
    for trip in 1..=trips {
        let started = (trip % TIME_ONE_IN == 0).then(Instant::now);
        baton.pass(PONG);
        if !baton.take(PING) {
            break;
        }
        back += 1;
        if let Some(started) = started {
            recorder.record(started.elapsed().as_nanos() as u64 / 2);
        }
    }
    tally.received[PING].fetch_add(back, Ordering::Relaxed);
}

/// Side 1: wait for the turn, pass it back.
fn pong(baton: &dyn Baton, trips: u64, tally: &Tally) {
    let mut got = 0;
    for _ in 0..trips {
        if !baton.take(PONG) {
            break;
        }
        got += 1;
        baton.pass(PING);
    }
    tally.received[PONG].fetch_add(got, Ordering::Relaxed);
}

/// Two tokio tasks per batch on a runtime built once, one semaphore per side.
struct TokioRelay {
    runtime: Runtime,
    turns: [Arc<TokioSemaphore>; 2],
    received: [u64; 2],
    /// Lent to the ping task during a batch (none after a cancelled one).
    recorder: Option<Recorder>,
}

impl TokioRelay {
    fn start() -> anyhow::Result<TokioRelay> {
        Ok(TokioRelay {
            runtime: tasks::runtime(2)?,
            turns: [
                Arc::new(TokioSemaphore::new(0)),
                Arc::new(TokioSemaphore::new(0)),
            ],
            received: [0, 0],
            recorder: Some(Recorder::new()),
        })
    }

    fn batch(&mut self, trips: u64, cancel: &CancelToken) -> anyhow::Result<()> {
        let turns = self.turns.clone();
        // The recorder travels into the ping task and back: no allocation.
        let recorder = self.recorder.take().unwrap_or_default();
        let outputs = self.runtime.block_on(async {
            let pong = tokio::spawn(pong_task(turns.clone(), trips));
            let ping = tokio::spawn(ping_task(turns.clone(), trips, recorder));
            tasks::join_all(vec![pong, ping], cancel, || {
                turns.iter().for_each(|t| t.close())
            })
            .await
        })?;
        for (side, (got, recorder)) in outputs.into_iter().enumerate() {
            self.received[1 - side] += got;
            if recorder.is_some() {
                self.recorder = recorder;
            }
        }
        Ok(())
    }
}

async fn ping_task(
    turns: [Arc<TokioSemaphore>; 2],
    trips: u64,
    mut recorder: Recorder,
) -> (u64, Option<Recorder>) {
    let mut back = 0;
    for trip in 1..=trips {
        let started = (trip % TIME_ONE_IN == 0).then(Instant::now);
        turns[PONG].add_permits(1);
        match turns[PING].acquire().await {
            Ok(permit) => permit.forget(),
            Err(_closed) => break,
        }
        back += 1;
        if let Some(started) = started {
            recorder.record(started.elapsed().as_nanos() as u64 / 2);
        }
    }
    (back, Some(recorder))
}

async fn pong_task(turns: [Arc<TokioSemaphore>; 2], trips: u64) -> (u64, Option<Recorder>) {
    let mut got = 0;
    for _ in 0..trips {
        match turns[PONG].acquire().await {
            Ok(permit) => permit.forget(),
            Err(_closed) => break,
        }
        got += 1;
        turns[PING].add_permits(1);
    }
    (got, None)
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{context, every_variant_verifies};
    use super::*;

    #[test]
    fn every_variant_hands_off_and_verifies() {
        every_variant_verifies(&HANDOFF, &[("round_trips", 200)], 400);
    }

    #[test]
    fn timed_hand_offs_show_up_as_latency_and_warm_up_is_forgotten() {
        for variant in ["condvar", "tokio_semaphore"] {
            let model = HANDOFF.info.variant(variant).expect("variant").models[0];
            let mut trial = HANDOFF
                .build(&context(variant, model, &[("round_trips", 640)]))
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
            .build(&context("event", Model::Thread, &[("round_trips", 10)]))
            .expect("builds");
        let mut broken = HandoffTrial {
            relay: Relay::Tokio(TokioRelay::start().expect("runtime")),
            trips_per_round: 10,
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
        for variant in ["semaphore", "park_unpark", "tokio_semaphore"] {
            let model = HANDOFF.info.variant(variant).expect("variant").models[0];
            let context = context(variant, model, &[("round_trips", 10_000_000)]);
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
