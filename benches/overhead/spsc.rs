//! Pairs: a bare bounded SPSC loop between two threads (checking, as the
//! scenario does, that each message arrived once and intact) vs
//! `queue.bounded` with one producer and one consumer, the same capacity,
//! payload and messages per round: on a crossbeam channel
//! (`crossbeam_bounded`), and on std's `sync_channel` (`std_sync_channel`). Both sides start their
//! threads outside the timing and release them round by round, so the ratio
//! is what the scenario's loop (origin tag, sampled timestamps, round gate)
//! and the harness add to the hand-offs. Both pin the producer and the
//! consumer the same way (`PINNED_CORES`): unpinned, the scheduler sometimes
//! shares one core between them and sometimes not, which moves the figure
//! twofold from sample to sample.
//!
//! Each bare sample gets a fresh channel and fresh threads (started and
//! warmed untimed), as each harness point does: the speed varies from one
//! channel and thread pair to the next (36-49 ns between the points of one
//! run on the 2-vCPU VM), and one long-lived bare pipe measured a single
//! draw of it for the whole run (53-58 ns in one run, 72-78 in the next).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Barrier};
use std::thread::JoinHandle;
use std::time::Instant;

use concbench::model::placement::{Placement, pin_current};
use concbench::vocab::Model;

use crate::{BareSample, Pair};

const CAPACITY: u64 = 1024;
const MESSAGES: u64 = 50_000;
/// Rounds in one bare sample: about as long as one harness sample.
const ROUNDS: u64 = 4;
/// Untimed rounds on each fresh pipe first, as the harness warms up a point.
const WARM_ROUNDS: u64 = 1;
const MIX: u64 = 0xD6E8_FEB8_6659_FD93;
/// 1: producer and consumer share one core.
const PINNED_CORES: u64 = 1;

pub fn pair() -> Pair {
    Pair {
        name: "spsc",
        unit: "message",
        bare_sample: BareSample::Fixed(bare_crossbeam_sample),
        scenario: "queue.bounded",
        variant: "crossbeam_bounded",
        model: Model::Thread,
        params: PARAMS,
        runtime: None,
    }
}

/// The same on std's `sync_channel`.
pub fn std_pair() -> Pair {
    Pair {
        name: "spsc_std_sync_channel",
        unit: "message",
        bare_sample: BareSample::Fixed(bare_std_sample),
        scenario: "queue.bounded",
        variant: "std_sync_channel",
        model: Model::Thread,
        params: PARAMS,
        runtime: None,
    }
}

const PARAMS: &[(&str, u64)] = &[
    ("producers", 1),
    ("consumers", 1),
    ("capacity", CAPACITY),
    ("payload_bytes", 8),
    ("messages", MESSAGES),
    ("pinned_cores", PINNED_CORES),
];

/// Two threads around one channel, released a round at a time.
struct Shared {
    start: Barrier,
    done: Barrier,
    quit: AtomicBool,
    received: AtomicU64,
    damaged: AtomicU64,
}

/// The same 24 bytes as the scenario's 8-byte-payload message.
type Bare = [u64; 3];

/// A fresh channel and a fresh pair of threads.
struct BarePipe {
    shared: Arc<Shared>,
    threads: Vec<JoinHandle<()>>,
}

/// The two ends of a bounded channel, as the bare threads use them.
trait Ends: Send + 'static {
    type Tx: Send + 'static;
    type Rx: Send + 'static;
    fn open(capacity: usize) -> (Self::Tx, Self::Rx);
    fn send(tx: &Self::Tx, message: Bare);
    fn recv(rx: &Self::Rx) -> Bare;
}

struct Crossbeam;

impl Ends for Crossbeam {
    type Tx = crossbeam::channel::Sender<Bare>;
    type Rx = crossbeam::channel::Receiver<Bare>;
    fn open(capacity: usize) -> (Self::Tx, Self::Rx) {
        crossbeam::channel::bounded(capacity)
    }
    fn send(tx: &Self::Tx, message: Bare) {
        tx.send(message).expect("the bare consumer lives");
    }
    fn recv(rx: &Self::Rx) -> Bare {
        rx.recv().expect("the bare producer lives")
    }
}

struct StdSync;

