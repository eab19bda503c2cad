//! `tokio::sync::mpsc` measured the way it is meant to be used: producers
//! and consumers are tasks on a multi-thread runtime (one worker thread per
//! core), awaiting `send` / `recv`. Its receiver is single-consumer, so
//! several consumers share it behind a `tokio::sync::Mutex`. The tasks start
//! once and wait for each round on the gate's `watch` channel. Tasks move
//! between the runtime's worker threads, so `pinned_cores` pins the workers:
//! all on one CPU, or alternately on the placement's two.

use std::future::Future;
use std::sync::Arc;

use anyhow::Context;
use tokio::sync::mpsc;

use super::crew::{Crew, Gate};
use super::message::{Message, Shape};
use super::trial::{Common, QueueTrial, TallySlot, return_tally, take_tally};
use super::variants::Closed;
use crate::model::placement::{Placement, cpu_of_worker, pin_current};

/// A producer's end, awaited.
pub trait AsyncSender<T>: Send + 'static {
    fn send(&mut self, item: T) -> impl Future<Output = Result<(), Closed>> + Send;
}

impl<T: Send + 'static> AsyncSender<T> for mpsc::Sender<T> {
    async fn send(&mut self, item: T) -> Result<(), Closed> {
        mpsc::Sender::send(self, item).await.map_err(|_| Closed)
    }
}

impl<T: Send + 'static> AsyncSender<T> for mpsc::UnboundedSender<T> {
    #[inline]
    fn send(&mut self, item: T) -> impl Future<Output = Result<(), Closed>> + Send {
        std::future::ready(mpsc::UnboundedSender::send(self, item).map_err(|_| Closed))
    }
}

/// tokio's two receivers, which share no trait.
pub trait AsyncRecv<T>: Send + 'static {
    fn recv(&mut self) -> impl Future<Output = Option<T>> + Send;
}

impl<T: Send + 'static> AsyncRecv<T> for mpsc::Receiver<T> {
    fn recv(&mut self) -> impl Future<Output = Option<T>> + Send {
        mpsc::Receiver::recv(self)
    }
}

impl<T: Send + 'static> AsyncRecv<T> for mpsc::UnboundedReceiver<T> {
    fn recv(&mut self) -> impl Future<Output = Option<T>> + Send {
        mpsc::UnboundedReceiver::recv(self)
    }
}

/// A consumer's end: the receiver itself, or a share of it.
enum Consumer<R> {
    Own(R),
    Shared(Arc<tokio::sync::Mutex<R>>),
}

impl<R> Consumer<R> {
    async fn recv<T>(&mut self) -> Result<T, Closed>
    where
        R: AsyncRecv<T>,
    {
        let item = match self {
            Consumer::Own(rx) => rx.recv().await,
            Consumer::Shared(rx) => rx.lock().await.recv().await,
        };
        item.ok_or(Closed)
    }
}

fn consumers<R>(rx: R, count: usize) -> Vec<Consumer<R>> {
    if count == 1 {
        return vec![Consumer::Own(rx)];
    }
    let shared = Arc::new(tokio::sync::Mutex::new(rx));
    (0..count)
        .map(|_| Consumer::Shared(Arc::clone(&shared)))
        .collect()
}

/// `tokio::sync::mpsc::channel(capacity)` (capacity >= 1), or with
/// `capacity` None `unbounded_channel()`, with its tasks started.
pub fn start(
    capacity: Option<usize>,
    shape: Shape,
    payload_words: usize,
    placement: Placement,
) -> anyhow::Result<QueueTrial> {
    let runtime = runtime(placement)?;
    match (capacity, payload_words) {
        (Some(c), 1) => start_with::<1, _, _>(mpsc::channel(c.max(1)), shape, runtime),
        (Some(c), _) => start_with::<128, _, _>(mpsc::channel(c.max(1)), shape, runtime),
        (None, 1) => start_with::<1, _, _>(mpsc::unbounded_channel(), shape, runtime),
        (None, _) => start_with::<128, _, _>(mpsc::unbounded_channel(), shape, runtime),
    }
}

