//! From a variant name to running workers: open the queue, hand each worker
//! its end, and start the loops monomorphised for that queue and payload.

use anyhow::bail;

use super::condvar::{Fifo, Lifo, Priority, guarded};
use super::message::{Message, Shape};
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

/// Start the workers of `variant` for a `kind` queue of `capacity`
/// (ignored unless bounded) carrying `payload_bytes` (8 or 1024), placed
/// on the CPUs `placement` names.
pub fn start(
    kind: Kind,
    variant: &str,
    capacity: usize,
    shape: Shape,
    payload_bytes: u64,
    placement: Placement,
) -> anyhow::Result<QueueTrial> {
    let words = (payload_bytes / 8) as usize;
    match (variant, kind) {
        ("tokio_mpsc", Kind::Bounded) => tokio_mpsc::start(Some(capacity), shape, words, placement),
        ("tokio_unbounded", Kind::Unbounded) => tokio_mpsc::start(None, shape, words, placement),
        _ if words == 1 => threads::<1>(kind, variant, capacity, shape, placement),
        _ => threads::<128>(kind, variant, capacity, shape, placement),
    }
}

/// The thread variants, for messages of `W` payload words.
fn threads<const W: usize>(
    kind: Kind,
    variant: &str,
    capacity: usize,
    shape: Shape,
    placement: Placement,
) -> anyhow::Result<QueueTrial> {
    type M<const W: usize> = Message<W>;
    let (p, c) = (shape.producers, shape.consumers);
    // Unbounded hand-built queues have maxsize 0, as in Python.
    let maxsize = if kind == Kind::Bounded { capacity } else { 0 };
    match (variant, kind) {
        ("std_channel", Kind::Unbounded) => {
            start_threads(v::std_channel::<M<W>>(p, c), shape, placement)
        }
        ("std_sync_channel", Kind::Bounded | Kind::Rendezvous) => start_threads(
            v::std_sync_channel::<M<W>>(capacity, p, c),
            shape,
            placement,
        ),
        ("crossbeam_bounded", Kind::Bounded) | ("crossbeam_zero", Kind::Rendezvous) => {
            start_threads(
                v::crossbeam_bounded::<M<W>>(capacity, p, c),
                shape,
                placement,
            )
        }
        ("crossbeam_unbounded", Kind::Unbounded) => {
            start_threads(v::crossbeam_unbounded::<M<W>>(p, c), shape, placement)
        }
        ("flume_bounded", Kind::Bounded) | ("flume_zero", Kind::Rendezvous) => {
            start_threads(v::flume_bounded::<M<W>>(capacity, p, c), shape, placement)
        }
        ("flume_unbounded", Kind::Unbounded) => {
            start_threads(v::flume_unbounded::<M<W>>(p, c), shape, placement)
        }
        ("array_queue", Kind::Bounded) => {
            start_threads(v::array_queue::<M<W>>(capacity, p, c), shape, placement)
        }
        ("seg_queue", Kind::Unbounded) => {
            start_threads(v::seg_queue::<M<W>>(p, c), shape, placement)
        }
        ("condvar_fifo", Kind::Bounded | Kind::Unbounded) => {
            start_threads(guarded::<Fifo<M<W>>>(maxsize, p, c), shape, placement)
        }
        ("condvar_lifo", Kind::Bounded | Kind::Unbounded) => {
            start_threads(guarded::<Lifo<M<W>>>(maxsize, p, c), shape, placement)
        }
        ("condvar_priority", Kind::Bounded | Kind::Unbounded) => {
            start_threads(guarded::<Priority<M<W>>>(maxsize, p, c), shape, placement)
        }
        (other, kind) => bail!("the {kind:?} queue scenario has no variant `{other}`"),
    }
}
