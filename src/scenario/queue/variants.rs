//! The queues under test behind one small pair of traits (a sending end and a
//! receiving end, both blocking), so that the producer and consumer loops are
//! generic and monomorphised per queue: no dynamic dispatch per message.
//! Each `*_ends` function opens one queue and hands out one end per worker.

use std::sync::{Arc, Mutex, mpsc};

use crossbeam::queue::{ArrayQueue, SegQueue};
use crossbeam::utils::Backoff;

/// The queue was closed under a worker (its other side is gone).
#[derive(Debug)]
pub struct Closed;

/// A producer's end: blocks while a bounded queue is full.
/// End-of-round markers go through `send` too, so that the producer's loop
/// has one call to it (and the compiler inlines it there, as in a
/// hand-written loop); a queue that must place them specially (the LIFO
/// puts them underneath) does so itself.
pub trait Sender<T: Copy>: Send + 'static {
    fn send(&mut self, item: T) -> Result<(), Closed>;
}

/// A consumer's end: blocks while the queue is empty.
pub trait Receiver<T>: Send + 'static {
    fn recv(&mut self) -> Result<T, Closed>;
}

/// One end per producer and per consumer of one queue.
pub type Ends<S, R> = (Vec<S>, Vec<R>);

fn cloned<E: Clone>(end: E, count: usize) -> Vec<E> {
    vec![end; count]
}

// ---- std::sync::mpsc ----

impl<T: Copy + Send + 'static> Sender<T> for mpsc::Sender<T> {
    #[inline]
    fn send(&mut self, item: T) -> Result<(), Closed> {
        mpsc::Sender::send(self, item).map_err(|_| Closed)
    }
}

impl<T: Copy + Send + 'static> Sender<T> for mpsc::SyncSender<T> {
    #[inline]
    fn send(&mut self, item: T) -> Result<(), Closed> {
        mpsc::SyncSender::send(self, item).map_err(|_| Closed)
    }
}

/// std's receiver is single-consumer: several consumers share it behind a
/// Mutex (the usual way, e.g. the Rust book's thread pool).
pub enum StdReceiver<T> {
    Own(mpsc::Receiver<T>),
    Shared(Arc<Mutex<mpsc::Receiver<T>>>),
}

impl<T: Send + 'static> Receiver<T> for StdReceiver<T> {
    #[inline]
    fn recv(&mut self) -> Result<T, Closed> {
        // One call of std's `recv` for both kinds of receiver: with two, the
        // compiler kept it out of line, and the scenario's consumer paid a
        // call per message that a bare loop does not (the `spsc_std` pair
        // of `cargo bench --bench overhead`).
        let guard;
        let rx = match self {
            StdReceiver::Own(rx) => &*rx,
            StdReceiver::Shared(shared) => {
                guard = shared.lock().map_err(|_| Closed)?;
                &*guard
            }
        };
        rx.recv().map_err(|_| Closed)
    }
}

fn std_receivers<T>(rx: mpsc::Receiver<T>, consumers: usize) -> Vec<StdReceiver<T>> {
    if consumers == 1 {
        return vec![StdReceiver::Own(rx)];
    }
    let shared = Arc::new(Mutex::new(rx));
    (0..consumers)
        .map(|_| StdReceiver::Shared(Arc::clone(&shared)))
        .collect()
}

/// `std::sync::mpsc::channel`: unbounded.
pub fn std_channel<T>(producers: usize, consumers: usize) -> Ends<mpsc::Sender<T>, StdReceiver<T>> {
    let (tx, rx) = mpsc::channel();
    (cloned(tx, producers), std_receivers(rx, consumers))
}

/// `std::sync::mpsc::sync_channel(capacity)`; 0 is a rendezvous.
pub fn std_sync_channel<T>(
    capacity: usize,
    producers: usize,
    consumers: usize,
) -> Ends<mpsc::SyncSender<T>, StdReceiver<T>> {
    let (tx, rx) = mpsc::sync_channel(capacity);
    (cloned(tx, producers), std_receivers(rx, consumers))
}

// ---- crossbeam-channel ----

impl<T: Copy + Send + 'static> Sender<T> for crossbeam::channel::Sender<T> {
    #[inline]
    fn send(&mut self, item: T) -> Result<(), Closed> {
        crossbeam::channel::Sender::send(self, item).map_err(|_| Closed)
    }
}

impl<T: Send + 'static> Receiver<T> for crossbeam::channel::Receiver<T> {
    #[inline]
    fn recv(&mut self) -> Result<T, Closed> {
        crossbeam::channel::Receiver::recv(self).map_err(|_| Closed)
    }
}

type CrossbeamEnds<T> = Ends<crossbeam::channel::Sender<T>, crossbeam::channel::Receiver<T>>;

