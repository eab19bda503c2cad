//! Pair: a bare ring of crossbeam-channel threads passing a counter vs
//! `pattern.actor_ring/crossbeam_threads` at the same size.

use std::sync::{Mutex, OnceLock};
use std::time::Instant;

use concbench::vocab::Model;
use crossbeam::channel::{Receiver, Sender, unbounded};

use crate::{BareSample, Pair};

const ACTORS: u64 = 8;
const LAPS: u64 = 50;
/// Token trips per bare sample.
const ROUNDS: u64 = 10;

pub fn pair() -> Pair {
    Pair {
        name: "actor_ring",
        unit: "hop",
        bare_sample: BareSample::Fixed(bare_sample),
        scenario: "pattern.actor_ring",
        variant: "crossbeam_threads",
        model: Model::Thread,
        params: &[("actors", ACTORS), ("laps", LAPS)],
        runtime: None,
    }
}

/// The first mailbox and the channel the finished token comes back on;
/// the actor threads live as long as the bench process.
struct BareRing {
    first: Sender<u64>,
    done: Receiver<u64>,
}

fn ring() -> &'static Mutex<BareRing> {
    static RING: OnceLock<Mutex<BareRing>> = OnceLock::new();
    RING.get_or_init(|| {
        let (senders, receivers): (Vec<_>, Vec<_>) = (0..ACTORS).map(|_| unbounded()).unzip();
        let (done_sender, done) = unbounded();
        for (index, inbox) in receivers.into_iter().enumerate() {
            let next: Sender<u64> = senders[(index + 1) % ACTORS as usize].clone();
            let done_sender = done_sender.clone();
            std::thread::spawn(move || {
                for hops in inbox.iter() {
                    let hops = hops + 1;
                    let out = if hops == ACTORS * LAPS {
                        &done_sender
                    } else {
                        &next
                    };
                    out.send(hops).expect("the ring is alive");
                }
            });
        }
        Mutex::new(BareRing {
            first: senders[0].clone(),
            done,
        })
    })
}

/// ns per hop of `ROUNDS` bare trips of the token.
fn bare_sample() -> f64 {
    let ring = ring().lock().expect("one sampler at a time");
    let started = Instant::now();
    for _ in 0..ROUNDS {
        ring.first.send(0).expect("the ring is alive");
        let hops = ring.done.recv().expect("the token comes back");
        assert_eq!(hops, ACTORS * LAPS, "every bare hop happened");
    }
    started.elapsed().as_nanos() as f64 / (ROUNDS * ACTORS * LAPS) as f64
}
