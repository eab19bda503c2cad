//! The queue family: producers hand messages to consumers through every kind
//! of queue the tutorials use (std mpsc, crossbeam-channel, flume, tokio
//! mpsc, Python's `queue.Queue` design with a Mutex and two Condvars, its
//! LIFO and priority cousins, crossbeam's lock-free queues), in any topology
//! (SPSC, MPSC, SPMC, MPMC by the producer and consumer counts). Three
//! scenarios by the kind of queue, so that every in-range parameter is valid
//! for every variant: `queue.bounded`, `queue.unbounded`, `queue.rendezvous`.

mod condvar;
mod crew;
mod launch;
mod message;
mod table;
mod tally;
mod tokio_mpsc;
mod trial;
mod variants;

use anyhow::bail;
pub use table::{
    BOUNDED_VARIANTS, BoundedQueue, RENDEZVOUS_VARIANTS, RendezvousQueue, UNBOUNDED_VARIANTS,
    UnboundedQueue,
};

use super::{Scenario, ScenarioInfo, Trial, TrialContext};
use crate::model::placement::{PINNED_CORES, Placement};
use crate::vocab::{Family, Model, ParamSpec, Params};
use launch::Kind;
use message::Shape;

pub use message::SAMPLE_EVERY;

/// The family's scenarios, in listing order.
pub fn scenarios() -> Vec<&'static dyn Scenario> {
    vec![&BOUNDED, &UNBOUNDED, &RENDEZVOUS]
}

/// The payload sizes messages are compiled for (8-byte words: 1 and 128).
pub const PAYLOAD_SIZES: [u64; 2] = [8, 1024];

const PRODUCERS: ParamSpec = ParamSpec {
    name: "producers",
    default: 1,
    min: 1,
    max: 64,
    help: "producer threads (tasks for tokio)",
};

const CONSUMERS: ParamSpec = ParamSpec {
    name: "consumers",
    default: 1,
    min: 1,
    max: 64,
    help: "consumer threads (tasks for tokio)",
};

const CAPACITY: ParamSpec = ParamSpec {
    name: "capacity",
    default: 1024,
    min: 1,
    max: 1 << 20,
    help: "messages the queue holds before senders block (capacity 0 is queue.rendezvous, no bound is queue.unbounded)",
};

const PAYLOAD: ParamSpec = ParamSpec {
    name: "payload_bytes",
    default: 8,
    min: 8,
    max: 1024,
    help: "payload of each message: 8 or 1024 bytes (after a 16-byte header)",
};

const MESSAGES: ParamSpec = ParamSpec {
    name: "messages",
    default: 10_000,
    min: 1,
    max: 1_000_000,
    help: "messages each producer sends per round",
};

const HANDOFFS: ParamSpec = ParamSpec {
    default: 1_000,
    ..MESSAGES
};

/// `queue.bounded`: queues that block senders at `capacity`.
pub static BOUNDED: QueueScenario = QueueScenario {
    info: ScenarioInfo {
        id: "queue.bounded",
        family: Family::Queue,
        summary: "producers send messages through a bounded queue to consumers; each arrives once, intact",
        unit: "message",
        variants: BOUNDED_VARIANTS,
        params: &[
            PRODUCERS,
            CONSUMERS,
            CAPACITY,
            PAYLOAD,
            MESSAGES,
            PINNED_CORES,
        ],
        throughput_vs: None,
    },
    kind: Kind::Bounded,
};

/// `queue.unbounded`: queues that never block senders.
pub static UNBOUNDED: QueueScenario = QueueScenario {
    info: ScenarioInfo {
        id: "queue.unbounded",
        family: Family::Queue,
        summary: "producers send messages through an unbounded queue to consumers; each arrives once, intact",
        unit: "message",
        variants: UNBOUNDED_VARIANTS,
        params: &[PRODUCERS, CONSUMERS, PAYLOAD, MESSAGES, PINNED_CORES],
        throughput_vs: None,
    },
    kind: Kind::Unbounded,
};