impl Ends for StdSync {
    type Tx = std::sync::mpsc::SyncSender<Bare>;
    type Rx = std::sync::mpsc::Receiver<Bare>;
    fn open(capacity: usize) -> (Self::Tx, Self::Rx) {
        std::sync::mpsc::sync_channel(capacity)
    }
    fn send(tx: &Self::Tx, message: Bare) {
        tx.send(message).expect("the bare consumer lives");
    }
    fn recv(rx: &Self::Rx) -> Bare {
        rx.recv().expect("the bare producer lives")
    }
}

impl BarePipe {
    fn new<E: Ends>() -> BarePipe {
        let shared = Arc::new(Shared {
            start: Barrier::new(3),
            done: Barrier::new(3),
            quit: AtomicBool::new(false),
            received: AtomicU64::new(0),
            damaged: AtomicU64::new(0),
        });
        let (tx, rx) = E::open(CAPACITY as usize);
        let placement = Placement::new(PINNED_CORES).expect("enough CPUs for the pair");
        let producer = Arc::clone(&shared);
        let producer = std::thread::spawn(move || {
            pin(placement.first);
            loop {
                producer.start.wait();
                if producer.quit.load(Ordering::Relaxed) {
                    return;
                }
                for sequence in 0..MESSAGES {
                    E::send(&tx, [sequence, 0, sequence.wrapping_mul(MIX)]);
                }
                producer.done.wait();
            }
        });
        let consumer = Arc::clone(&shared);
        let consumer = std::thread::spawn(move || {
            pin(placement.second);
            loop {
                consumer.start.wait();
                if consumer.quit.load(Ordering::Relaxed) {
                    return;
                }
                // The scenario's proof, done bare: each message intact and
                // marked once in a bitset of the round's sequence numbers.
                let mut damaged = 0;
                let mut seen = [0u64; MESSAGES.div_ceil(64) as usize];
                for _ in 0..MESSAGES {
                    let message = E::recv(&rx);
                    let (word, bit) = ((message[0] / 64) as usize, 1 << (message[0] % 64));
                    match seen.get_mut(word) {
                        Some(marks)
                            if *marks & bit == 0 && message[2] == message[0].wrapping_mul(MIX) =>
                        {
                            *marks |= bit
                        }
                        _ => damaged += 1,
                    }
                }
                consumer.received.fetch_add(MESSAGES, Ordering::Relaxed);
                consumer.damaged.fetch_add(damaged, Ordering::Relaxed);
                consumer.done.wait();
            }
        });
        BarePipe {
            shared,
            threads: vec![producer, consumer],
        }
    }

    /// ns per message of `rounds` rounds, after checking every message.
    fn run(&self, rounds: u64) -> f64 {
        let shared = &self.shared;
        let before = shared.received.load(Ordering::Relaxed);
        let started = Instant::now();
        for _ in 0..rounds {
            shared.start.wait();
            shared.done.wait();
        }
        let ns = started.elapsed().as_nanos() as f64;
        assert_eq!(
            shared.received.load(Ordering::Relaxed) - before,
            rounds * MESSAGES,
            "every bare message arrived"
        );
        assert_eq!(
            shared.damaged.load(Ordering::Relaxed),
            0,
            "no bare message damaged"
        );
        ns / (rounds * MESSAGES) as f64
    }
}

impl Drop for BarePipe {
    fn drop(&mut self) {
        self.shared.quit.store(true, Ordering::Relaxed);
        self.shared.start.wait();
        for thread in self.threads.drain(..) {
            thread.join().expect("a bare thread ended cleanly");
        }
    }
}

fn pin(cpu: Option<usize>) {
    if let Some(cpu) = cpu {
        pin_current(cpu).expect("pinning a bare thread");
    }
}

/// ns per message of ROUNDS bare rounds, on a fresh pipe (started untimed).
fn bare_sample<E: Ends>() -> f64 {
    let pipe = BarePipe::new::<E>();
    pipe.run(WARM_ROUNDS);
    pipe.run(ROUNDS)
}

fn bare_crossbeam_sample() -> f64 {
    bare_sample::<Crossbeam>()
}

fn bare_std_sample() -> f64 {
    bare_sample::<StdSync>()
}
