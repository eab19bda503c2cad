//! From a variant to running workers: open the queue, hand each worker its
//! end, and start the loops monomorphised for that queue and payload.

use super::condvar::{Fifo, Lifo, Priority, guarded};
use super::message::{Message, Shape};
use super::table::{BoundedQueue as B, RendezvousQueue as R, UnboundedQueue as U};
use super::trial::{QueueTrial, start_threads};
use super::{tokio_mpsc, variants as v};
use crate::model::placement::Placement;

/// How much a queue holds, which decides its variants and parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Bounded,
    Unbounded,
    Rendezvous,
}

/// A variant of one of the three scenarios: the kind's table says which.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Queue {
    Bounded(B),
    Unbounded(U),
    Rendezvous(R),
}

impl Kind {
    /// The variant named `name` of this kind's scenario.
    pub fn variant(self, name: &str) -> anyhow::Result<Queue> {
        Ok(match self {
            Kind::Bounded => Queue::Bounded(B::of(name)?),
            Kind::Unbounded => Queue::Unbounded(U::of(name)?),
            Kind::Rendezvous => Queue::Rendezvous(R::of(name)?),
        })
    }
}

/// Start the workers of `queue` of `capacity` (ignored unless bounded)
/// carrying `payload_bytes` (8 or 1024), placed on the CPUs `placement`
/// names.
pub fn start(
    queue: Queue,
    capacity: usize,
    shape: Shape,
    payload_bytes: u64,
    placement: Placement,
) -> anyhow::Result<QueueTrial> {
    if payload_bytes / 8 == 1 {
        open::<1>(queue, capacity, shape, placement)
    } else {
        open::<128>(queue, capacity, shape, placement)
    }
}

/// Every variant, for messages of `W` payload words.
fn open<const W: usize>(
    queue: Queue,
    capacity: usize,
    shape: Shape,
    placement: Placement,
) -> anyhow::Result<QueueTrial> {
    type M<const W: usize> = Message<W>;
    let (p, c) = (shape.producers, shape.consumers);
    // Unbounded hand-built queues have maxsize 0, as in Python.
    let maxsize = if let Queue::Bounded(_) = queue {
        capacity
    } else {
        0
    };
    match queue {
        Queue::Bounded(B::TokioMpsc) => tokio_mpsc::start(Some(capacity), shape, W, placement),
        Queue::Unbounded(U::TokioUnbounded) => tokio_mpsc::start(None, shape, W, placement),
        Queue::Unbounded(U::StdChannel) => {
            start_threads(v::std_channel::<M<W>>(p, c), shape, placement)
        }
        Queue::Bounded(B::StdSyncChannel) | Queue::Rendezvous(R::StdSyncChannel) => start_threads(
            v::std_sync_channel::<M<W>>(capacity, p, c),
            shape,
            placement,
        ),
        Queue::Bounded(B::CrossbeamBounded) | Queue::Rendezvous(R::CrossbeamZero) => start_threads(
            v::crossbeam_bounded::<M<W>>(capacity, p, c),
            shape,
            placement,
        ),
        Queue::Unbounded(U::CrossbeamUnbounded) => {
            start_threads(v::crossbeam_unbounded::<M<W>>(p, c), shape, placement)
        }
        Queue::Bounded(B::FlumeBounded) | Queue::Rendezvous(R::FlumeZero) => {
            start_threads(v::flume_bounded::<M<W>>(capacity, p, c), shape, placement)
        }
        Queue::Unbounded(U::FlumeUnbounded) => {
            start_threads(v::flume_unbounded::<M<W>>(p, c), shape, placement)
        }
        Queue::Bounded(B::ArrayQueue) => {
            start_threads(v::array_queue::<M<W>>(capacity, p, c), shape, placement)
        }
        Queue::Unbounded(U::SegQueue) => {
            start_threads(v::seg_queue::<M<W>>(p, c), shape, placement)
        }
        Queue::Bounded(B::CondvarFifo) | Queue::Unbounded(U::CondvarFifo) => {
            start_threads(guarded::<Fifo<M<W>>>(maxsize, p, c), shape, placement)
        }
        Queue::Bounded(B::CondvarLifo) | Queue::Unbounded(U::CondvarLifo) => {
            start_threads(guarded::<Lifo<M<W>>>(maxsize, p, c), shape, placement)
        }
        Queue::Bounded(B::CondvarPriority) | Queue::Unbounded(U::CondvarPriority) => {
            start_threads(guarded::<Priority<M<W>>>(maxsize, p, c), shape, placement)
        }
    }
}
