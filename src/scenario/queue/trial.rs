//! One queue point: the producer and consumer loops (generic over the queue's
//! ends, so each queue gets its own tight loop), started once as threads,
//! and the trial that releases them round by round, times the rounds and
//! proves every message arrived once.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use super::crew::{Crew, Gate, Side};
use super::message::{Clock, Message, Shape};
use super::tally::{Ledger, Tally};
use super::variants::{Ends, Receiver, Sender};
use crate::model::placement::Placement;
use crate::results::Latency;
use crate::scenario::{CancelToken, Measured, Trial};
use crate::vocab::Sample;

/// A consumer's tally, lent to it for the length of a round and read by the
/// trial between rounds (a slot, so tokio tasks can hold it across awaits).
pub type TallySlot = Arc<Mutex<Option<Tally>>>;

/// What every worker of a point shares.
pub struct Common {
    pub shape: Shape,
    pub clock: Clock,
    pub ledger: Arc<Ledger>,
}

/// Borrow a consumer's tally for a round.
pub fn take_tally(slot: &TallySlot, shape: Shape) -> Tally {
    let mut guard = slot.lock().unwrap_or_else(|e| e.into_inner());
    guard.take().unwrap_or_else(|| Tally::new(shape))
}

/// Hand a consumer's tally back after merging its round into the ledger.
pub fn return_tally(slot: &TallySlot, ledger: &Ledger, mut tally: Tally) {
    ledger.merge(&mut tally);
    *slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(tally);
}

/// Producer `id`: each round, send its messages; the last one done sends
/// one end-of-round marker per consumer.
fn produce<const W: usize, S: Sender<Message<W>>>(
    mut tx: S,
    id: u32,
    gate: &Gate,
    common: &Common,
) {
    let mut round = 0;
    while let Some(next) = gate.wait_for_round(round) {
        round = next;
        // A closed queue leaves consumers waiting: the watchdog ends it.
        send_round(&mut tx, id, gate, common);
        gate.finish();
    }
}

/// One round of a producer: its messages, then the markers if it is the
/// last one done. The hot loop, on its own and with one call to `send`, so
/// that the compiler keeps its state in registers and inlines the queue's
/// send into it, as it would in a hand-written loop (out of line, it cost a
/// call and a copy of every message).
#[inline(never)]
fn send_round<const W: usize, S: Sender<Message<W>>>(
    tx: &mut S,
    id: u32,
    gate: &Gate,
    common: &Common,
) {
    let (messages, clock) = (common.shape.messages as u32, &common.clock);
    let (mut sequence, mut markers) = (0, None);
    loop {
        let message = if sequence < messages {
            sequence += 1;
            Message::new(id, sequence - 1, clock)
        } else {
            let left = markers.get_or_insert_with(|| {
                if gate.last_producer() {
                    common.shape.consumers
                } else {
                    0
                }
            });
            if *left == 0 {
                return;
            }
            *left -= 1;
            Message::stop()
        };
        if tx.send(message).is_err() {
            if markers.is_none() {
                // Keep the count of producers still sending right.
                gate.last_producer();
            }
            return;
        }
    }
}

/// A consumer: each round, take and check messages until a marker.
fn consume<const W: usize, R: Receiver<Message<W>>>(
    mut rx: R,
    slot: &TallySlot,
    gate: &Gate,
    common: &Common,
) {
    let mut round = 0;
    while let Some(next) = gate.wait_for_round(round) {
        round = next;
        let mut tally = take_tally(slot, common.shape);
        take_round(&mut rx, &mut tally, &common.clock);
        return_tally(slot, &common.ledger, tally);
        gate.finish();
    }
}

/// One round of a consumer: take and check messages until a marker (or a
/// closed queue, recorded as a fault). On its own, as `send_round` is.
#[inline(never)]
fn take_round<const W: usize, R: Receiver<Message<W>>>(
    rx: &mut R,
    tally: &mut Tally,
    clock: &Clock,
) {
    loop {
        // Checked where it landed, by reference: no copy of the message.
        let received = rx.recv();
        let Ok(message) = &received else {
            return tally.fault("the queue closed under a consumer".into());
        };
        if message.is_stop() {
            return;
        }
        tally.accept(message, clock);
    }
}

