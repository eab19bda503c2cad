//! The two sides of `sync.handoff` and what they report: two crew threads
//! around a baton, or two tokio tasks around one tokio semaphore per side.
//! Side 0 (ping) passes the turn and waits for it back, timing one round trip
//! in 64; side 1 (pong) waits for the turn and passes it back.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use anyhow::bail;
use tokio::runtime::Runtime;
use tokio::sync::Semaphore as TokioSemaphore;

use super::baton::{Baton, PING, PONG};
use super::crew::Crew;
use super::primitives::lock;
use super::tasks;
use crate::model::latency::Recorder;
use crate::model::placement::{Placement, pin_current};
use crate::results::Latency;
use crate::scenario::CancelToken;

/// One round trip in this many is timed for the latency percentiles (the
/// clock reads then cost well under 1% of a hand-off).
pub const TIME_ONE_IN: u64 = 64;

/// Who plays the two sides.
pub enum Relay {
    Threads(ThreadRelay),
    Tokio(TokioRelay),
}

impl Relay {
    pub fn batch(&mut self, trips: u64, cancel: &CancelToken) -> anyhow::Result<()> {
        match self {
            Relay::Threads(relay) => relay.crew.run(Arc::new(Work::Rally(trips)), cancel),
            Relay::Tokio(relay) => relay.batch(trips, cancel),
        }
    }

    /// Turns received by [ping, pong] over all batches.
    pub fn received(&self) -> [u64; 2] {
        match self {
            Relay::Threads(relay) => relay
                .tally
                .received
                .each_ref()
                .map(|r| r.load(Ordering::Relaxed)),
            Relay::Tokio(relay) => relay.received,
        }
    }

    pub fn faults(&self) -> u64 {
        match self {
            Relay::Threads(relay) => relay.baton.faults(),
            Relay::Tokio(_) => 0,
        }
    }

    pub fn clear_latency(&mut self) {
        match self {
            Relay::Threads(relay) => lock(&relay.tally.latency).clear(),
            Relay::Tokio(relay) => relay.recorder.iter_mut().for_each(Recorder::clear),
        }
    }

    pub fn latency(&self) -> Option<Latency> {
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
    /// Why a side could not be pinned to its CPU.
    pin_failure: Mutex<Option<String>>,
}

/// What a batch asks of the two sides.
pub enum Work {
    /// Move to the CPUs of the placement (once, before any rally).
    Pin(Placement),
    /// This many round trips.
    Rally(u64),
}

/// Two crew threads, side 0 (ping) and side 1 (pong), around one baton.
pub struct ThreadRelay {
    baton: Arc<dyn Baton>,
    tally: Arc<Tally>,
    crew: Crew<Work>,
}

impl ThreadRelay {
    pub fn start(baton: Arc<dyn Baton>, placement: Placement) -> anyhow::Result<ThreadRelay> {
        let tally = Arc::new(Tally::default());
        let (shared, counts) = (Arc::clone(&baton), Arc::clone(&tally));
        let crew = Crew::start("sync-handoff", 2, move |side, work: &Work| match *work {
            Work::Pin(placement) => pin(side, placement, &counts),
            Work::Rally(trips) if side == PING => ping(shared.as_ref(), trips, &counts),
            Work::Rally(trips) => pong(shared.as_ref(), trips, &counts),
        })?;
        if let [first, second] = crew.threads().as_slice() {
            baton.attach([first.clone(), second.clone()]);
        }
        if placement != Placement::UNPINNED {
            crew.run(Arc::new(Work::Pin(placement)), &CancelToken::default())?;
            if let Some(why) = lock(&tally.pin_failure).take() {
                bail!("{why}");
            }
        }
        Ok(ThreadRelay { baton, tally, crew })
    }
}

/// Move side `side` to its CPU, or say why it could not.
fn pin(side: usize, placement: Placement, tally: &Tally) {
    let cpu = if side == PING {
        placement.first
    } else {
        placement.second
    };
    let Some(cpu) = cpu else {
        return;
    };
    if let Err(errno) = pin_current(cpu) {
        *lock(&tally.pin_failure) = Some(format!(
            "pinning a thread to CPU {cpu}: sched_setaffinity: {errno}"
        ));
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
    // Numbered across batches, so that short batches are timed too.
    let before = tally.received[PING].load(Ordering::Relaxed);
    for trip in before + 1..=before + trips {
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
pub struct TokioRelay {
    runtime: Runtime,
    turns: [Arc<TokioSemaphore>; 2],
    received: [u64; 2],
    /// Lent to the ping task during a batch (none after a cancelled one).
    recorder: Option<Recorder>,
}

impl TokioRelay {
    pub fn start() -> anyhow::Result<TokioRelay> {
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
        let numbers = self.received[PING]..self.received[PING] + trips;
        let outputs = self.runtime.block_on(async {
            let pong = tokio::spawn(pong_task(turns.clone(), trips));
            let ping = tokio::spawn(ping_task(turns.clone(), numbers, recorder));
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
    numbers: std::ops::Range<u64>,
    mut recorder: Recorder,
) -> (u64, Option<Recorder>) {
    let mut back = 0;
    // Numbered across batches, so that short batches are timed too.
    for trip in numbers.start + 1..=numbers.end {
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
