//! Pair: a bare two-thread `Mutex` + `Condvar` ping-pong vs
//! `sync.handoff/condvar` (the same turn flag, on the harness's crew).

use std::sync::{Arc, Condvar, Mutex};
use std::time::Instant;

use concbench::scenario::Model;

use crate::Pair;

/// Round trips per bare sample (two hand-offs each).
const TRIPS: u64 = 5_000;

pub fn pair() -> Pair {
    Pair {
        name: "sync",
        unit: "hand-off",
        bare_sample,
        scenario: "sync.handoff",
        variant: "condvar",
        model: Model::Thread,
        params: &[("round_trips", 1000)],
    }
}

/// Whose turn it is (0: ping, 1: pong) and a condition variable.
type Turn = (Mutex<u8>, Condvar);

fn wait_for(turn: &Turn, me: u8) {
    let mut holder = turn.0.lock().expect("bare turn lock");
    while *holder != me {
        holder = turn.1.wait(holder).expect("bare turn wait");
    }
}

fn give(turn: &Turn, to: u8) {
    *turn.0.lock().expect("bare turn lock") = to;
    turn.1.notify_one();
}

/// ns per hand-off of one bare sample: a partner thread is started and one
/// untimed round trip makes sure it runs, then TRIPS round trips are timed.
fn bare_sample() -> f64 {
    let turn: Arc<Turn> = Arc::new((Mutex::new(0), Condvar::new()));
    let partner = {
        let turn = Arc::clone(&turn);
        std::thread::spawn(move || {
            for _ in 0..=TRIPS {
                wait_for(&turn, 1);
                give(&turn, 0);
            }
            TRIPS + 1
        })
    };
    give(&turn, 1);
    wait_for(&turn, 0);
    let started = Instant::now();
    for _ in 0..TRIPS {
        give(&turn, 1);
        wait_for(&turn, 0);
    }
    let ns = started.elapsed().as_nanos() as f64;
    let answered = partner.join().expect("bare partner");
    assert_eq!(answered, TRIPS + 1, "every bare round trip was answered");
    ns / (2 * TRIPS) as f64
}
