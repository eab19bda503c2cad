//! Pair: a bare crossbeam bounded SPSC loop between two long-lived threads
//! (checking, as the scenario does, that each message arrived once and
//! intact) vs `queue.bounded/crossbeam_bounded` with one producer and one
//! consumer, the same capacity, payload and messages per round. Both sides
//! start their threads outside the timing and release them round by round,
//! so the ratio is what the scenario's loop (origin tag, sampled timestamps,
//! round gate) and the harness add to the hand-offs. Both pin the producer
//! and the consumer the same way (`PINNED_CORES`): unpinned, the scheduler
//! sometimes shares one core between them and sometimes not, which moves
//! the figure twofold from sample to sample.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Barrier, OnceLock};
use std::time::Instant;

use concbench::model::placement::{Placement, pin_current};
use concbench::scenario::Model;

use crate::Pair;

const CAPACITY: u64 = 1024;
const MESSAGES: u64 = 50_000;
/// Rounds in one bare sample: about as long as one harness sample.
const ROUNDS: u64 = 4;
const MIX: u64 = 0xD6E8_FEB8_6659_FD93;
/// 1: producer and consumer share one core.
const PINNED_CORES: u64 = 1;

pub fn pair() -> Pair {
    Pair {
        name: "spsc",
        unit: "message",
        bare_sample,
        scenario: "queue.bounded",
        variant: "crossbeam_bounded",
        model: Model::Thread,
        params: &[
            ("producers", 1),
            ("consumers", 1),
            ("capacity", CAPACITY),
            ("payload_bytes", 8),
            ("messages", MESSAGES),
            ("pinned_cores", PINNED_CORES),
        ],
    }
}

/// Two threads around one channel, released a round at a time.
struct Pipe {
    start: Barrier,
    done: Barrier,
    received: AtomicU64,
    damaged: AtomicU64,
}

/// The same 24 bytes as the scenario's 8-byte-payload message.
type Bare = [u64; 3];

fn pipe() -> &'static Pipe {
    static PIPE: OnceLock<Arc<Pipe>> = OnceLock::new();
    PIPE.get_or_init(|| {
        let pipe = Arc::new(Pipe {
            start: Barrier::new(3),
            done: Barrier::new(3),
            received: AtomicU64::new(0),
            damaged: AtomicU64::new(0),
        });
        let (tx, rx) = crossbeam::channel::bounded::<Bare>(CAPACITY as usize);
        let placement = Placement::new(PINNED_CORES).expect("enough CPUs for the pair");
        let producer = Arc::clone(&pipe);
        std::thread::spawn(move || {
            pin(placement.first);
            loop {
                producer.start.wait();
                for sequence in 0..MESSAGES {
                    tx.send([sequence, 0, sequence.wrapping_mul(MIX)])
                        .expect("the bare consumer lives");
                }
                producer.done.wait();
            }
        });
        let consumer = Arc::clone(&pipe);
        std::thread::spawn(move || {
            pin(placement.second);
            loop {
                consumer.start.wait();
                // The scenario's proof, done bare: each message intact and
                // marked once in a bitset of the round's sequence numbers.
                let mut damaged = 0;
                let mut seen = [0u64; MESSAGES.div_ceil(64) as usize];
                for _ in 0..MESSAGES {
                    let message = rx.recv().expect("the bare producer lives");
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
        pipe
    })
}

fn pin(cpu: Option<usize>) {
    if let Some(cpu) = cpu {
        pin_current(cpu).expect("pinning a bare thread");
    }
}

/// ns per message of ROUNDS bare rounds.
fn bare_sample() -> f64 {
    let pipe = pipe();
    let before = pipe.received.load(Ordering::Relaxed);
    let started = Instant::now();
    for _ in 0..ROUNDS {
        pipe.start.wait();
        pipe.done.wait();
    }
    let ns = started.elapsed().as_nanos() as f64;
    assert_eq!(
        pipe.received.load(Ordering::Relaxed) - before,
        ROUNDS * MESSAGES,
        "every bare message arrived"
    );
    assert_eq!(
        pipe.damaged.load(Ordering::Relaxed),
        0,
        "no bare message damaged"
    );
    ns / (ROUNDS * MESSAGES) as f64
}