/// `crossbeam::channel::bounded(capacity)`; 0 is a rendezvous.
pub fn crossbeam_bounded<T>(
    capacity: usize,
    producers: usize,
    consumers: usize,
) -> CrossbeamEnds<T> {
    let (tx, rx) = crossbeam::channel::bounded(capacity);
    (cloned(tx, producers), cloned(rx, consumers))
}

/// `crossbeam::channel::unbounded()`.
pub fn crossbeam_unbounded<T>(producers: usize, consumers: usize) -> CrossbeamEnds<T> {
    let (tx, rx) = crossbeam::channel::unbounded();
    (cloned(tx, producers), cloned(rx, consumers))
}

// ---- flume ----

impl<T: Copy + Send + 'static> Sender<T> for flume::Sender<T> {
    #[inline]
    fn send(&mut self, item: T) -> Result<(), Closed> {
        flume::Sender::send(self, item).map_err(|_| Closed)
    }
}

impl<T: Send + 'static> Receiver<T> for flume::Receiver<T> {
    #[inline]
    fn recv(&mut self) -> Result<T, Closed> {
        flume::Receiver::recv(self).map_err(|_| Closed)
    }
}

type FlumeEnds<T> = Ends<flume::Sender<T>, flume::Receiver<T>>;

/// `flume::bounded(capacity)`; 0 is a rendezvous.
pub fn flume_bounded<T>(capacity: usize, producers: usize, consumers: usize) -> FlumeEnds<T> {
    let (tx, rx) = flume::bounded(capacity);
    (cloned(tx, producers), cloned(rx, consumers))
}

/// `flume::unbounded()`.
pub fn flume_unbounded<T>(producers: usize, consumers: usize) -> FlumeEnds<T> {
    let (tx, rx) = flume::unbounded();
    (cloned(tx, producers), cloned(rx, consumers))
}

// ---- crossbeam lock-free queues: no blocking, so spin, then yield ----

/// A lock-free queue shared by every worker. Its ends wait with crossbeam's
/// `Backoff` (spin, then `yield_now`) while it is full or empty: there is no
/// way to sleep on these queues.
pub struct Spinning<Q>(Arc<Q>);

impl<Q> Clone for Spinning<Q> {
    fn clone(&self) -> Self {
        Spinning(Arc::clone(&self.0))
    }
}

impl<T: Copy + Send + 'static> Sender<T> for Spinning<ArrayQueue<T>> {
    #[inline]
    fn send(&mut self, mut item: T) -> Result<(), Closed> {
        let backoff = Backoff::new();
        loop {
            match self.0.push(item) {
                Ok(()) => return Ok(()),
                Err(back) => item = back,
            }
            backoff.snooze();
        }
    }
}

impl<T: Copy + Send + 'static> Sender<T> for Spinning<SegQueue<T>> {
    #[inline]
    fn send(&mut self, item: T) -> Result<(), Closed> {
        self.0.push(item);
        Ok(())
    }
}

/// How both lock-free queues are popped.
pub trait Pop<T>: Send + Sync + 'static {
    fn pop(&self) -> Option<T>;
}

impl<T: Send + 'static> Pop<T> for ArrayQueue<T> {
    #[inline]
    fn pop(&self) -> Option<T> {
        ArrayQueue::pop(self)
    }
}

impl<T: Send + 'static> Pop<T> for SegQueue<T> {
    #[inline]
    fn pop(&self) -> Option<T> {
        SegQueue::pop(self)
    }
}

impl<T: Send + 'static, Q: Pop<T>> Receiver<T> for Spinning<Q> {
    #[inline]
    fn recv(&mut self) -> Result<T, Closed> {
        let backoff = Backoff::new();
        loop {
            if let Some(item) = self.0.pop() {
                return Ok(item);
            }
            backoff.snooze();
        }
    }
}

type SpinningEnds<Q> = Ends<Spinning<Q>, Spinning<Q>>;

/// `crossbeam::queue::ArrayQueue::new(capacity)` (capacity >= 1).
pub fn array_queue<T>(
    capacity: usize,
    producers: usize,
    consumers: usize,
) -> SpinningEnds<ArrayQueue<T>> {
    let queue = Spinning(Arc::new(ArrayQueue::new(capacity.max(1))));
    (cloned(queue.clone(), producers), cloned(queue, consumers))
}

/// `crossbeam::queue::SegQueue::new()`: unbounded.
pub fn seg_queue<T>(producers: usize, consumers: usize) -> SpinningEnds<SegQueue<T>> {
    let queue = Spinning(Arc::new(SegQueue::new()));
    (cloned(queue.clone(), producers), cloned(queue, consumers))
}