/// A multi-thread runtime with one worker per core, its workers pinned as
/// `placement` says (worker i on the first CPU when i is even, else the
/// second).
fn runtime(placement: Placement) -> anyhow::Result<tokio::runtime::Runtime> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    builder.worker_threads(cores).thread_name("queue-tokio");
    if placement != Placement::UNPINNED {
        let started = std::sync::atomic::AtomicUsize::new(0);
        builder.on_thread_start(move || {
            let index = started.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            // A worker left unpinned still runs correctly: only the figure's
            // placement label would be wrong, and the CPUs were checked at
            // plan time.
            if let Some(cpu) = cpu_of_worker(placement, index) {
                let _ = pin_current(cpu);
            }
        });
    }
    builder.build().context("starting the tokio runtime")
}

fn start_with<const W: usize, S, R>(
    (tx, rx): (S, R),
    shape: Shape,
    runtime: tokio::runtime::Runtime,
) -> anyhow::Result<QueueTrial>
where
    S: AsyncSender<Message<W>> + Clone,
    R: AsyncRecv<Message<W>>,
{
    let gate = Arc::new(Gate::new(shape.producers, shape.consumers, true));
    let mut trial = QueueTrial::new(shape, Crew::new(Arc::clone(&gate), Placement::UNPINNED));
    for id in 0..shape.producers {
        let (gate, common, tx) = (Arc::clone(&gate), Arc::clone(&trial.common), tx.clone());
        let rounds = gate.subscribe().context("a gate for tasks")?;
        runtime.spawn(produce(tx, id as u32, rounds, gate, common));
    }
    drop(tx);
    for (id, rx) in consumers(rx, shape.consumers).into_iter().enumerate() {
        let (gate, common) = (Arc::clone(&gate), Arc::clone(&trial.common));
        let rounds = gate.subscribe().context("a gate for tasks")?;
        runtime.spawn(consume(
            rx,
            Arc::clone(&trial.slots[id]),
            rounds,
            gate,
            common,
        ));
    }
    trial.crew.own_runtime(runtime);
    Ok(trial)
}

/// The round numbers a task waits on, subscribed before the task starts so
/// that it cannot miss the first round.
type Rounds = tokio::sync::watch::Receiver<u64>;

/// Wait for the next round number; `None` when the crew quits.
async fn next_round(rounds: &mut Rounds) -> Option<u64> {
    rounds.changed().await.ok()?;
    let round = *rounds.borrow_and_update();
    (round != u64::MAX).then_some(round)
}

/// Producer `id`, as in the thread version: its messages, then the last
/// one done sends the end-of-round markers.
async fn produce<const W: usize, S: AsyncSender<Message<W>>>(
    mut tx: S,
    id: u32,
    mut rounds: Rounds,
    gate: Arc<Gate>,
    common: Arc<Common>,
) {
    while next_round(&mut rounds).await.is_some() {
        let mut closed = false;
        for sequence in 0..common.shape.messages as u32 {
            if tx
                .send(Message::new(id, sequence, &common.clock))
                .await
                .is_err()
            {
                closed = true;
                break;
            }
        }
        if gate.last_producer() && !closed {
            for _ in 0..common.shape.consumers {
                if tx.send(Message::stop()).await.is_err() {
                    break;
                }
            }
        }
        gate.finish();
    }
}

/// A consumer: take and check messages until a marker, each round.
async fn consume<const W: usize, R: AsyncRecv<Message<W>>>(
    mut rx: Consumer<R>,
    slot: TallySlot,
    mut rounds: Rounds,
    gate: Arc<Gate>,
    common: Arc<Common>,
) {
    while next_round(&mut rounds).await.is_some() {
        let mut tally = take_tally(&slot, common.shape);
        loop {
            let received = rx.recv().await;
            let Ok(message) = &received else {
                tally.fault("the channel closed under a consumer".into());
                break;
            };
            if message.is_stop() {
                break;
            }
            tally.accept(message, &common.clock);
        }
        return_tally(&slot, &common.ledger, tally);
        gate.finish();
    }
}