/// Start one thread per end of `ends`, placed as `placement` says, all
/// waiting at the gate.
pub fn start_threads<const W: usize, S, R>(
    ends: Ends<S, R>,
    shape: Shape,
    placement: Placement,
) -> anyhow::Result<QueueTrial>
where
    S: Sender<Message<W>>,
    R: Receiver<Message<W>>,
{
    let gate = Arc::new(Gate::new(shape.producers, shape.consumers, false));
    let mut trial = QueueTrial::new(shape, Crew::new(Arc::clone(&gate), placement));
    let (senders, receivers) = ends;
    for (id, tx) in senders.into_iter().enumerate() {
        let (gate, common) = (Arc::clone(&gate), Arc::clone(&trial.common));
        trial
            .crew
            .spawn(format!("queue-producer-{id}"), Side::Producer, move || {
                produce(tx, id as u32, &gate, &common)
            })?;
    }
    for (id, rx) in receivers.into_iter().enumerate() {
        let (gate, common) = (Arc::clone(&gate), Arc::clone(&trial.common));
        let slot = Arc::clone(&trial.slots[id]);
        trial
            .crew
            .spawn(format!("queue-consumer-{id}"), Side::Consumer, move || {
                consume(rx, &slot, &gate, &common)
            })?;
    }
    Ok(trial)
}

/// A point of any queue scenario, whatever runs its workers.
pub struct QueueTrial {
    pub common: Arc<Common>,
    pub slots: Vec<TallySlot>,
    pub crew: Crew,
    cancel: CancelToken,
    rounds: u64,
    payload_bytes: u64,
}

impl QueueTrial {
    pub fn new(shape: Shape, crew: Crew) -> QueueTrial {
        let common = Arc::new(Common {
            shape,
            clock: Clock::start(),
            ledger: Arc::new(Ledger::new(shape)),
        });
        let slots = (0..shape.consumers)
            .map(|_| Arc::new(Mutex::new(Some(Tally::new(shape)))))
            .collect();
        QueueTrial {
            common,
            slots,
            crew,
            cancel: CancelToken::default(),
            rounds: 0,
            payload_bytes: 0,
        }
    }

    /// The point's cancel token and payload size, for the run and metrics.
    pub fn with(mut self, cancel: CancelToken, payload_bytes: u64) -> QueueTrial {
        self.cancel = cancel;
        self.payload_bytes = payload_bytes;
        self
    }

    fn each_tally(&self, mut visit: impl FnMut(&mut Tally)) {
        for slot in &self.slots {
            if let Some(tally) = slot.lock().unwrap_or_else(|e| e.into_inner()).as_mut() {
                visit(tally);
            }
        }
    }
}

impl Trial for QueueTrial {
    fn run(&mut self, rounds: u64) -> anyhow::Result<Sample> {
        let started = Instant::now();
        for _ in 0..rounds {
            self.crew.round(&self.cancel)?;
            self.rounds += 1;
        }
        let ns = started.elapsed().as_nanos() as u64;
        Ok(Sample {
            ops: rounds * self.common.shape.per_round(),
            ns,
        })
    }

    fn verify(&mut self) -> anyhow::Result<()> {
        self.common.ledger.check(self.rounds)
    }

    fn begin_measurement(&mut self) {
        self.each_tally(|tally| tally.latency.clear());
    }

    fn latency(&self) -> Option<Latency> {
        let mut all = crate::model::latency::Recorder::new();
        self.each_tally(|tally| all.merge(&tally.latency));
        all.latency()
    }

    fn metrics(&self, measured: &Measured<'_>) -> BTreeMap<String, f64> {
        let messages = measured.total_ops().max(1) as f64;
        let resources = measured.resources;
        let per_s = 1e9 / measured.median_ns_per_op.max(f64::MIN_POSITIVE);
        BTreeMap::from([
            ("messages_per_s".to_string(), per_s),
            (
                "payload_mib_per_s".to_string(),
                per_s * self.payload_bytes as f64 / f64::from(1 << 20),
            ),
            (
                "cpu_ns_per_message".to_string(),
                (resources.user_ns + resources.sys_ns) as f64 / messages,
            ),
            (
                "voluntary_cs_per_message".to_string(),
                resources.voluntary_cs as f64 / messages,
            ),
        ])
    }
}