/// `queue.rendezvous`: zero-capacity channels, each send meets a receive.
pub static RENDEZVOUS: QueueScenario = QueueScenario {
    info: ScenarioInfo {
        id: "queue.rendezvous",
        family: Family::Queue,
        summary: "zero-capacity channels: each send waits for a receive (only the channels that have this form)",
        unit: "message",
        variants: RENDEZVOUS_VARIANTS,
        params: &[PRODUCERS, CONSUMERS, PAYLOAD, HANDOFFS, PINNED_CORES],
        throughput_vs: None,
    },
    kind: Kind::Rendezvous,
};

pub struct QueueScenario {
    info: ScenarioInfo,
    kind: Kind,
}

/// A point's parameters, checked.
struct Point {
    shape: Shape,
    /// 0 for unbounded and rendezvous queues.
    capacity: usize,
    payload_bytes: u64,
    pinned_cores: u64,
}

impl QueueScenario {
    fn point(&self, params: &Params) -> anyhow::Result<Point> {
        let payload_bytes = params.get("payload_bytes")?;
        if !PAYLOAD_SIZES.contains(&payload_bytes) {
            bail!(
                "payload_bytes = {payload_bytes}: messages are compiled for 8 or 1024 bytes only"
            );
        }
        let capacity = match self.kind {
            Kind::Bounded => params.get("capacity")? as usize,
            Kind::Unbounded | Kind::Rendezvous => 0,
        };
        Ok(Point {
            shape: Shape {
                producers: params.get("producers")? as usize,
                consumers: params.get("consumers")? as usize,
                messages: params.get("messages")? as usize,
            },
            capacity,
            payload_bytes,
            pinned_cores: params.get("pinned_cores")?,
        })
    }
}

impl Scenario for QueueScenario {
    fn info(&self) -> &ScenarioInfo {
        &self.info
    }

    fn build(&self, context: &TrialContext) -> anyhow::Result<Box<dyn Trial>> {
        let point = self.point(&context.params)?;
        let trial = launch::start(
            self.kind.variant(context.variant)?,
            point.capacity,
            point.shape,
            point.payload_bytes,
            Placement::new(point.pinned_cores).map_err(anyhow::Error::msg)?,
        )?;
        Ok(Box::new(
            trial.with(context.cancel.clone(), point.payload_bytes),
        ))
    }

    /// Every message each producer sends is one operation (`Shape::per_round`).
    fn ops_per_round(&self, params: &Params) -> anyhow::Result<Option<u64>> {
        Ok(Some(self.point(params)?.shape.per_round()))
    }

    fn validate(&self, _model: Model, params: &Params) -> Result<(), String> {
        // Messages are compiled for two payload sizes only: anything else
        // is bad input, refused before the run starts.
        self.point(params).map(|_| ()).map_err(|e| format!("{e:#}"))
    }

    fn check_limits(&self, model: Model, params: &Params) -> Result<(), String> {
        let Ok(point) = self.point(params) else {
            return Ok(());
        };
        Placement::new(point.pinned_cores)?;
        let Shape {
            producers,
            consumers,
            messages,
        } = point.shape;
        let what = format!("producers={producers},consumers={consumers},messages={messages}");
        let message_bytes = 16 + point.payload_bytes;
        // What the queue may hold at once: its capacity (array-backed
        // queues allocate all of it up front), or a whole round's messages
        // when nothing bounds it.
        let queued = match self.kind {
            Kind::Bounded => point.capacity,
            Kind::Unbounded => producers * messages,
            Kind::Rendezvous => 0,
        } as u64;
        let bitsets = (consumers * 2 * producers * messages.div_ceil(64) * 8) as u64;
        crate::model::limits::check_memory(2 * queued * message_bytes + bitsets, &what)?;
        if model == Model::Thread {
            crate::model::limits::check_tasks((producers + consumers) as u64, &what)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
